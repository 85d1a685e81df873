// Issue 13's goals, measured in one run against every peer: the WebAssembly RangeSet, the
// TypeScript baseline (bench/baseline/), roaring-wasm (CRoaring in WebAssembly) and roaring
// (native CRoaring, the npm package's prebuilt binary).
//
//   node --expose-gc --import tsx bench/goals.ts          on its own (after npm run build:wasm)
//   npm run bench                                          as part of the whole benchmark
//
// Goals (each a ratio of medians measured together, interleaved: see harness.ts):
//   1  point add, discard and has at 1,000,000 intervals: at random positions (1,000,000
//      single-tick intervals [2i, 2i + 1), 200,000 seeded random odd ticks added, then discarded,
//      each add joining two intervals and each discard splitting them again) and in the middle
//      (workload 4's 500 gap ticks); ahead of roaring-wasm, `has` also ahead of the baseline
//   2  union, intersection, difference, missing on workload 2 ahead of native CRoaring, and
//      ahead of the baseline at 1k, 10k, 100k and 1M intervals (workload 3's patterns)
//   3  building by point adds: 1,000,000 sequential ticks, 200,000 in a seeded random order,
//      ahead of the baseline and of roaring-wasm

import { RoaringBitmap32 as RoaringWasm, roaringLibraryInitialize } from "roaring-wasm";
import roaringNative from "roaring";
import { RangeSet, init } from "../src/core/range-set.js";
import { coreKernel } from "../src/wasm/core.js";
import { SortedArraySet, type BaselineItem } from "./baseline/sorted-array-set.js";
import { rng } from "../test/support/prng.js";
import { type Case, type Stats, formatNs, formatStats, measure, table, timed } from "./harness.js";

const { RoaringBitmap32: RoaringNative } = roaringNative;
type RoaringNative = InstanceType<typeof RoaringNative>;

export type GoalImpl = "wasm" | "baseline" | "roaringWasm" | "croaring";
const IMPLS: readonly GoalImpl[] = ["wasm", "baseline", "roaringWasm", "croaring"];
const LABEL: Record<GoalImpl, string> = { wasm: "ticktock", baseline: "baseline (TS)", roaringWasm: "roaring-wasm", croaring: "roaring (native)" };

export interface GoalRow {
  goal: 1 | 2 | 3;
  name: string;
  per: "op" | "call";
  stats: Partial<Record<GoalImpl, Stats>>;
  /** The peers ticktock must be ahead of for this row's goal. */
  ahead: GoalImpl[];
}

export interface GoalsResult {
  kernel: string;
  rows: GoalRow[];
}

/** 0..n-1 in a seeded random order (Fisher-Yates). */
function shuffled(n: number, seed: number): number[] {
  const xs = Array.from({ length: n }, (_, i) => i);
  const rnd = rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

function roaringWasmOf(s: SortedArraySet): RoaringWasm {
  const b = new RoaringWasm();
  for (let i = 0; i < s.starts.length; i++) b.addRange(s.starts[i]!, s.ends[i]!);
  b.runOptimize();
  return b;
}
function croaringOf(s: SortedArraySet): RoaringNative {
  const b = new RoaringNative();
  for (let i = 0; i < s.starts.length; i++) b.addRange(s.starts[i]!, s.ends[i]!);
  b.runOptimize();
  return b;
}

function same(label: string, w: RangeSet, b: SortedArraySet): void {
  const rc = w.checkInvariants();
  if (rc !== 0) throw new Error(`self-check ${label}: RangeSet broke core invariant ${rc}`);
  if (JSON.stringify(w.toState()) !== JSON.stringify(b.toState())) throw new Error(`self-check ${label}: RangeSet and baseline differ`);
}
function sameCount(label: string, w: RangeSet, ...peers: { size: number }[]): void {
  for (const p of peers) if (w.count() !== p.size) throw new Error(`self-check ${label}: RangeSet has ${w.count()} ticks, a roaring peer ${p.size}`);
}

const rows: GoalRow[] = [];
function run(goal: GoalRow["goal"], name: string, per: GoalRow["per"], ahead: GoalImpl[], cases: Partial<Record<GoalImpl, Case>>): void {
  const impls = IMPLS.filter((k) => cases[k]);
  const stats = measure(impls.map((k) => cases[k]!));
  const row: GoalRow = { goal, name, per, ahead, stats: Object.fromEntries(impls.map((k, i) => [k, stats[i]!])) };
  rows.push(row);
  console.error(`  goal ${goal} ${name}: ${impls.map((k) => `${k} ${formatNs(row.stats[k]!.median)}`).join(", ")}`);
}

/** `has` over the same probes in all four sets, checked to agree (and against `expected` hits), then timed. */
function hasGoal(name: string, probes: readonly number[], sets: { w: RangeSet; b: SortedArraySet; rw: { has(t: number): boolean }; rn: { has(t: number): boolean } }, expected?: number): void {
  const counter = (s: { has(t: number): boolean }) => (): number => { let c = 0; for (const t of probes) if (s.has(t)) c++; return c; };
  const f = { wasm: counter(sets.w), baseline: counter(sets.b), roaringWasm: counter(sets.rw), croaring: counter(sets.rn) };
  const counts = new Set([f.wasm(), f.baseline(), f.roaringWasm(), f.croaring(), ...(expected === undefined ? [] : [expected])]);
  if (counts.size !== 1) throw new Error(`self-check goal 1 ${name}: has() disagrees`);
  run(1, name, "op", ["roaringWasm", "baseline"], {
    wasm: timed(f.wasm, { ops: probes.length }),
    baseline: timed(f.baseline, { ops: probes.length }),
    roaringWasm: timed(f.roaringWasm, { ops: probes.length }),
    croaring: timed(f.croaring, { ops: probes.length }),
  });
}

// ---- goal 1: point operations at 1,000,000 intervals ----

function pointRandom(): void {
  const N = 1_000_000;
  const even: number[] = Array.from({ length: N }, (_, i) => 2 * i);
  const w = RangeSet.fromState(even);
  const b = SortedArraySet.fromState(even);
  const rw = roaringWasmOf(b), rn = croaringOf(b);
  sameCount("goal 1 random, the set", w, rw, rn);
  // 200,000 distinct odd ticks between the intervals, in a seeded random order
  const odd = shuffled(N - 1, 13).slice(0, 200_000).map((j) => 2 * j + 1);
  const rnd = rng(14);
  const probes = Array.from({ length: 200_000 }, () => Math.floor(rnd() * 2 * N));
  const BASE = 20; // the baseline splices two million-element arrays per operation

  const wasmAD = (): void => { for (const t of odd) w.add(t); for (const t of odd) w.discard(t); };
  const baseAD = (): void => { for (let k = 0; k < BASE; k++) b.add(odd[k]!); for (let k = 0; k < BASE; k++) b.discard(odd[k]!); };
  const rwAD = (): void => { for (const t of odd) rw.add(t); for (const t of odd) rw.remove(t); };
  const rnAD = (): void => { for (const t of odd) rn.add(t); for (const t of odd) rn.remove(t); };
  // self-check: after adding all, one interval per join; after discarding, the set is as before
  for (const t of odd) w.add(t);
  if (w.size !== N - odd.length || w.checkInvariants() !== 0) throw new Error("self-check goal 1 random: adds did not join");
  for (const t of odd) w.discard(t);
  baseAD();
  same("goal 1 random, after add/discard", w, b);
  run(1, "point add + discard, random positions, 1M intervals", "op", ["roaringWasm"], {
    wasm: timed(wasmAD, { ops: 2 * odd.length }),
    baseline: timed(baseAD, { ops: 2 * BASE }),
    roaringWasm: timed(rwAD, { ops: 2 * odd.length }),
    croaring: timed(rnAD, { ops: 2 * odd.length }),
  });

  hasGoal("has, random positions, 1M intervals", probes, { w, b, rw, rn });
  w.dispose();
  rw.dispose();
}

function pointMiddle(): void {
  // workload 4: interval i = [10i, 10i + 5), 1,000,000 of them; 500 gap ticks 10i + 7 spread
  // over the 10,000 intervals around the middle, and as many ticks inside (10i + 3)
  const n = 1_000_000;
  const items = Array.from({ length: n }, (_, i): BaselineItem => [10 * i, 10 * i + 5]);
  const w = RangeSet.fromState(items), b = SortedArraySet.fromState(items);
  const rw = roaringWasmOf(b), rn = croaringOf(b);
  const gaps = Array.from({ length: 500 }, (_, k) => 10 * (n / 2 - 5000 + ((k * 7919) % 10_000)) + 7);
  const probes = gaps.flatMap((t) => [t, t - 4]);
  const BASE = 20;
  const wasmAD = (): void => { for (const t of gaps) { w.add(t); w.discard(t); } };
  const baseAD = (): void => { for (let k = 0; k < BASE; k++) { b.add(gaps[k]!); b.discard(gaps[k]!); } };
  const rwAD = (): void => { for (const t of gaps) { rw.add(t); rw.remove(t); } };
  const rnAD = (): void => { for (const t of gaps) { rn.add(t); rn.remove(t); } };
  wasmAD();
  baseAD();
  same("goal 1 middle, after add/discard", w, b);
  run(1, "point add + discard, middle, 1M intervals", "op", ["roaringWasm"], {
    wasm: timed(wasmAD, { ops: 2 * gaps.length }),
    baseline: timed(baseAD, { ops: 2 * BASE }),
    roaringWasm: timed(rwAD, { ops: 2 * gaps.length }),
    croaring: timed(rnAD, { ops: 2 * gaps.length }),
  });
  hasGoal("has, middle, 1M intervals", probes, { w, b, rw, rn }, probes.length / 2);
  w.dispose();
  rw.dispose();
}

// ---- goal 2: bulk operations ----

type BulkOp = "union" | "intersection" | "difference" | "missing";
const BULK_OPS: readonly BulkOp[] = ["union", "intersection", "difference", "missing"];

function bulkCases(label: string, op: BulkOp, tick: number, w: [RangeSet, RangeSet], b: [SortedArraySet, SortedArraySet], peers: boolean): Partial<Record<GoalImpl, Case>> {
  const wf = ((): (() => RangeSet) => {
    switch (op) {
      case "union": return () => w[0].union(w[1]);
      case "intersection": return () => w[0].intersect(w[1]);
      case "difference": return () => w[0].subtract(w[1]);
      case "missing": return () => RangeSet.missing(tick, w[0], w[1]);
    }
  })();
  const bf = ((): (() => SortedArraySet) => {
    switch (op) {
      case "union": return () => b[0].union(b[1]);
      case "intersection": return () => b[0].intersect(b[1]);
      case "difference": return () => b[0].subtract(b[1]);
      case "missing": return () => SortedArraySet.missing(tick, b[0], b[1]);
    }
  })();
  const check = wf();
  same(label, check, bf());
  const cases: Partial<Record<GoalImpl, Case>> = {
    wasm: timed(() => wf().dispose()),
    baseline: timed(bf),
  };
  if (peers) {
    const rw: [RoaringWasm, RoaringWasm] = [roaringWasmOf(b[0]), roaringWasmOf(b[1])];
    const rn: [RoaringNative, RoaringNative] = [croaringOf(b[0]), croaringOf(b[1])];
    const rwf = ((): (() => RoaringWasm) => {
      switch (op) {
        case "union": return () => RoaringWasm.or(rw[0], rw[1]);
        case "intersection": return () => RoaringWasm.and(rw[0], rw[1]);
        case "difference": return () => RoaringWasm.andNot(rw[0], rw[1]);
        case "missing": return () => { const r = RoaringWasm.fromRange(1, tick + 1); r.andNotInPlace(rw[0]); r.andNotInPlace(rw[1]); return r; };
      }
    })();
    const rnf = ((): (() => RoaringNative) => {
      switch (op) {
        case "union": return () => RoaringNative.or(rn[0], rn[1]);
        case "intersection": return () => RoaringNative.and(rn[0], rn[1]);
        case "difference": return () => RoaringNative.andNot(rn[0], rn[1]);
        case "missing": return () => { const r = RoaringNative.fromRange(1, tick + 1); r.andNotInPlace(rn[0]); r.andNotInPlace(rn[1]); return r; };
      }
    })();
    const x = rwf();
    sameCount(label, check, x, rnf());
    x.dispose();
    cases.roaringWasm = timed(() => rwf().dispose());
    cases.croaring = timed(rnf);
  }
  check.dispose();
  return cases;
}

function bulkWorkload2(): void {
  const N = 1_000_000;
  const build = (skip: number): BaselineItem[] => {
    const out: BaselineItem[] = [];
    for (let a = 1; a <= N; a = (Math.floor(a / skip) + 1) * skip + 1) out.push([a, Math.min((Math.floor(a / skip) + 1) * skip, N + 1)]);
    return out;
  };
  const s100 = build(100), s77 = build(77);
  const w: [RangeSet, RangeSet] = [RangeSet.fromState(s100), RangeSet.fromState(s77)];
  const b: [SortedArraySet, SortedArraySet] = [SortedArraySet.fromState(s100), SortedArraySet.fromState(s77)];
  for (const op of BULK_OPS) {
    const name = op === "missing" ? "workload 2 missing = [1, 1e6] - A - B" : `workload 2 ${op} A, B`;
    run(2, name, "call", ["croaring", "baseline"], bulkCases(name, op, N, w, b, true));
  }
  w.forEach((s) => s.dispose());
}

function bulkSizes(): void {
  for (const n of [1_000, 10_000, 100_000, 1_000_000]) {
    const sa = Array.from({ length: n }, (_, i): BaselineItem => [10 * i, 10 * i + 5]);
    const sb = Array.from({ length: n }, (_, i): BaselineItem => (i % 5 === 0 ? 10 * i + 3 : [10 * i + 3, 10 * i + 4 + (i % 5)]));
    const w: [RangeSet, RangeSet] = [RangeSet.fromState(sa), RangeSet.fromState(sb)];
    const b: [SortedArraySet, SortedArraySet] = [SortedArraySet.fromState(sa), SortedArraySet.fromState(sb)];
    for (const op of BULK_OPS) {
      const name = `${op}, ${n.toLocaleString("en")} intervals`;
      run(2, name, "call", ["baseline"], bulkCases(name, op, 10 * n, w, b, false));
    }
    w.forEach((s) => s.dispose());
  }
}

// ---- goal 3: building by point adds ----

function building(): void {
  const N = 1_000_000;
  const random = shuffled(200_000, 42).map((t) => t + 1);
  const seq: [string, (add: (t: number) => void) => void][] = [
    ["build by point adds, 1,000,000 sequential ticks", (add) => { for (let t = 1; t <= N; t++) add(t); }],
    ["build by point adds, 200,000 ticks in random order", (add) => { for (const t of random) add(t); }],
  ];
  for (const [name, feed] of seq) {
    // one loop per implementation, so each call site sees one receiver type
    const wasmB = (): RangeSet => { const s = new RangeSet(); feed((t) => s.add(t)); return s; };
    const baseB = (): SortedArraySet => { const s = new SortedArraySet(); feed((t) => s.add(t)); return s; };
    const rwB = (): RoaringWasm => { const s = new RoaringWasm(); feed((t) => s.add(t)); return s; };
    const rnB = (): RoaringNative => { const s = new RoaringNative(); feed((t) => s.add(t)); return s; };
    const w = wasmB();
    same(name, w, baseB());
    const rw = rwB();
    sameCount(name, w, rw, rnB());
    rw.dispose();
    w.dispose();
    run(3, name, "call", ["baseline", "roaringWasm"], {
      wasm: timed(() => wasmB().dispose()),
      baseline: timed(baseB),
      roaringWasm: timed(() => rwB().dispose()),
      croaring: timed(rnB),
    });
  }
}

export async function benchGoals(): Promise<GoalsResult> {
  await init();
  await roaringLibraryInitialize();
  rows.length = 0;
  console.error(`goals (issue 13), kernel ${coreKernel()}...`);
  pointRandom();
  pointMiddle();
  building();
  bulkWorkload2();
  bulkSizes();
  return { kernel: coreKernel(), rows };
}

/** ticktock's lead over a peer: peer median / ticktock median (> 1: ticktock is faster). */
export function lead(row: GoalRow, peer: GoalImpl): number | undefined {
  const w = row.stats.wasm, p = row.stats[peer];
  return w && p ? p.median / w.median : undefined;
}

export function printGoals(g: GoalsResult): void {
  console.log(`\nIssue 13 goals (ticktock's ${g.kernel} kernel; figures: median [p10-p90]; ratios: peer / ticktock, > 1: ticktock ahead):`);
  const body = g.rows.map((r) => [
    String(r.goal),
    r.name + (r.per === "op" ? " (per op)" : ""),
    ...IMPLS.map((k) => (r.stats[k] ? formatStats(r.stats[k]!) : "-")),
    ...(["baseline", "roaringWasm", "croaring"] as const).map((k) => {
      const x = lead(r, k);
      if (x === undefined) return "-";
      return `${x.toFixed(2)}x${r.ahead.includes(k) ? (x > 1 ? " ok" : " MISS") : ""}`;
    }),
  ]);
  console.log(table(["goal", "case", ...IMPLS.map((k) => LABEL[k]), "vs baseline", "vs roaring-wasm", "vs roaring"], body));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printGoals(await benchGoals());
}
