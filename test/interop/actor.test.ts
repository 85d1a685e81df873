// Upstream's actor protocol with real processes on a real Mosquitto: ticktock nodes ping on
// <root>/ping like upstream servers, so an upstream server started without -I next to
// ticktock-only nodes becomes ready and copies their data, and a ticktock node without --join
// copies from an upstream server the actor names. Every member uses a 3 s cycle and a 1 s gap
// (mixed.ts's TEST_PING).
// The `ticktock node` process runs dist/ (npm test builds it first; after changing src/, run
// `npm run build:ts`).
import { expect, it } from "vitest";
import mqtt from "mqtt";
import { describeUpstream } from "../support/upstream.js";
import { Path } from "../../src/wire/path.js";
import { decodeValue, encodeValue } from "../../src/wire/codec.js";
import { parseActorMessage } from "../../src/node/actor/messages.js";
import { allHold, mixedFixture, request, treeOf, upMember, valueOf, diffData } from "../support/mixed.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Every message on moat/kv/ping, as sent. */
async function recordPings(url: string) {
  const c = await mqtt.connectAsync(url);
  const seen: { bytes: Uint8Array; msg: Record<string, unknown> }[] = [];
  c.on("message", (_topic, payload) => {
    const bytes = new Uint8Array(payload);
    seen.push({ bytes, msg: decodeValue(bytes) as Record<string, unknown> });
  });
  await c.subscribeAsync("moat/kv/ping");
  return { seen, close: () => c.endAsync() };
}

describeUpstream("upstream's ping actor with ticktock nodes", () => {
  const f = mixedFixture();

  it("lets an upstream server started without -I join a ticktock-only cluster: ready, with all data, nothing missing", async () => {
    const rec = await recordPings(f.broker.url);
    try {
      const tt1 = await f.ticktock("tt1");
      const tt2 = await f.ticktock("tt2");
      const want: Record<string, unknown> = {};
      for (const [m, n] of [[tt1, 1], [tt2, 2], [tt1, 3], [tt2, 4]] as const) {
        const v = valueOf(m.name, 30 * n);
        await request(m, "set_value", { path: Path.of("a", m.name, n), value: v });
        want[`a.${m.name}.${n}`] = v;
      }
      want["a.big"] = valueOf("big", 5000);
      await request(tt1, "set_value", { path: Path.of("a", "big"), value: want["a.big"] });
      await request(tt2, "delete_value", { path: Path.of("a", "tt1", 1) });
      delete want["a.tt1.1"];
      await allHold([tt1, tt2], want, Path.of("a"));

      // no -I, no state file: only the ticktock nodes' pings can make it ready
      const t0 = Date.now();
      const up = await f.upstream({ name: "up1", hostmap: { tt1: tt1.port, tt2: tt2.port }, readyMs: 40_000 });
      const readyAfter = Date.now() - t0;
      // it copied the data from a ticktock node's client port before it opened its own (gossip
      // carries no old entries unasked, and upstream's fetch_data is its only other source)
      expect(diffData(want, await treeOf(up.port, Path.of("a")))).toBe("");
      const members = [upMember(up), tt1, tt2];
      await allHold(members, want, Path.of("a"));
      // it serves: its writes reach the ticktock nodes
      const v = valueOf("up1", 40);
      await request(upMember(up), "set_value", { path: Path.of("a", "up1"), value: v });
      want["a.up1"] = v;
      await allHold(members, want, Path.of("a"));
      console.log(`upstream server ready ${readyAfter} ms after its start, next to ticktock nodes only`);

      // (Whether up1 also gets into the history of pingers is chance: upstream's rule lets a node
      // off a history of two try first with odds 1 / 3 / n_hosts per cycle, which takes minutes.)
    } finally {
      await rec.close();
    }

    // The ticktock nodes' messages are upstream's, byte for byte: each re-encodes to itself;
    // init and vers equal upstream's with the name swapped; pings have upstream's fields in
    // upstream's order.
    const from = (node: string) => rec.seen.filter((s) => (s.msg.node ?? (s.msg.history as string[] | undefined)?.[0]) === node);
    for (const s of rec.seen) expect(hex(encodeValue(parseActorMessage(s.msg)))).toBe(hex(s.bytes));
    const upInit = from("up1").find((s) => s.msg.t === "init")!;
    const upVers = from("up1").find((s) => s.msg.t === "vers")!;
    const upPing = from("up1").find((s) => s.msg.t === "ping")!;
    expect(upInit && upVers && upPing).toBeTruthy();
    for (const tt of ["tt1", "tt2"]) {
      const mine = from(tt);
      expect(hex(mine.find((s) => s.msg.t === "init")!.bytes)).toBe(hex(encodeValue({ ...upInit.msg, node: tt })));
      expect(hex(mine.find((s) => s.msg.t === "vers")!.bytes)).toBe(hex(encodeValue({ ...upVers.msg, node: tt })));
      const pings = mine.filter((s) => s.msg.t === "ping");
      expect(pings.length).toBeGreaterThan(0);
      for (const p of pings) {
        expect(Object.keys(p.msg)).toEqual(Object.keys(upPing.msg));
        const value = p.msg.value as unknown[];
        expect(Array.isArray(value) && value.length === 2 && value.every((x) => typeof x === "number")).toBe(true);
        expect((p.msg.history as string[])[0]).toBe(tt);
      }
    }
  }, 180_000);

  it("lets a ticktock node without --join copy from an upstream server the actor names", async () => {
    const up1 = await f.upstream({ name: "up1", init: true });
    const up2 = await f.upstream({ name: "up2", hostmap: { up1: up1.port }, readyMs: 40_000 });
    const want: Record<string, unknown> = {};
    for (const [s, n] of [[up1, 1], [up2, 2], [up1, 3]] as const) {
      const v = valueOf(s.name, 25 * n);
      await request(upMember(s), "set_value", { path: Path.of("b", s.name, n), value: v });
      want[`b.${s.name}.${n}`] = v;
    }
    await request(upMember(up2), "delete_value", { path: Path.of("b", "up1", 1) });
    delete want["b.up1.1"];
    const tt = await f.ticktockProcess("ttn", [
      "--hostmap", `up1=127.0.0.1:${up1.port}`, "--hostmap", `up2=127.0.0.1:${up2.port}`,
    ]);
    expect(tt.p.stderr()).toMatch(/copied \d+ entries and the tick state from up[12] at 127\.0\.0\.1:\d+, a ready server named by the actor/);
    const members = [upMember(up1), upMember(up2), tt];
    await allHold(members, want, Path.of("b"));
    const v = valueOf("ttn", 60);
    await request(tt, "set_value", { path: Path.of("b", "ttn"), value: v });
    want["b.ttn"] = v;
    await allHold(members, want, Path.of("b"));
  }, 180_000);
});
