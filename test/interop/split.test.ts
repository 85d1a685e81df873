// A network split on real brokers: two Mosquitto brokers joined by a bridge (B has a
// `connection` to A carrying moat/kv/# both ways, through a TCP proxy the test cuts: see
// test/support/bridged-brokers.ts), an upstream MoaT-KV server and two ticktock nodes on each
// side. The bridge is cut for 30 s while both sides write through every member's client port,
// partly to the same paths; then it is healed, and the test checks that
//  - every member ends with the same tree: every write of both sides, each path written on
//    both sides holding the version upstream's rule picks (the higher tock), nothing missing,
//    and the same last tick of every node;
//  - the actor's histories meet and split recovery runs on every member of both sides: in
//    ticktock nodes (their `split recovery` log line) and in upstream servers (their
//    `SplitRecover` debug log), all of a side seeing the same two histories meet.
// SPLIT_DEBUG=DIR writes every member's log and both brokers' pings to DIR.
import { afterEach, expect, it } from "vitest";
import { describeUpstream, upstreamFixture, type UpstreamServer } from "../support/upstream.js";
import { startBridgedBrokers, type BridgedBrokers } from "../support/bridged-brokers.js";
import { startNode } from "../support/cluster.js";
import { serveTcp } from "../../src/server/tcp-server.js";
import { Path } from "../../src/wire/path.js";
import { record } from "../support/gossip-recorder.js";
import { allHold, diffData, eventually, request, sleep, stateOf, TEST_PING, treeOf, upMember, type Member, type TtMember } from "../support/mixed.js";

const SPLIT_MS = 30_000;
/**
 * The actor's timings of every member: mixed.ts's quicker cycle, and force_in (an actor option of
 * upstream's, 0 by default) so that every member gets onto its side's ping history, and so takes
 * part in the split recovery, rather than the two or three that happen to be on it.
 */
const PING = { ...TEST_PING, force_in: 1 };
const ROOT = Path.of("split");

describeUpstream("a network split between two bridged Mosquitto brokers", () => {
  const up = upstreamFixture();
  let net: BridgedBrokers | undefined;
  const tts: TtMember[] = [];
  afterEach(async () => {
    changes.clear();
    for (const m of tts.splice(0)) {
      await m.server.close();
      await m.t.node.stop();
    }
    await net?.stop();
    net = undefined;
  });

  async function ticktock(name: string, url: string): Promise<TtMember> {
    const t = await startNode(url, name, { startupWait: 1500, actor: { ...PING } });
    const server = await serveTcp(t.node, { port: 0 });
    const m: TtMember = { name, port: server.port, t, server, log: () => t.logs.slice(-40).join("\n") };
    tts.push(m);
    return m;
  }

  function upstream(name: string, url: string, o: { init?: boolean; hostmap?: Record<string, number> } = {}): Promise<UpstreamServer> {
    return up.start({ name, mqtt: url, server: { ping: { ...PING } }, debugLoggers: [`moat.kv.server.${name}`, `asyncactor.${name}.ping`], readyMs: 40_000, ...o });
  }

  /** Changes made through each member (each spends one of its ticks). */
  const changes = new Map<string, number>();

  /** One write through a member's client port, noted in `want`. */
  async function write(m: Member, want: Record<string, unknown>, path: string, value: string): Promise<void> {
    await request(m, "set_value", { path: ROOT.concat(...path.split(".")), value });
    changes.set(m.name, (changes.get(m.name) ?? 0) + 1);
    want[`split.${path}`] = value;
  }

  /** The value and tock a member holds at a path. */
  async function held(m: Member, path: string): Promise<{ value: unknown; tock: number }> {
    const r = await request(m, "get_value", { path: ROOT.concat(...path.split(".")), nchain: 3 });
    return { value: r.value, tock: r.tock as number };
  }

  it("heals a 30 s split: recovery runs on both sides, every write of both sides is kept, conflicts resolve as upstream's", async () => {
    net = await startBridgedBrokers();
    const n = net;
    const recA = process.env.SPLIT_DEBUG ? await record(n.a.url) : undefined;
    const recB = process.env.SPLIT_DEBUG ? await record(n.b.url) : undefined;
    const ups: UpstreamServer[] = [];
    try {
      await splitAndHeal(n, ups);
    } finally {
      if (process.env.SPLIT_DEBUG) {
        const { writeFileSync, mkdirSync } = await import("node:fs");
        const d = process.env.SPLIT_DEBUG;
        mkdirSync(d, { recursive: true });
        for (const m of tts) writeFileSync(`${d}/${m.name}.log`, m.t.logs.join("\n"));
        for (const s of ups) writeFileSync(`${d}/${s.name}.log`, s.log(100000));
        writeFileSync(`${d}/broker-b.log`, n.b.log());
        writeFileSync(`${d}/pings-a.log`, recA!.decoded("ping").map((x) => JSON.stringify(x)).join("\n"));
        writeFileSync(`${d}/pings-b.log`, recB!.decoded("ping").map((x) => JSON.stringify(x)).join("\n"));
        await recA!.stop();
        await recB!.stop();
      }
    }
  }, 170_000);

  async function splitAndHeal(n: BridgedBrokers, ups: UpstreamServer[]) {
    // side A: the upstream server that initialises the cluster, two ticktock nodes
    const upA = await upstream("up-a", n.a.url, { init: true });
    const ttA1 = await ticktock("tt-a1", n.a.url);
    const ttA2 = await ticktock("tt-a2", n.a.url);
    // side B, across the bridge: two ticktock nodes and an upstream server that joins
    const ttB1 = await ticktock("tt-b1", n.b.url);
    const ttB2 = await ticktock("tt-b2", n.b.url);
    const upB = await upstream("up-b", n.b.url, { hostmap: { "up-a": upA.port, "tt-a1": ttA1.port, "tt-a2": ttA2.port, "tt-b1": ttB1.port, "tt-b2": ttB2.port } });
    ups.push(upA, upB);
    const sideA: Member[] = [upMember(upA), ttA1, ttA2];
    const sideB: Member[] = [upMember(upB), ttB1, ttB2];
    const members = [...sideA, ...sideB];

    // before the split: every member writes, and all converge over the bridge
    const want: Record<string, unknown> = {};
    for (const m of members) await write(m, want, `pre.${m.name}`, `pre from ${m.name}`);
    for (const p of ["both.1", "both.2", "both.3", "both.4", "del.1"]) await write(upMember(upA), want, p, `pre ${p}`);
    await allHold(members, want, ROOT);

    // the split: both sides write. Each side's expected tree starts from the common one.
    await n.split();
    const splitAt = Date.now();
    const own = { A: { ...want }, B: { ...want } };
    const sideOf = (m: Member): "A" | "B" => (sideA.includes(m) ? "A" : "B");
    const set = (m: Member, path: string, value = `${path} from ${m.name}`) => write(m, own[sideOf(m)], path, value);
    const del = async (m: Member, path: string) => {
      await request(m, "delete_value", { path: ROOT.concat(...path.split(".")) });
      changes.set(m.name, (changes.get(m.name) ?? 0) + 1);
      delete own[sideOf(m)][`split.${path}`];
    };
    // paths written on both sides: once early in the split, once late on the other side, so that
    // their tocks differ (the late one's is higher); a version of either may be a deletion
    const plan: { path: string; early: () => Promise<void>; late: () => Promise<void> }[] = [
      { path: "both.1", early: () => set(ttA1, "both.1"), late: () => set(ttB2, "both.1") }, // ticktock against ticktock
      { path: "both.2", early: () => set(ttB1, "both.2"), late: () => set(sideA[0]!, "both.2") }, // ticktock against upstream
      { path: "both.3", early: () => set(ttA2, "both.3"), late: () => set(sideB[0]!, "both.3") }, // upstream against ticktock
      { path: "new.1", early: () => set(sideB[0]!, "new.1"), late: () => set(sideA[0]!, "new.1") }, // upstream against upstream, new on both sides
      { path: "del.1", early: () => del(sideA[0]!, "del.1"), late: () => set(ttB2, "del.1") }, // a change against an older deletion
      // (not a deletion against an older change: an upstream server holding the deletion lets
      // the older change replace it if that arrives last, see docs/upstream-differences.md)
    ];
    for (const c of plan) await c.early();
    for (let i = 0; i < 5; i++) {
      for (const m of members) await set(m, `${sideOf(m).toLowerCase()}.${m.name}.${i}`, `split write ${i} of ${m.name}`);
      await sleep(3000);
    }
    await del(sideB[0]!, "pre.tt-a1"); // deletions on one side only
    await del(ttA2, "pre.up-b");
    for (const c of plan) await c.late();
    await set(ttA1, "both.4"); // a change on one side only: it succeeds the common version
    // the sides really are apart: each holds its own writes and none of the other's
    await allHold(sideA, own.A, ROOT, 20_000);
    await allHold(sideB, own.B, ROOT, 20_000);
    // the whole tree after healing: every write of both sides; for a path written on both, the
    // version upstream's rule picks for concurrent changes: the higher tock
    const all: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(own.A), ...Object.keys(own.B)])) {
      if (!(k in want)) all[k] = own.A[k] ?? own.B[k]; // new on one side
      else if (k in own.A && k in own.B) all[k] = own.A[k] !== want[k] ? own.A[k] : own.B[k]; // changed on one side, or not at all
    } // (a path of the common tree that one side deleted is gone)
    for (const { path } of plan) {
      const [x, y] = await Promise.all([held(ttA1, path), held(ttB1, path)]);
      expect(x.tock, `${path}: both sides' versions have tock ${x.tock}`).not.toBe(y.tock);
      const win = x.tock > y.tock ? x : y;
      if (win.value === undefined) delete all[`split.${path}`];
      else all[`split.${path}`] = win.value;
    }
    await sleep(Math.max(0, SPLIT_MS - (Date.now() - splitAt)));

    // heal
    const logMark = new Map(tts.map((m) => [m.name, m.t.logs.length]));
    const logLines = (s: UpstreamServer) => s.log(1_000_000).split("\n");
    const upMark = new Map([upA, upB].map((s) => [s.name, logLines(s).length - 1]));
    await n.heal();
    await allHold(members, all, ROOT, 60_000);

    // split recovery ran on every member: ticktock nodes and upstream servers had the actor's
    // recover event, with their side's nodes as the local ones and the other side's as remote
    const recoveries = () => {
      const out = new Map<string, { prio: number; local: string; remote: string }[]>();
      const add = (name: string, prio: string, local: string, remote: string) => out.set(name, [...(out.get(name) ?? []), { prio: Number(prio), local, remote }]);
      for (const m of tts) {
        for (const line of m.t.logs.slice(logMark.get(m.name))) {
          const r = /split recovery: our side (\S+) met (\S+); our place (\d+)/.exec(line);
          if (r) add(m.name, r[3]!, r[1]!, r[2]!);
        }
      }
      for (const s of [upA, upB]) {
        for (const line of logLines(s).slice(upMark.get(s.name))) {
          const r = /SplitRecover \d+: start (\d+) \S+ local=(.*) remote=(.*)$/.exec(line);
          if (r) add(s.name, r[1]!, r[2]!, r[3]!);
        }
      }
      return out;
    };
    const names = (ms: Member[]) => ms.map((m) => m.name);
    const sorted = (text: string) => JSON.stringify((text.match(/[\w-]+/g) ?? []).sort());
    await eventually(async () => {
      const rec = recoveries();
      const report = [...rec].map(([k, v]) => `${k}: ${v.map((r) => `${r.local} met ${r.remote}`).join(" | ")}`).join("; ") || "none at all";
      for (const [side, other] of [[sideA, sideB], [sideB, sideA]] as const) {
        const absent = side.filter((m) => !rec.has(m.name));
        if (absent.length) return `${names(absent)} ran no split recovery (${report})`;
        for (const m of side) {
          // the first: its side's history (every member, by force_in) met the other side's
          const r = rec.get(m.name)![0]!;
          if (sorted(r.local) !== JSON.stringify(names(side).sort()) || sorted(r.remote) !== JSON.stringify(names(other).sort())) {
            return `${m.name}'s recovery does not set its side against the other: ${r.local} met ${r.remote}`;
          }
          // its place (the delay of its steps): its place in its side's history
          const place = (r.local.match(/[\w-]+/g) ?? ([] as string[])).indexOf(m.name);
          if (r.prio !== place) return `${m.name} recovers in place ${r.prio}, but is at ${place} in ${r.local}`;
        }
        // every member of a side, of either kind, saw the same histories meet, in the same order
        const firsts = new Set(side.map((m) => JSON.stringify(rec.get(m.name)!.map((r) => [r.local.match(/[\w-]+/g), r.remote.match(/[\w-]+/g)])[0])));
        if (firsts.size !== 1) return `the members of ${names(side)} disagree on the histories: ${report}`;
      }
      return "";
    }, 30_000, members);

    // every node's ticks survive: all members agree on each node's last tick
    await eventually(async () => {
      const seen = await Promise.all(members.map(async (m) => JSON.stringify(Object.entries((await stateOf(m.port, { nodes: true })).nodes as Record<string, number>).sort())));
      const wrong = members.map((m, i) => [m.name, seen[i]]).filter(([, x]) => x !== seen[0]).map(([name, x]) => `${name}: ${x}`);
      return wrong.length ? `nodes differ from ${members[0]!.name}'s ${seen[0]}: ${wrong.join("; ")}` : "";
    }, 20_000, members);
    const nodes = (await stateOf(upA.port, { nodes: true })).nodes as Record<string, number>;
    // (an upstream server spends ticks of its own beyond the changes asked of it: -I, its start)
    for (const m of members) expect(nodes[m.name], `${m.name}'s tick`).toBeGreaterThanOrEqual(changes.get(m.name)!);
    for (const m of tts) expect(nodes[m.name], `${m.name}'s tick`).toBe(changes.get(m.name));
    expect(diffData(all, await treeOf(ttB2.port, ROOT))).toBe("");
  }
});
