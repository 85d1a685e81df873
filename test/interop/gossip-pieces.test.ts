// Split gossip against a real upstream server: the pieces it publishes for a large value are
// byte for byte what ticktock's split() makes of the same message; a ticktock node on the same
// broker gets the value, and takes the `tick: null` of a fresh upstream server's info.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMosquitto, type Broker } from "../support/mosquitto.js";
import { describeUpstream, upstreamFixture } from "../support/upstream.js";
import { startNode, waitFor, type TestNode } from "../support/cluster.js";
import { record, type Recorder } from "../support/gossip-recorder.js";
import { Reassembler, escapePieceKeys, split } from "../../src/wire/message-pieces.js";
import { decodeValue, encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

describeUpstream("gossip pieces against an upstream server", () => {
  let broker: Broker;
  let rec: Recorder;
  let node: TestNode | undefined;
  const up = upstreamFixture();
  beforeAll(async () => {
    broker = await startMosquitto();
    rec = await record(broker.url);
  });
  afterAll(async () => {
    await node?.node.stop();
    await rec.stop();
    await broker.stop();
  });

  it("splits a large value's update exactly as upstream does, and a ticktock node gets the value", async () => {
    node = await startNode(broker.url, "tt1", { force: true });
    const s1 = await up.start({ name: "up1", mqtt: broker.url, init: true });
    const values = [460, 2000, 65_536].map((n, i) => `${"abcdefgh"[i]}`.repeat(n));
    for (const [i, v] of values.entries()) {
      const r = await s1.kv(["data", `big.v${i}`, "set", "-v", ":", v]);
      expect(r.code, r.stderr).toBe(0);
    }
    await waitFor(() => values.every((v, i) => node!.node.store.get(Path.of("big", `v${i}`))?.value === v), 15_000, () => node!.logs.join("\n"));

    // group the recorded pieces per message, in the order sent
    const byMsg = new Map<string, Uint8Array[]>();
    for (const m of rec.messages) {
      if (m.action !== "update") continue;
      const d = decodeValue(m.payload) as Record<string, unknown>;
      if (!Array.isArray(d._p0)) continue;
      const [n, seq] = d._p0 as [string, number];
      expect(n).toBe("up1");
      byMsg.set(String(seq), [...(byMsg.get(String(seq)) ?? []), m.payload]);
    }
    expect(byMsg.size).toBe(3);
    for (const [seq, pieces] of byMsg) {
      for (const p of pieces) expect(p.length).toBeLessThanOrEqual(450);
      const r = new Reassembler();
      const out = pieces.map((p) => r.accept(decodeValue(p) as Record<string, unknown>, "update"));
      const whole = out.at(-1)!;
      expect(whole.kind).toBe("whole");
      const msg = (whole as { msg: Record<string, unknown> }).msg;
      // the chunks joined are upstream's msgpack of the message; ticktock encodes it the same way
      const joined = Buffer.concat(pieces.map((p) => ((decodeValue(p) as { _p0: unknown[] })._p0[3]) as Uint8Array));
      expect(Buffer.from(encodeValue(escapePieceKeys(msg))).equals(joined)).toBe(true);
      // and cuts it into the same pieces, byte for byte
      const mine = split(msg, "up1", Number(seq));
      expect(mine.map((b) => Buffer.from(b).toString("hex"))).toEqual(pieces.map((b) => Buffer.from(b).toString("hex")));
    }
    expect(node.logs.filter((l) => /dropped/.test(l))).toEqual([]);
  }, 60_000);

  it("takes a fresh upstream server's info with tick null", async () => {
    // tt1 still holds the ticks of up1 (killed after the first test); a fresh server that copies
    // from up3, which lacks them, hears of them from tt1 and asks for them: info, tick null
    node ??= await startNode(broker.url, "tt1", { force: true });
    const s3 = await up.start({ name: "up3", mqtt: broker.url, init: true });
    const heard: Record<string, unknown>[] = [];
    node.node.on("gossip", (action, m) => {
      if (action === "info" && m.node === "up4") heard.push(m);
    });
    const s4 = await up.start({ name: "up4", mqtt: broker.url, hostmap: { up3: s3.port }, noWait: true });
    // applied, not dropped: the node emits a message after it applied it
    await waitFor(() => heard.some((m) => m.tick === null), 30_000, () => `up4's infos: ${JSON.stringify(rec.decoded("info").filter((m) => m.node === "up4"))}; its log:\n${s4.log()}`);
    expect(node.logs.filter((l) => /dropped/.test(l))).toEqual([]);
  }, 90_000);
});
