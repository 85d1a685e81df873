// A tick asked for again (src/node/recent-ticks.ts): the first answer did not reach the
// requester, so the origin sends it twice, and other holders answer it as a retry even after
// they heard an answer. On a real Mosquitto broker, with a raw MQTT client as the requester.
import { describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { sleep, startNode, waitFor, mosquittoFixture, type TestNode } from "../support/cluster.js";
import { decodeValue, encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

const f = mosquittoFixture();

/** A raw client on the gossip: counts updates by their head link ("a:2") and info messages' known ranges. */
async function listener(url: string) {
  const client = await mqtt.connectAsync(url);
  const heads = new Map<string, number>();
  const known: unknown[] = [];
  client.on("message", (topic, payload) => {
    const msg = decodeValue(payload) as { chain?: { node: string; tick: number }; prev?: unknown; tick?: number; known?: unknown; node?: string };
    // a fresh change carries its chain in the message itself; a re-send carries it as `chain`
    const head = msg.chain ?? (msg.prev !== undefined ? msg : undefined);
    if (topic === "moat/kv/update" && head) {
      const k = `${head.node}:${head.tick}`;
      heads.set(k, (heads.get(k) ?? 0) + 1);
    }
    if (topic === "moat/kv/info" && msg.known && msg.node !== "x") known.push(msg.known);
  });
  await client.subscribeAsync(["moat/kv/update", "moat/kv/info"]);
  const ask = (missing: Record<string, unknown>) => client.publishAsync("moat/kv/info", Buffer.from(encodeValue({ node: "x", tick: 0, missing })));
  return { client, heads, known, ask };
}

describe("a repeated request", () => {
  it("is answered twice by the origin, within one to two maxMissingDelays of the first", async () => {
    const a: TestNode = await startNode(f.broker.url, "a", { announceInterval: 0 });
    f.nodes = [a];
    const l = await listener(f.broker.url);
    try {
      a.node.set(Path.of("one"), 1); // a:1
      a.node.set(Path.of("two"), 2); // a:2
      a.node.set(Path.of("two"), 3); // a:3 supersedes a:2
      await waitFor(() => l.heads.get("a:3") === 1, 2000, () => JSON.stringify([...l.heads]));
      const copies = () => l.heads.get("a:1") ?? 0;
      await l.ask({ a: [1, 2] });
      await waitFor(() => copies() === 2 && l.known.length === 1, 2000, () => `${copies()} copies, known ${JSON.stringify(l.known)}`);
      await sleep(200); // (resendDelay 40 ms: a second copy would be here by now)
      expect(copies()).toBe(2); // the write and one answer
      expect(l.known).toEqual([{ a: [2] }]);
      // asked again (FAST: maxMissingDelay 800 ms): the answer and a second copy, updates and info alike
      await l.ask({ a: [1, 2] });
      await waitFor(() => copies() === 4 && l.known.length === 3, 2000, () => `${copies()} copies, known ${JSON.stringify(l.known)}`);
      // long after (more than two windows): a first request again, one answer
      await sleep(1800);
      await l.ask({ a: [1] });
      await waitFor(() => copies() === 5, 2000, () => `${copies()} copies`);
      await sleep(200);
      expect(copies()).toBe(5);
    } finally {
      await l.client.endAsync();
    }
  });
});
