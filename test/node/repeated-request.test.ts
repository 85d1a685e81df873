// A tick asked for again (src/node/recent-ticks.ts): the first answer did not reach the
// requester, so the origin sends it twice, and other holders answer it as a retry even after
// they heard an answer. On a real Mosquitto broker, the gossip recorded and the requests sent
// by test/support/gossip-recorder.ts.
import { describe, expect, it } from "vitest";
import { sleep, startNode, waitFor, mosquittoFixture, type TestNode } from "../support/cluster.js";
import { record, replay } from "../support/gossip-recorder.js";
import { encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

const f = mosquittoFixture();

describe("a repeated request", () => {
  it("is answered twice by the origin, within one to two maxMissingDelays of the first", async () => {
    const a: TestNode = await startNode(f.broker.url, "a", { announceInterval: 0 });
    f.nodes = [a];
    const rec = await record(f.broker.url);
    /** Updates whose chain starts at a's tick (a fresh change carries its chain in the message, a re-send as `chain`). */
    const copies = (tick: number) => rec.decoded("update").filter((m) => {
      const head = (m.chain ?? m) as { node?: string; tick?: number };
      return head.node === "a" && head.tick === tick;
    }).length;
    const known = () => rec.decoded("info").filter((m) => m.known && m.node === "a").map((m) => m.known);
    const ask = (missing: Record<string, unknown>) => replay(f.broker.url, [{ action: "info", payload: encodeValue({ node: "x", tick: 0, missing }) }]);
    try {
      a.node.set(Path.of("one"), 1); // a:1
      a.node.set(Path.of("two"), 2); // a:2
      a.node.set(Path.of("two"), 3); // a:3 supersedes a:2
      await waitFor(() => copies(3) === 1, 2000, () => `${rec.messages.length} messages recorded`);
      await ask({ a: [1, 2] });
      await waitFor(() => copies(1) === 2 && known().length === 1, 2000, () => `${copies(1)} copies, known ${JSON.stringify(known())}`);
      await sleep(200); // (resendDelay 40 ms: a second copy would be here by now)
      expect(copies(1)).toBe(2); // the write and one answer
      expect(known()).toEqual([{ a: [2] }]);
      // asked again (FAST: maxMissingDelay 800 ms): the answer and a second copy, updates and info alike
      await ask({ a: [1, 2] });
      await waitFor(() => copies(1) === 4 && known().length === 3, 2000, () => `${copies(1)} copies, known ${JSON.stringify(known())}`);
      // long after (more than two windows): a first request again, one answer
      await sleep(1800);
      await ask({ a: [1] });
      await waitFor(() => copies(1) === 5, 2000, () => `${copies(1)} copies`);
      await sleep(200);
      expect(copies(1)).toBe(5);
    } finally {
      await rec.stop();
    }
  });
});
