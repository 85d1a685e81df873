// State files across implementations, on a real Mosquitto with real upstream MoaT-KV servers: a
// server of either kind killed with SIGKILL during writes comes back from its state file and
// recovers what it lost from the others, and a state file written by one kind loads into the other.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { describeUpstream, type UpstreamServer } from "../support/upstream.js";
import { Path } from "../../src/wire/path.js";
import { RangeSet, init } from "../../src/core/range-set.js";
import type { RangeMap } from "../../src/wire/messages.js";
import { parseStateFile } from "../../src/node/state-file.js";
import { allHold, eventually, mixedFixture, sleep, stateOf, treeOf, upMember, valueOf, request, type Member } from "../support/mixed.js";

const tmp = () => mkdtempSync(join(tmpdir(), "ticktock-state-files-"));

/** set_value through a member's client port; the value is remembered in `want`. */
async function write(m: Member, want: Record<string, unknown>, key: string, size = 40): Promise<void> {
  const v = valueOf(`${m.name}.${key}`, size);
  await request(m, "set_value", { path: Path.of("s", ...key.split(".")), value: v });
  want[`s.${key}`] = v;
}

/**
 * Start an upstream server's state file (`log dest`: its state, then every change). Upstream's
 * `server -s FILE` crashes at start-up in 0.70.22 (IndexError in run_saver), so this is the way.
 */
async function logTo(s: UpstreamServer, file: string): Promise<void> {
  const r = await s.kv(["log", "dest", file]);
  expect(r.code, r.stderr + s.log()).toBe(0);
}

describeUpstream("state files in a mixed cluster", () => {
  beforeAll(() => init());
  const f = mixedFixture();

  it("an upstream server killed during writes comes back from its state file and recovers the rest from the ticktock nodes", async () => {
    const dir = tmp();
    const file1 = join(dir, "up1.state");
    const { up1, up2, tt1, tt2 } = await f.fourServers();
    await logTo(up1, file1);
    const want: Record<string, unknown> = {};
    // writes through up1 and the ticktock nodes. Upstream's log reaches the disk only after a
    // second without changes (or 100 of them), and then through a buffered Python file in
    // blocks of 8 KB: write more than that, then pause, so that up1's file holds these changes.
    for (let i = 0; i < 40; i++) {
      await write(upMember(up1), want, `up1.w${i}`, 300);
      if (i % 4 === 0) await write(tt1, want, `tt1.w${i}`);
    }
    await sleep(2000);
    // up1 dies in the middle of the next burst: its last changes are in no file of its own
    const burst = (async () => {
      for (let i = 10; i < 20; i++) await write(tt2, want, `tt2.w${i}`);
    })();
    for (let i = 40; i < 45; i++) await write(upMember(up1), want, `up1.w${i}`);
    // up1 answers a write before its gossip leaves: a kill in between loses the change on every
    // server, beyond any recovery. So it dies once its last change went out (not yet to disk).
    await eventually(async () => {
      const lacking = [];
      for (const m of [tt1, tt2]) if (!("s.up1.w44" in (await treeOf(m.port, Path.of("s"))))) lacking.push(m.name);
      return lacking.length ? `${lacking.join(", ")} lack s.up1.w44` : "";
    }, 10_000, [upMember(up1), tt1, tt2]);
    await up1.kill();
    await burst;
    const { records } = parseStateFile(readFileSync(file1), file1);
    expect(records.length, "up1's state file is empty").toBeGreaterThan(1);
    // up2 goes too: only the ticktock nodes hold what up1 lacks
    await up2.stop();
    for (let i = 0; i < 5; i++) await write(tt1, want, `tt1.down${i}`);
    const again = await f.upstream({ name: "up1", load: file1, hostmap: { tt1: tt1.port, tt2: tt2.port }, readyMs: 40_000 });
    await logTo(again, join(dir, "up1.again"));
    await allHold([upMember(again), tt1, tt2], want, Path.of("s"));
    // and it serves: a write through it reaches the ticktock nodes
    await write(upMember(again), want, "up1.after");
    await allHold([upMember(again), tt1, tt2], want, Path.of("s"));
  }, 240_000);

  it("a ticktock node process killed during writes comes back with --load/--save and recovers the rest from the upstream servers", async () => {
    const dir = tmp();
    const file = join(dir, "ttp.state");
    const up1 = await f.upstream({ name: "up1", init: true });
    const up2 = await f.upstream({ name: "up2", hostmap: { up1: up1.port }, readyMs: 40_000 });
    let ttp = await f.ticktockProcess("ttp", ["--save", file]);
    const want: Record<string, unknown> = {};
    for (let i = 0; i < 10; i++) {
      await write(ttp, want, `ttp.w${i}`);
      await write(upMember(up1), want, `up1.w${i}`);
    }
    const burst = (async () => {
      for (let i = 10; i < 20; i++) await write(upMember(up2), want, `up2.w${i}`, 1000); // gossiped in pieces
    })();
    await write(ttp, want, "ttp.last");
    ttp.p.proc.kill("SIGKILL");
    await ttp.p.exited;
    await burst;
    for (let i = 0; i < 5; i++) await write(upMember(up1), want, `up1.down${i}`);
    ttp = await f.ticktockProcess("ttp", ["--load", file, "--save", file]);
    const members = [upMember(up1), upMember(up2), ttp];
    await allHold(members, want, Path.of("s"));
    await write(ttp, want, "ttp.after");
    await allHold(members, want, Path.of("s"));
  }, 240_000);

  /**
   * What a server holds: its data and tick state (nodes, deleted, missing, and superseded ticks
   * as `settled` = known + deleted). Upstream keeps no deleted entries in its state files and
   * counts a deleted tick it learns from a file (or from gossip) as superseded too, so a server
   * restarted from a file reports the deleted ticks under `known` as well, whoever wrote it.
   */
  async function holding(m: Member): Promise<{ state: Record<string, unknown>; data: Record<string, unknown> }> {
    const st = await stateOf(m.port, { nodes: true, known: true, deleted: true, missing: true });
    const known = (st.known ?? {}) as RangeMap;
    const deleted = (st.deleted ?? {}) as RangeMap;
    const settled: RangeMap = {};
    for (const n of new Set([...Object.keys(known), ...Object.keys(deleted)])) {
      using k = RangeSet.fromState(known[n] ?? []);
      using d = RangeSet.fromState(deleted[n] ?? []);
      settled[n] = k.union(d).toState();
    }
    return { state: { nodes: st.nodes, settled, deleted, missing: st.missing }, data: await treeOf(m.port, Path.of("s")) };
  }

  /** Writes, a superseded tick and a deleted one, through a member's client port. */
  async function history(m: Member): Promise<Record<string, unknown>> {
    const want: Record<string, unknown> = {};
    for (let i = 0; i < 6; i++) await write(m, want, `a${i}`, 10 * (i + 1));
    await write(m, want, "big", 65536); // a value that upstream's gossip would split
    await write(m, want, "a1", 5);
    await request(m, "delete_value", { path: Path.of("s", "a2") });
    delete want["s.a2"];
    return want;
  }

  it("a state file saved by a ticktock node loads into an upstream server, and the other way round", async () => {
    const dir = tmp();
    const file = join(dir, "tt1.state");
    const tt1 = await f.ticktock("tt1");
    const want = await history(tt1);
    await request(tt1, "save", { path: file });
    const saved = await holding(tt1);
    expect(saved.data).toEqual(want);
    await tt1.server.close();
    await tt1.t.node.stop();
    // an upstream server of the same name restarts from it, alone on the broker
    const s = await f.upstream({ name: "tt1", load: file });
    expect(await holding(upMember(s)), s.log()).toEqual(saved);
    // what upstream saves of it loads into a ticktock node again
    const file2 = join(dir, "tt1.upstream");
    const r = await s.kv(["log", "save", file2]);
    expect(r.code, r.stderr + s.log()).toBe(0);
    await s.stop();
    const back = await f.ticktock("tt1", { load: file2 });
    expect(await holding(back)).toEqual(saved);
  }, 120_000);

  it("a state file saved by an upstream server loads into a ticktock node, and the other way round", async () => {
    const dir = tmp();
    const file = join(dir, "up1.state");
    const up1 = await f.upstream({ name: "up1", init: true });
    await logTo(up1, file);
    const want = await history(upMember(up1));
    await sleep(1500); // upstream flushes its log after a second without changes
    const saved = await holding(upMember(up1));
    expect(saved.data).toEqual(want);
    await up1.stop();
    const tt = await f.ticktock("up1", { load: file });
    expect(await holding(tt), tt.log()).toEqual(saved);
    // what ticktock saves of it loads into an upstream server again
    const file2 = join(dir, "up1.ticktock");
    await request(tt, "save", { path: file2 });
    await tt.server.close();
    await tt.t.node.stop();
    const again = await f.upstream({ name: "up1", load: file2 });
    expect(await holding(upMember(again)), again.log()).toEqual(saved);
  }, 120_000);
});
