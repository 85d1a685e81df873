// The doctor's diagnosis from get_state replies as real servers send them: upstream 0.70.22's
// from the recordings (superseded under `known`, no `present` unless asked), ticktock's, with
// several samples per server (a --watch) and with what the gossip said.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { init } from "../../../src/core/range-set.js";
import { MessageError } from "../../../src/core/errors.js";
import { diagnose, type ServerSample } from "../../../src/console/doctor/diagnose.js";
import { doctorExitCode, reportText } from "../../../src/console/doctor/report.js";
import { tickArgs, tickWords } from "../../../src/console/doctor/tick-words.js";

beforeAll(() => init());

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);

// captures/tcp_cli_test1.msgs.txt and kvwire_missing_test1.txt: after ghost skipped its tick 2
const upstreamTest1 = { nodes: { test1: 3, test2: 1, ghost: 3 }, known: {}, deleted: {}, missing: { ghost: [2] }, remote_missing: { ghost: [2] }, node: "test1", tock: 76, seq: 2 };
const upstreamTest2 = { nodes: { test1: 3, test2: 1, ghost: 3 }, known: {}, deleted: {}, missing: { ghost: [2] }, remote_missing: {}, node: "test2", tock: 64, seq: 2 };
// the same server after `internal mark -b ghost`
const upstreamMarked = { nodes: { test1: 3, test2: 1, ghost: 3 }, known: { ghost: [2] }, deleted: {}, missing: {}, remote_missing: {}, node: "test1", tock: 92, seq: 2 };

const sample = (server: string, state: Record<string, unknown>, at = T0, address?: string): ServerSample => ({ server, address, at, state });

describe("diagnose", () => {
  it("names the recordings' ghost tick 2 as lost everywhere, with the mark to run", () => {
    const [d, ...more] = diagnose([sample("test1", upstreamTest1, T0, "127.0.0.1:27596"), sample("test2", upstreamTest2, T0, "127.0.0.1:27597")]);
    expect(more).toEqual([]);
    expect(d).toMatchObject({
      node: "ghost", missing: [2], count: 1, lost: [2], recoverable: [], lostEverywhere: true, holders: [],
      missingOn: [{ server: "test1", ticks: [2], since: T0, trend: "once" }, { server: "test2", ticks: [2], since: T0, trend: "once" }],
      requests: { askedOf: [], moving: undefined },
      publisher: { state: "unknown" },
      actions: [{ kind: "mark", ticks: [2], deleted: false, command: "ticktock internal mark ghost 2 --broadcast --server 127.0.0.1:27596" }],
    });
    expect(d!.words[0]).toBe("ghost's tick 2 is missing on every server asked: test1 and test2 (seen at 10:00:00 UTC).");
    expect(d!.words).toContain("No server asked holds it: lost everywhere; recovery cannot bring it back.");
    expect(d!.words.at(-1)).toBe("Run: ticktock internal mark ghost 2 --broadcast --server 127.0.0.1:27596");
  });

  it("finds nothing once the ticks are marked (upstream's state after the mark)", () => {
    expect(diagnose([sample("test1", upstreamMarked), sample("test2", { ...upstreamMarked, node: "test2" })])).toEqual([]);
  });

  it("says the publisher is gone when the gossip was listened to and it was not heard", () => {
    const gossip = { from: T0, to: T0 + 12_000, heard: { test1: { at: T0 + 5000, how: "ping" } } };
    const [d] = diagnose([sample("test1", upstreamTest1)], { gossip });
    expect(d!.publisher).toEqual({ state: "gone", why: "ghost looks gone: not heard in the gossip (pings, info, updates) during 12 s of listening" });
  });

  it("says to ask a publisher that is alive but was not asked, before marking", () => {
    const gossip = { from: T0, to: T0 + 12_000, heard: { ghost: { at: T0 + 11_000, how: "info" } } };
    const [d] = diagnose([sample("test1", upstreamTest1, T0, "127.0.0.1:27596")], { gossip });
    expect(d!.publisher.state).toBe("alive");
    expect(d!.actions).toEqual([expect.objectContaining({ kind: "ask", command: "ticktock internal mark ghost 2 --broadcast --server 127.0.0.1:27596" })]);
    expect(d!.actions[0]!.text).toMatch(/^ask ghost first: it is alive but was not asked/);
  });

  it("says to wait when a server holds the ticks, and sees recovery moving between samples", () => {
    // ticktock's get_state reply shape (present asked for); a holds a's ticks 1-5, b lacks some
    const a = (at: number) => sample("a", { node: "a", tock: 20, nodes: { a: 5 }, present: { a: [[1, 6]] }, known: {}, deleted: {}, missing: {}, remote_missing: { a: [[3, 6]] } }, at, "127.0.0.1:1");
    const b = (at: number, missing: unknown) => sample("b", { node: "b", tock: 19, nodes: { a: 5 }, present: { a: [1] }, known: {}, deleted: {}, missing: { a: missing }, remote_missing: {} }, at, "127.0.0.1:2");
    const ds = diagnose([a(T0), b(T0, [[2, 6]]), a(T0 + 1000), b(T0 + 1000, [[3, 6]])]);
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({
      node: "a", missing: [[3, 6]], recoverable: [[3, 6]], lost: [], lostEverywhere: false,
      missingOn: [{ server: "b", ticks: [[3, 6]], count: 3, since: T0, trend: "shrinking" }],
      holders: [{ server: "a", present: [[3, 6]], superseded: [], deleted: [] }],
      requests: { askedOf: ["a"], moving: true },
      publisher: { state: "alive", why: "a is alive: it answered the doctor at 127.0.0.1:1" },
    });
    expect(ds[0]!.actions).toEqual([{ kind: "wait", ticks: [[3, 6]], servers: ["a"], text: "wait: server a holds ticks 3-5 and is re-sending (the missing count shrank while watched)" }]);
    expect(ds[0]!.words[0]).toBe("a's ticks 3-5 are missing on b (since 10:00:00 UTC at least, 1 s).");
  });

  it("counts ticks known as superseded or deleted elsewhere as recoverable, and marks only the rest", () => {
    const s1 = sample("s1", { node: "s1", nodes: { p: 9 }, present: {}, known: { p: [4, 6] }, deleted: { p: [6] }, missing: { p: [2, [4, 6]] } }, T0, "h:1");
    const s2 = sample("s2", { node: "s2", nodes: { p: 9 }, present: { p: [5] }, known: {}, deleted: {}, missing: { p: [2, 4, 6] } }, T0, "h:2");
    const [d] = diagnose([s1, s2]);
    expect(d).toMatchObject({
      missing: [2, [4, 7]], recoverable: [[4, 7]], lost: [2], lostEverywhere: true,
      holders: [{ server: "s1", present: [], superseded: [4], deleted: [6] }, { server: "s2", present: [5], superseded: [], deleted: [] }],
    });
    expect(d!.actions.map((a) => [a.kind, a.ticks])).toEqual([["wait", [[4, 7]]], ["mark", [2]]]);
    expect(d!.words.slice(0, 3)).toEqual([
      "p's ticks 2 and 4-6 are missing (seen at 10:00:00 UTC):",
      "  on s1: ticks 2 and 4-5",
      "  on s2: ticks 2, 4 and 6",
    ]);
  });

  it("prefers --deleted when every known change of the node was a deletion", () => {
    const s = sample("s1", { node: "s1", nodes: { deleter: 4 }, present: {}, superseded: { deleter: [1, 3] }, deleted: { deleter: [1, 3] }, missing: { deleter: [2, 4] } }, T0, "h:1");
    const [d] = diagnose([s]);
    expect(d!.ifMarked.safer).toBe("deleted");
    expect(d!.actions[0]).toMatchObject({ kind: "mark", deleted: true, command: "ticktock internal mark deleter 2 4 --deleted --broadcast --server h:1" });
  });

  it("names the entries that could resurface or go stale: the node's newest changes older than the lost ticks", () => {
    const s = sample("s1", upstreamTest1, T0, "h:1");
    s.entries = { ghost: [{ path: "ghost.t1", tick: 1, server: "s1" }, { path: "ghost.t3", tick: 3, server: "s1" }] };
    const [d] = diagnose([s, { ...s, server: "s2", entries: { ghost: [{ path: "ghost.t1", tick: 1, server: "s2" }] } }]);
    expect(d!.ifMarked.couldResurface).toEqual([{ path: "ghost.t1", tick: 1, server: "s1" }]);
    expect(d!.words).toContain("If marked: ghost.t1 (tick 1) could keep an older value, or come back if deleted, should the lost change have replaced or deleted it; no mark restores a lost change.");
  });

  it("keeps big ticks exact and quotes node names the shell would split", () => {
    const big = 2n ** 60n;
    const s = sample("s1", { node: "s1", nodes: { "my node": big + 1n }, present: { "my node": [[1n, big]] }, known: {}, deleted: {}, missing: { "my node": [big, big + 1n] } }, T0, "h:1");
    const [d] = diagnose([s]);
    expect(d!.lost).toEqual([[big, big + 2n]]);
    expect(d!.actions[0]).toMatchObject({ command: `ticktock internal mark 'my node' ${big}-${big + 1n} --broadcast --server h:1` });
  });

  it("leaves out a long tick list when the server's own missing list is exactly it", () => {
    const missing = Array.from({ length: 60 }, (_, i) => 2 * i + 1);
    const [d] = diagnose([sample("s1", { node: "s1", nodes: { n: 200 }, missing: { n: missing } }, T0, "h:1")], { cli: "ticktock --user joe", serverFlags: "--tls" });
    expect(d!.actions[0]).toMatchObject({ command: "ticktock --user joe internal mark n --broadcast --server h:1 --tls" });
  });

  it("refuses a sample that is not one, and a RangeSet that is not one, naming the server and field", () => {
    expect(() => diagnose([{ server: "s1" } as unknown as ServerSample])).toThrow(MessageError);
    expect(() => diagnose([{ server: "s1" } as unknown as ServerSample])).toThrow(/^diagnose: sample 0 \{"server":"s1"\} is not a server sample/);
    expect(() => diagnose([sample("s1", { missing: { ghost: [[5, 2]] } })])).toThrow(/^diagnose: server s1's missing of node ghost is not a RangeSet/);
  });

  it("partitions the missing ticks into recoverable and lost as a brute-force model does", () => {
    const ticks = fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { maxLength: 12 });
    const server = fc.record({ present: ticks, known: ticks, deleted: ticks, missing: ticks });
    fc.assert(
      fc.property(fc.array(server, { minLength: 1, maxLength: 4 }), (servers) => {
        const samples = servers.map((s, i) => sample(`s${i}`, { node: `s${i}`, present: { n: s.present }, known: { n: s.known }, deleted: { n: s.deleted }, missing: { n: s.missing } }));
        const ds = diagnose(samples);
        const missing = new Set(servers.flatMap((s) => s.missing));
        const held = new Set(servers.flatMap((s) => [...s.present, ...s.known, ...s.deleted]));
        const expand = (st: unknown[]) => st.flatMap((it) => (Array.isArray(it) ? Array.from({ length: it[1] - it[0] }, (_, k) => it[0] + k) : [it as number]));
        if (missing.size === 0) return ds.length === 0;
        const d = ds[0]!;
        const lost = [...missing].filter((t) => !held.has(t)).sort((a, b) => a - b);
        const rec = [...missing].filter((t) => held.has(t)).sort((a, b) => a - b);
        expect(expand(d.lost)).toEqual(lost);
        expect(expand(d.recoverable)).toEqual(rec);
        expect(d.actions.some((a) => a.kind === "mark")).toBe(lost.length > 0);
        expect(d.actions.some((a) => a.kind === "wait")).toBe(rec.length > 0);
        return true;
      }),
    );
  });
});

describe("the doctor's report", () => {
  it("exits 0 healthy, 1 something missing, 2 a server not reached", () => {
    const d = diagnose([sample("test1", upstreamTest1)]);
    expect(doctorExitCode({ diagnoses: [], unreachable: [] })).toBe(0);
    expect(doctorExitCode({ diagnoses: d, unreachable: [] })).toBe(1);
    expect(doctorExitCode({ diagnoses: d, unreachable: [{ server: "h:9", why: "refused" }] })).toBe(2);
  });

  it("says who was asked, who could not be reached, and each diagnosis", () => {
    const samples = [sample("test1", upstreamTest1, T0, "h:1")];
    const text = reportText({ samples, diagnoses: diagnose(samples), unreachable: [{ server: "h:9", why: "refused" }], watched: 0 });
    expect(text).toMatch(/^Asked 1 server: test1 \(h:1\)\.\nCould not reach h:9: refused\.\n\nghost: 1 tick missing\n {2}ghost's tick 2 is missing on test1/);
  });
});

describe("ticks in words", () => {
  it("writes ranges inclusive, as `internal mark` reads them", () => {
    expect(tickArgs([1, [3, 8], 10])).toEqual(["1", "3-7", "10"]);
    expect(tickWords([2])).toBe("tick 2");
    expect(tickWords([[2, 3]])).toBe("tick 2");
    expect(tickWords([1, [3, 8]])).toBe("ticks 1 and 3-7");
    expect(tickWords([1, 3, 5, 7], 2)).toBe("ticks 1, 3 and 2 more ranges");
  });
});
