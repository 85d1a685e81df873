// Split gossip against a real upstream server: the pieces it publishes for large values and a
// large info are byte for byte what ticktock's split() makes of the same messages; a ticktock
// node on the same broker reassembles them, upstream reassembles the node's own pieces
// (splitOver 450), and the node takes the `tick: null` of a fresh upstream server's info.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMosquitto, type Broker } from "../support/mosquitto.js";
import { describeUpstream, upstreamFixture } from "../support/upstream.js";
import { startNode, waitFor, type TestNode } from "../support/cluster.js";
import { TEST_PING } from "../support/mixed.js";
import { record, type Recorder } from "../support/gossip-recorder.js";
import { Reassembler, escapePieceKeys, split } from "../../src/wire/message-pieces.js";
import { decodeValue, encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";
import { connectTcp } from "../../src/client/tcp.js";

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

  it("splits large updates and infos exactly as upstream does, and each side reassembles the other's pieces", async () => {
    node = await startNode(broker.url, "tt1", { force: true, splitOver: 450 });
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

    // a large info: a mark broadcast with many ticks goes out in pieces too, split the same way
    const before = rec.messages.length;
    const ticks = Array.from({ length: 300 }, (_, i) => String(1000 + 2 * i));
    expect((await s1.kv(["internal", "mark", "-b", "ghost", ...ticks])).code).toBe(0);
    await waitFor(() => node!.node.ledger.get("ghost")?.superseded.count() === 300, 10_000, () => "the split info did not arrive");
    const infoPieces = rec.messages.slice(before).filter((m) => m.action === "info" && Array.isArray((decodeValue(m.payload) as { _p0?: unknown })._p0));
    expect(infoPieces.length).toBeGreaterThan(1);
    const r = new Reassembler();
    const info = infoPieces.map((p) => r.accept(decodeValue(p.payload) as Record<string, unknown>, "info")).at(-1) as { kind: string; msg: Record<string, unknown> };
    expect(info.kind).toBe("whole");
    const seq = ((decodeValue(infoPieces[0]!.payload) as { _p0: unknown[] })._p0[1]) as number;
    expect(split(info.msg, "up1", seq).map((b) => Buffer.from(b).toString("hex"))).toEqual(infoPieces.map((p) => Buffer.from(p.payload).toString("hex")));

    // and the other way: tt1 splits its own large updates (splitOver 450); upstream reassembles them
    const big = { "tt.v3k": "x".repeat(3000), "tt.v64k": "y".repeat(65_536) };
    for (const [k, v] of Object.entries(big)) node.node.set(Path.of(...k.split(".")), v);
    const c = await connectTcp(`127.0.0.1:${s1.port}`);
    try {
      for (const [k, v] of Object.entries(big)) {
        const until = Date.now() + 15_000;
        let got: unknown;
        while ((got = (await c.request("get_value", { path: Path.of(...k.split(".")) })).value) !== v && Date.now() < until) await new Promise((res) => setTimeout(res, 200));
        expect(typeof got === "string" ? `${got.length} bytes` : got, k).toBe(`${v.length} bytes`);
      }
    } finally {
      c.close();
    }
    expect(rec.messages.some((m) => m.action === "update" && ((decodeValue(m.payload) as { _p0?: unknown[] })._p0?.[0] === "tt1"))).toBe(true);
  }, 60_000);

  it("takes a fresh upstream server's info with tick null", async () => {
    // tt1 still holds the ticks of up1 (killed after the first test); a fresh server that copies
    // from up3, which lacks them, hears of them from tt1 and asks for them: info, tick null
    // every member on the short actor cycle: up4 asks when the actor makes it "it"
    node ??= await startNode(broker.url, "tt1", { force: true, actor: { ...TEST_PING } });
    const ping = { ping: { ...TEST_PING } };
    const s3 = await up.start({ name: "up3", mqtt: broker.url, init: true, server: ping });
    const heard: Record<string, unknown>[] = [];
    node.node.on("gossip", (action, m) => {
      if (action === "info" && m.node === "up4") heard.push(m);
    });
    const s4 = await up.start({ name: "up4", mqtt: broker.url, hostmap: { up3: s3.port }, noWait: true, server: ping });
    // applied, not dropped: the node emits a message after it applied it
    await waitFor(() => heard.some((m) => m.tick === null), 30_000, () => `up4's infos: ${JSON.stringify(rec.decoded("info").filter((m) => m.node === "up4"))}; its log:\n${s4.log()}`);
    expect(node.logs.filter((l) => /dropped/.test(l))).toEqual([]);
  }, 90_000);
});
