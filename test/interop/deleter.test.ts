// Upstream's Deleter with real upstream servers on a real Mosquitto: the deleter list (internal
// entry actor/del) is read and written by upstream's CLI on a ticktock node and by ticktock's
// CLI on an upstream server, and spreads by gossip; a mixed cluster with an upstream and a
// ticktock deleter keeps deleting and purges its tombstones. Every member's `del` actor uses a
// 3 s cycle and a 1 s gap (upstream's default: 100 s and 10 s); upstream queues deletions every
// 10 s, which no config changes.
// The `ticktock` CLI runs dist/ (after changing src/, run `npm run build:ts`).
import { expect, it } from "vitest";
import mqtt from "mqtt";
import { decodeValue, encodeValue } from "../../src/wire/codec.js";
import { parseActorMessage } from "../../src/node/actor/messages.js";
import { describeUpstream, runKv } from "../support/upstream.js";
import { runToEnd } from "../support/cli.js";
import { Path } from "../../src/wire/path.js";
import { eventually, mixedFixture, stateOf, treeOf, upMember, type Member } from "../support/mixed.js";

const DEL_TEST = { cycle: 3, gap: 1 } as const;

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Every message on moat/kv/del, as sent. */
async function recordDel(url: string) {
  const c = await mqtt.connectAsync(url);
  const seen: Uint8Array[] = [];
  c.on("message", (_topic, payload) => seen.push(new Uint8Array(payload)));
  await c.subscribeAsync("moat/kv/del");
  return { seen, close: () => c.endAsync() };
}

describeUpstream("upstream's Delete actor with ticktock nodes", () => {
  const f = mixedFixture();

  async function pair() {
    const up1 = await f.upstream({ name: "up1", init: true, server: { delete: { ...DEL_TEST } } });
    const tt1 = await f.ticktock("tt1", { deleter: { config: { ...DEL_TEST } } });
    const ttKv = (a: string[]) => runKv(["-c", up1.config, "-p", String(tt1.port), ...a]);
    return { up1, tt1, ttKv };
  }

  it("keeps the deleter list where upstream does: upstream's CLI on ticktock, ticktock's CLI on upstream, spread by gossip", async () => {
    const { up1, tt1, ttKv } = await pair();
    const fresh = await ttKv(["internal", "deleter"]);
    const noTock = (t: string) => t.replace(/^tock: \d+\n/m, "");
    expect(noTock(fresh.stdout)).toBe(noTock((await up1.kv(["internal", "deleter"])).stdout)); // chain: null on both
    const added = await ttKv(["internal", "deleter", "tt1"]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/nodes:\n\s*- tt1/);
    await eventually(async () => ((await up1.kv(["internal", "deleter"])).stdout.includes("- tt1") ? "" : "up1 lacks tt1 in its deleter list"), 20_000, [upMember(up1), tt1]);
    expect((await up1.kv(["internal", "deleter", "up1"])).code).toBe(0);
    await eventually(async () => (JSON.stringify(tt1.t.node.deleter!.nodes.sort()) === '["tt1","up1"]' ? "" : `tt1 has ${tt1.t.node.deleter!.nodes}`), 20_000, [upMember(up1), tt1]);
    expect(tt1.t.node.deleter!.rules.enabled).toBe(true);
    // ticktock's console verbs against the upstream server
    const del = await runToEnd(["internal", "deleter", "delete", "up1", "--server", `127.0.0.1:${up1.port}`]);
    expect(del.code, del.stderr).toBe(0);
    await eventually(async () => (JSON.stringify(tt1.t.node.deleter!.nodes) === '["tt1"]' ? "" : `tt1 has ${tt1.t.node.deleter!.nodes}`), 20_000, [upMember(up1), tt1]);
    const shown = await runToEnd(["internal", "deleter", "--server", `127.0.0.1:${tt1.port}`]);
    expect(shown.stdout).toMatch(/nodes:\n\s*- tt1/);
    // the internal entry is not data
    expect(Object.keys(await treeOf(tt1.port)).filter((k) => /actor|del/.test(k))).toEqual([]);
  }, 120_000);

  it("purges tombstones in a mixed cluster with an upstream and a ticktock deleter, and keeps deleting", async () => {
    const rec = await recordDel(f.broker.url);
    const { up1, tt1, ttKv } = await pair();
    const members: Member[] = [upMember(up1), tt1];
    expect((await ttKv(["internal", "deleter", "tt1", "up1"])).code).toBe(0);
    await eventually(async () => (tt1.t.node.deleter!.rules.enabled && (await up1.kv(["internal", "deleter"])).stdout.includes("- tt1") ? "" : "deleter list not everywhere"), 20_000, members);
    const tombstones = () => [...tt1.t.node.store.values()].filter((e) => e.deleted).length;
    const want: Record<string, unknown> = {};
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++) {
        const kv = i % 2 ? up1.kv : ttKv;
        expect((await kv(["data", `churn.k${i}`, "set", "-v", ":", `r${round}`])).code).toBe(0);
        expect((await kv(["data", `churn.k${i}`, "delete"])).code).toBe(0);
      }
      expect((await ttKv(["data", `keep.r${round}`, "set", "-v", ":", "yes"])).code).toBe(0);
      want[`keep.r${round}`] = "yes";
    }
    expect(tombstones()).toBeGreaterThan(0);
    const t0 = Date.now();
    await eventually(async () => {
      const wrong: string[] = [];
      if (tombstones() > 0) wrong.push(`tt1 holds ${tombstones()} tombstones`);
      for (const m of members) {
        const s = await stateOf(m.port, { deleted: true, missing: true });
        if (JSON.stringify(s.deleted ?? {}) !== "{}") wrong.push(`${m.name} deleted ${JSON.stringify(s.deleted)}`);
        if (JSON.stringify(s.missing ?? {}) !== "{}") wrong.push(`${m.name} misses ${JSON.stringify(s.missing)}`);
        const d = await treeOf(m.port, Path.of("keep"));
        if (JSON.stringify(d) !== JSON.stringify(want)) wrong.push(`${m.name} holds ${JSON.stringify(d)} under keep`);
        const churn = await treeOf(m.port, Path.of("churn")).catch(() => ({}));
        if (Object.keys(churn).length) wrong.push(`${m.name} holds ${JSON.stringify(churn)} under churn`);
      }
      return wrong.join("; ");
    }, 150_000, members);
    console.log(`deleter interop: tombstones purged on both sides ${Date.now() - t0} ms after the churn`);
    // and deleting goes on: a later deletion is purged too
    expect((await up1.kv(["data", "late", "set", "-v", ":", "x"])).code).toBe(0);
    expect((await up1.kv(["data", "late", "delete"])).code).toBe(0);
    await eventually(async () => (tt1.t.node.store.get(Path.of("late")) === undefined ? "" : "tt1 still holds the tombstone of late"), 150_000, members);
    // both deleters pinged on del, with values; every message parses and re-encodes to its bytes,
    // and ticktock's have the same fields in the same order as upstream's
    await rec.close();
    const msgs = rec.seen.map((b) => ({ b, m: parseActorMessage(decodeValue(b)) }));
    for (const { b, m } of msgs) expect(hex(encodeValue(m))).toBe(hex(b));
    const pings = (node: string) => msgs.filter(({ m }) => m.t === "ping" && m.node === node && m.value !== null);
    expect(pings("tt1").length).toBeGreaterThan(2);
    expect(pings("up1").length).toBeGreaterThan(2);
    expect(Object.keys(pings("tt1")[0]!.m)).toEqual(Object.keys(pings("up1")[0]!.m));
    const vers = (node: string) => msgs.find(({ m }) => m.t === "vers" && m.node === node)!.m;
    expect({ ...vers("tt1"), node: "" }).toEqual({ ...vers("up1"), node: "" });
  }, 400_000);
});
