// The ticktock range-set benchmark: the WebAssembly RangeSet against a pure-TypeScript sorted-array
// baseline (bench/baseline/sorted-array-set.ts) and, where comparable, roaring-wasm.
//
//   npm run bench                      build, then run; prints a table, then a JSON document
//   npm run bench -- --json out.json   also writes the JSON document to out.json
//   npm run bench -- --no-node         skips the node benchmark (bench/node.ts)
//   npm run bench -- --no-serf         skips the Serf benchmark (bench/serf.ts)
//   npm run bench -- --no-memory       skips the node memory benchmark (bench/node-memory.ts)
//   npm run bench -- --no-inspector    skips the inspector benchmark (bench/inspector.ts)
//   npm run bench -- --no-fuzz         skips the fuzz campaign (bench/fuzz.ts)
//   npm run bench -- --no-goals        skips issue 13's goals against both roarings (bench/goals.ts)
//
// Workloads (bench/README.md explains each):
//   1  building sets by point adds: sequential, holey (every 100th / 77th tick skipped), random order
//   2  union, intersection, difference, missing on the two holey sets of workload 1
//   3  the same bulk operations at 100,000 and 1,000,000 intervals, and their growth ratio
//   4  point add/discard and has in the middle of a 1,000,000-interval set
//   5  toState / fromState of a 100,000-interval set
//   peers  roaring-wasm on workload 2, a 10k-with-13k-interval union, roaring point operations
//
// Every RangeSet and bitmap a timed call creates is disposed within the call, so freeing wasm
// memory is timed, as garbage collection is for the baseline's results.

import { availableParallelism, cpus } from "node:os";
import { writeFileSync } from "node:fs";
import { RoaringBitmap32, roaringLibraryInitialize } from "roaring-wasm";
import { RangeSet, init } from "../src/core/range-set.js";
import { SortedArraySet, type BaselineItem } from "./baseline/sorted-array-set.js";
import { benchNode, printNode, recoveryPass } from "./node.js";
import { benchSerf, printSerf } from "./serf.js";
import { benchNodeMemory, nodeMemoryTargets, printNodeMemory } from "./node-memory.js";
import { benchInspector, printInspector, zoomPass } from "./inspector.js";
import { benchFuzz, printFuzz } from "./fuzz.js";
import { benchGoals, lead, printGoals } from "./goals.js";
import { rng } from "../test/support/prng.js";
import { type Case, type Noise, type Stats, formatNs, formatStats, gcAvailable, measure, measureNoise, table, timed } from "./harness.js";

// ---- command line ----

const argv = process.argv.slice(2);
const jsonAt = argv.indexOf("--json");
const jsonFile = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
if (jsonAt >= 0 && jsonFile === undefined) throw new Error("bench: --json needs a file name");

await init();
await roaringLibraryInitialize();

// ---- result records ----

type Impl = "wasm" | "baseline" | "roaring";

/** One benchmark case: the same operation timed on each implementation that supports it. */
interface Row {
  workload: string;
  name: string;
  /** "call": one bulk call per figure; "op": figures are per point operation. */
  per: "call" | "op";
  stats: Partial<Record<Impl, Stats>>;
  /** Upstream Python RangeSet, recorded elsewhere, not measured in this run (ns). */
  upstreamRecordedNs?: number;
}

const rows: Row[] = [];

/** Measure one case's implementations together, their samples interleaved (see harness.ts). */
function compare(cases: Partial<Record<Impl, Case>>): Row["stats"] {
  const impls = Object.keys(cases) as Impl[];
  const stats = measure(impls.map((k) => cases[k]!));
  return Object.fromEntries(impls.map((k, i) => [k, stats[i]!]));
}

function record(row: Row): Row {
  rows.push(row);
  const cells = (["wasm", "baseline", "roaring"] as const)
    .filter((k) => row.stats[k])
    .map((k) => `${k} ${formatNs(row.stats[k]!.median)}`);
  console.error(`  measured ${row.workload} ${row.name}: ${cells.join(", ")}`);
  return row;
}

/** A wasm or roaring case: build, then free what was built (both timed). */
const thenDispose = (fn: () => { dispose(): unknown }) => (): void => {
  fn().dispose();
};

// ---- data ----

/** mulberry32 (test/support/prng.ts), so the random workload is the same on every run. */
const prng = rng;

/** 1..n in a seeded random order (Fisher-Yates). */
function shuffled(n: number, seed: number): number[] {
  const xs = Array.from({ length: n }, (_, i) => i + 1);
  const rnd = prng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

// Builders by point adds. Each implementation gets its own loop so every call site sees one
// receiver type (a shared generic loop would be polymorphic and penalise both alike).

/** Ticks 1..n, skipping multiples of `skip` (0: skip nothing). */
function addRunWasm(n: number, skip: number): RangeSet {
  const s = new RangeSet();
  for (let t = 1; t <= n; t++) if (skip === 0 || t % skip !== 0) s.add(t);
  return s;
}
function addRunBaseline(n: number, skip: number): SortedArraySet {
  const s = new SortedArraySet();
  for (let t = 1; t <= n; t++) if (skip === 0 || t % skip !== 0) s.add(t);
  return s;
}
function addListWasm(ticks: readonly number[]): RangeSet {
  const s = new RangeSet();
  for (const t of ticks) s.add(t);
  return s;
}
function addListBaseline(ticks: readonly number[]): SortedArraySet {
  const s = new SortedArraySet();
  for (const t of ticks) s.add(t);
  return s;
}

/** Roaring bitmap with the baseline's intervals, one addRange each, then run-optimised. */
function roaringOf(s: SortedArraySet): RoaringBitmap32 {
  const b = new RoaringBitmap32();
  for (let i = 0; i < s.starts.length; i++) b.addRange(s.starts[i]!, s.ends[i]!);
  b.runOptimize();
  return b;
}

/** Workload 3's first set: interval i = [10i, 10i + 5). */
function patternA(n: number): BaselineItem[] {
  return Array.from({ length: n }, (_, i): BaselineItem => [10 * i, 10 * i + 5]);
}
/** Workload 3's second set: shifted by 3 and of odd lengths 1..5, interval i = [10i + 3, 10i + 4 + i % 5). */
function patternB(n: number): BaselineItem[] {
  return Array.from({ length: n }, (_, i): BaselineItem => (i % 5 === 0 ? 10 * i + 3 : [10 * i + 3, 10 * i + 4 + (i % 5)]));
}

// ---- self-checks (before any timing) ----

function sameState(label: string, w: RangeSet, b: SortedArraySet): void {
  const rc = w.checkInvariants();
  if (rc !== 0) throw new Error(`self-check ${label}: RangeSet broke core invariant ${rc}`);
  const ws = JSON.stringify(w.toState()), bs = JSON.stringify(b.toState());
  if (ws !== bs) throw new Error(`self-check ${label}: RangeSet and baseline differ (${ws.slice(0, 120)} vs ${bs.slice(0, 120)})`);
}

function sameCount(label: string, w: RangeSet, r: RoaringBitmap32): void {
  if (w.count() !== r.size) throw new Error(`self-check ${label}: RangeSet has ${w.count()} ticks, roaring ${r.size}`);
}

// ---- the two holey sets of workloads 1 and 2 ----

const N = 1_000_000;
const w100 = addRunWasm(N, 100), w77 = addRunWasm(N, 77);
const b100 = addRunBaseline(N, 100), b77 = addRunBaseline(N, 77);

// ---- workload 1: building by point adds ----

console.error("workload 1...");
{
  const random = shuffled(200_000, 42);
  const cases: [string, () => RangeSet, () => SortedArraySet][] = [
    ["add 1,000,000 sequential ticks", () => addRunWasm(N, 0), () => addRunBaseline(N, 0)],
    ["add 1,000,000 ticks, every 100th skipped", () => addRunWasm(N, 100), () => addRunBaseline(N, 100)],
    ["add 1,000,000 ticks, every 77th skipped", () => addRunWasm(N, 77), () => addRunBaseline(N, 77)],
    ["add 200,000 ticks in random order", () => addListWasm(random), () => addListBaseline(random)],
  ];
  for (const [name, wasmBuild, baseBuild] of cases) {
    const w = wasmBuild();
    sameState(`workload 1, ${name}`, w, baseBuild());
    w.dispose();
    record({
      workload: "1", name, per: "call",
      stats: compare({ wasm: timed(thenDispose(wasmBuild)), baseline: timed(baseBuild) }),
    });
  }
}

// ---- bulk operations, shared by workloads 2 and 3 ----

type BulkOp = "union" | "intersection" | "difference" | "missing";
const BULK_OPS: readonly BulkOp[] = ["union", "intersection", "difference", "missing"];

function wasmBulk(op: BulkOp, a: RangeSet, b: RangeSet, tick: number): () => RangeSet {
  switch (op) {
    case "union": return () => a.union(b);
    case "intersection": return () => a.intersect(b);
    case "difference": return () => a.subtract(b);
    case "missing": return () => RangeSet.missing(tick, a, b);
  }
}
function baselineBulk(op: BulkOp, a: SortedArraySet, b: SortedArraySet, tick: number): () => SortedArraySet {
  switch (op) {
    case "union": return () => a.union(b);
    case "intersection": return () => a.intersect(b);
    case "difference": return () => a.subtract(b);
    case "missing": return () => SortedArraySet.missing(tick, a, b);
  }
}
function roaringBulk(op: BulkOp, a: RoaringBitmap32, b: RoaringBitmap32, tick: number): () => RoaringBitmap32 {
  switch (op) {
    case "union": return () => RoaringBitmap32.or(a, b);
    case "intersection": return () => RoaringBitmap32.and(a, b);
    case "difference": return () => RoaringBitmap32.andNot(a, b);
    case "missing": return () => {
      const r = RoaringBitmap32.fromRange(1, tick + 1);
      r.andNotInPlace(a);
      r.andNotInPlace(b);
      return r;
    };
  }
}

/** The two operands of a bulk operation, on each implementation (roaring where it is measured). */
interface Operands {
  w: [RangeSet, RangeSet];
  b: [SortedArraySet, SortedArraySet];
  r?: [RoaringBitmap32, RoaringBitmap32];
}

/** Check that every implementation gives the same result for one bulk operation, then return its cases. */
function bulkCases(label: string, op: BulkOp, tick: number, { w, b, r }: Operands): Partial<Record<Impl, Case>> {
  const wf = wasmBulk(op, w[0], w[1], tick), bf = baselineBulk(op, b[0], b[1], tick);
  const rf = r && roaringBulk(op, r[0], r[1], tick);
  const check = wf();
  sameState(label, check, bf());
  if (rf) {
    const rb = rf();
    sameCount(label, check, rb);
    rb.dispose();
  }
  check.dispose();
  return {
    wasm: timed(thenDispose(wf)),
    baseline: timed(bf),
    ...(rf ? { roaring: timed(thenDispose(rf)) } : {}),
  };
}

// ---- workload 2: bulk operations on the two holey sets ----

/** Upstream Python RangeSet on workload 2, as recorded upstream (ms); not measured in this run. */
const UPSTREAM_RECORDED_MS: Record<BulkOp, number> = { union: 45, intersection: 264, difference: 50, missing: 56 };

console.error("workload 2...");
sameState("workload 2, every 100th skipped", w100, b100);
sameState("workload 2, every 77th skipped", w77, b77);
const r100 = roaringOf(b100), r77 = roaringOf(b77);
sameCount("workload 2, every 100th skipped", w100, r100);
sameCount("workload 2, every 77th skipped", w77, r77);
const workload2 = new Map<BulkOp, Row>();
for (const op of BULK_OPS) {
  const name = op === "missing" ? "missing = [1, 1e6] - A - B" : `${op} A, B`;
  const cases = bulkCases(`workload 2, ${name}`, op, N, { w: [w100, w77], b: [b100, b77], r: [r100, r77] });
  workload2.set(op, record({ workload: "2", name, per: "call", stats: compare(cases), upstreamRecordedNs: UPSTREAM_RECORDED_MS[op] * 1e6 }));
}
r100.dispose();
r77.dispose();

// ---- peers: a 10k-interval set with a 13k-interval set ----

console.error("peers...");
let peerUnion: Row;
{
  const p10 = Array.from({ length: 10_000 }, (_, i): BaselineItem => [100 * i, 100 * i + 60]);
  const p13 = Array.from({ length: 13_000 }, (_, i): BaselineItem => [77 * i + 30, 77 * i + 50]);
  const w: [RangeSet, RangeSet] = [RangeSet.fromState(p10), RangeSet.fromState(p13)];
  const b: [SortedArraySet, SortedArraySet] = [SortedArraySet.fromState(p10), SortedArraySet.fromState(p13)];
  const r: [RoaringBitmap32, RoaringBitmap32] = [roaringOf(b[0]), roaringOf(b[1])];
  const name = "union 10k-interval | 13k-interval set";
  peerUnion = record({ workload: "peer", name, per: "call", stats: compare(bulkCases(name, "union", 0, { w, b, r })) });
  w.forEach((s) => s.dispose());
  r.forEach((b) => b.dispose());
}

// ---- workload 3: growth from 100,000 to 1,000,000 intervals ----

console.error("workload 3...");
interface Sized extends Operands { n: number }
const [small3, large3] = [100_000, 1_000_000].map((n): Sized => {
  const sa = patternA(n), sb = patternB(n);
  const w: [RangeSet, RangeSet] = [RangeSet.fromState(sa), RangeSet.fromState(sb)];
  const b: [SortedArraySet, SortedArraySet] = [SortedArraySet.fromState(sa), SortedArraySet.fromState(sb)];
  sameState(`workload 3, A at ${n}`, w[0], b[0]);
  sameState(`workload 3, B at ${n}`, w[1], b[1]);
  return { n, w, b };
}) as [Sized, Sized];

/**
 * Both sizes of one operation are measured together, interleaved (samples of >= 10 ms: a few
 * calls at 100k, one at 1M), so a slow phase of the machine cannot pass for non-linear growth.
 */
const workload3 = BULK_OPS.map((op) => {
  const [small, large] = [small3, large3].map(({ n, w, b }) => {
    const name = op === "missing" ? `missing [1, ${10 * n}] - A - B, ${n} intervals` : `${op} A, B, ${n} intervals`;
    return { name, cases: bulkCases(`workload 3, ${name}`, op, 10 * n, { w, b }) };
  }) as [{ name: string; cases: Partial<Record<Impl, Case>> }, { name: string; cases: Partial<Record<Impl, Case>> }];
  const [ws, wl, bs, bl] = measure([small.cases.wasm!, large.cases.wasm!, small.cases.baseline!, large.cases.baseline!]) as [Stats, Stats, Stats, Stats];
  return {
    op,
    rows: [
      record({ workload: "3", name: small.name, per: "call", stats: { wasm: ws, baseline: bs } }),
      record({ workload: "3", name: large.name, per: "call", stats: { wasm: wl, baseline: bl } }),
    ],
    growth: { wasm: wl.median / ws.median, baseline: bl.median / bs.median },
  };
});

/** Growth of each bulk operation from 100k to 1M intervals: ~10 means linear. */
const growth = workload3.map(({ op, growth: g }) => ({ op, ...g }));

// ---- workload 4: point operations in the middle of a 1,000,000-interval set ----

console.error("workload 4...");
let pointAdd: Row, pointHas: Row;
{
  const [wa] = large3.w, [ba] = large3.b;
  const n = large3.n;
  // 500 gap ticks 10i + 7 (between [10i, 10i + 5) and [10i + 10, 10i + 15)) spread over the
  // 10,000 intervals around the middle; `probes` adds, for each, a tick in the set (10i + 3).
  const gaps = Array.from({ length: 500 }, (_, k) => 10 * (n / 2 - 5000 + ((k * 7919) % 10_000)) + 7);
  const probes = gaps.flatMap((t) => [t, t - 4]);
  // The baseline moves half of two million-element arrays per operation: far fewer per call.
  const BASELINE_PAIRS = 20;

  const roar = roaringOf(ba);
  sameCount("workload 4, A at 1M", wa, roar);

  const wasmAddDiscard = (): void => {
    for (const t of gaps) { wa.add(t); wa.discard(t); }
  };
  const baselineAddDiscard = (): void => {
    for (let k = 0; k < BASELINE_PAIRS; k++) { ba.add(gaps[k]!); ba.discard(gaps[k]!); }
  };
  const roaringAddRemove = (): void => {
    for (const t of gaps) { roar.add(t); roar.remove(t); }
  };
  wasmAddDiscard();
  baselineAddDiscard();
  sameState("workload 4, after add/discard", wa, ba);

  pointAdd = record({
    workload: "4", name: "point add + discard of a gap tick, 1M intervals", per: "op",
    stats: compare({
      wasm: timed(wasmAddDiscard, { ops: 2 * gaps.length }),
      baseline: timed(baselineAddDiscard, { ops: 2 * BASELINE_PAIRS }),
      roaring: timed(roaringAddRemove, { ops: 2 * gaps.length }),
    }),
  });

  // Each has-loop returns its hit count, so the calls cannot be optimised away; half the probes are in the set.
  const wasmHas = (): number => { let c = 0; for (const t of probes) if (wa.has(t)) c++; return c; };
  const baselineHas = (): number => { let c = 0; for (const t of probes) if (ba.has(t)) c++; return c; };
  const roaringHas = (): number => { let c = 0; for (const t of probes) if (roar.has(t)) c++; return c; };
  if (new Set([wasmHas(), baselineHas(), roaringHas(), probes.length / 2]).size !== 1) {
    throw new Error("self-check workload 4: has() disagrees between implementations");
  }
  pointHas = record({
    workload: "4", name: "has, 1M intervals", per: "op",
    stats: compare({
      wasm: timed(wasmHas, { ops: probes.length }),
      baseline: timed(baselineHas, { ops: probes.length }),
      roaring: timed(roaringHas, { ops: probes.length }),
    }),
  });
  roar.dispose();
}

// ---- workload 5: wire form of a 100,000-interval set ----

console.error("workload 5...");
const workload5: Row[] = [];
{
  const [, wb] = small3.w, [, bb] = small3.b;
  const state = wb.toState();
  sameState("workload 5", wb, bb);
  workload5.push(record({
    workload: "5", name: "toState, 100k intervals", per: "call",
    stats: compare({ wasm: timed(() => wb.toState()), baseline: timed(() => bb.toState()) }),
  }));
  workload5.push(record({
    workload: "5", name: "fromState, 100k intervals", per: "call",
    stats: compare({
      wasm: timed(() => RangeSet.fromState(state).dispose()),
      baseline: timed(() => SortedArraySet.fromState(state as BaselineItem[])),
    }),
  }));
}
for (const { w } of [small3, large3]) w.forEach((s) => s.dispose());

// ---- noise: the same case measured five times, after everything else (a steady process) ----

console.error("noise...");
const noise: Record<string, Noise> = {
  "baseline union, workload 2": measureNoise(timed(() => b100.union(b77))),
  "wasm union, workload 2": measureNoise(timed(() => w100.union(w77).dispose())),
};
w100.dispose();
w77.dispose();

// ---- report: table ----

const speedup = (r: Row): number | undefined =>
  r.stats.wasm && r.stats.baseline ? r.stats.baseline.median / r.stats.wasm.median : undefined;

function ratioCell(x: number | undefined): string {
  if (x === undefined) return "-";
  return x >= 1 ? `${x.toFixed(2)}x` : `${x.toFixed(2)}x (baseline wins)`;
}

const header = ["wl", "case", "wasm RangeSet", "baseline (TS)", "base/wasm", "roaring-wasm", "upstream py (recorded*)", "upstream/wasm"];
const body = rows.map((r) => [
  r.workload,
  r.name + (r.per === "op" ? " (per op)" : ""),
  r.stats.wasm ? formatStats(r.stats.wasm) : "-",
  r.stats.baseline ? formatStats(r.stats.baseline) : "-",
  ratioCell(speedup(r)),
  r.stats.roaring ? formatStats(r.stats.roaring) : "-",
  r.upstreamRecordedNs === undefined ? "-" : formatNs(r.upstreamRecordedNs),
  r.upstreamRecordedNs === undefined ? "-" : `${(r.upstreamRecordedNs / r.stats.wasm!.median).toFixed(0)}x`,
]);

console.log(`ticktock range-set benchmark: node ${process.version}, ${cpus()[0]?.model ?? "unknown cpu"}, ${availableParallelism()} cores, gc between cases: ${gcAvailable ? "yes" : "no (run with --expose-gc)"}`);
console.log("Figures: median [p10-p90] per call, or per operation where marked. base/wasm > 1: wasm is faster.");
console.log("* upstream py: upstream Python RangeSet's figures for workload 2 as recorded upstream; recorded, not measured in this run.\n");
console.log(table(header, body));

console.log("\nGrowth 100k -> 1M intervals (median ratio; 10 = linear):");
console.log(table(["op", "wasm", "baseline"], growth.map((g) => [g.op, g.wasm.toFixed(1), g.baseline.toFixed(1)])));

console.log("\nNoise (the same case measured five times, each as a separate case):");
console.log(table(
  ["case", "medians", "spread of medians", "p10-p90 within a run"],
  Object.entries(noise).map(([name, n]) => [
    name, n.medians.map(formatNs).join(", "),
    `${(100 * n.relativeSpread).toFixed(1)}%`, `${(100 * n.withinRunSpread).toFixed(1)}%`,
  ]),
));

// ---- report: targets ----

interface Target { target: string; pass: boolean; detail: string }
const targets: Target[] = [];

for (const [op, row] of workload2) {
  const x = row.upstreamRecordedNs! / row.stats.wasm!.median;
  targets.push({ target: `workload 2 ${op} >= 500x upstream (recorded)`, pass: x >= 500, detail: `${x.toFixed(0)}x (${formatNs(row.stats.wasm!.median)} vs ${formatNs(row.upstreamRecordedNs!)} recorded)` });
}
for (const g of growth) {
  targets.push({ target: `workload 3 ${g.op} grows linearly (1M/100k in [5, 20])`, pass: g.wasm >= 5 && g.wasm <= 20, detail: `${g.wasm.toFixed(1)}` });
}
for (const row of [pointAdd, pointHas]) {
  targets.push({ target: `workload 4 ${row.name} <= 1 µs median`, pass: row.stats.wasm!.median <= 1000, detail: formatNs(row.stats.wasm!.median) });
}
const bulkRows = [...workload2.values(), ...workload3.flatMap((w) => w.rows), ...workload5];
for (const row of bulkRows) {
  const x = speedup(row)!;
  targets.push({ target: `wasm ahead of baseline: workload ${row.workload} ${row.name}`, pass: x > 1, detail: `baseline/wasm ${x.toFixed(2)}x` });
}

// ---- issue 13's goals: point, bulk and building against roaring-wasm and native CRoaring ----

const goalsBench = argv.includes("--no-goals") ? undefined : await benchGoals();
if (goalsBench) {
  printGoals(goalsBench);
  for (const row of goalsBench.rows) {
    for (const peer of row.ahead) {
      const x = lead(row, peer)!;
      targets.push({ target: `goal ${row.goal}: ${row.name} ahead of ${peer}`, pass: x > 1, detail: `${peer}/wasm ${x.toFixed(2)}x` });
    }
  }
}

// ---- the node (issue 3): ingest from a real broker, recovery of a ten-node cluster ----

const nodeBench = argv.includes("--no-node") ? undefined : await benchNode();
if (nodeBench) {
  printNode(nodeBench);
  targets.push(
    { target: "node ingest >= 20,000 updates/s", pass: nodeBench.ingest.nodeRate >= 20_000, detail: `${Math.round(nodeBench.ingest.nodeRate)} /s (bare subscriber ${Math.round(nodeBench.ingest.bareRate)} /s)` },
    { target: "node ingest >= 90% of a bare mqtt.js subscriber's rate", pass: nodeBench.ingest.ratio >= 0.9, detail: `${(100 * nodeBench.ingest.ratio).toFixed(0)}% (medians of ${nodeBench.ingest.runs.length} alternating runs)` },
    { target: "10-node recovery after 10,000 writes at 10% loss within 3 rounds (at most 2 retries)", pass: recoveryPass(nodeBench), detail: `${nodeBench.recovery.maxRetries} retries (${nodeBench.recovery.maxRequests} requests), converged ${Math.round(nodeBench.recovery.recoverMs)} ms after the last write` },
  );
}

// ---- Serf (issue 12): ingest and a 3-node recovery on real agents against Mosquitto, one run ----

const serfBench = argv.includes("--no-serf") ? undefined : await benchSerf();
if (serfBench) printSerf(serfBench); // figures to compare, no target: Serf's own speed sets them

// ---- the fuzz campaign (issue 10): mutated upstream messages on every input ----

const fuzzBench = argv.includes("--no-fuzz") ? undefined : await benchFuzz();
if (fuzzBench) {
  printFuzz(fuzzBench);
  targets.push({ target: "fuzz: no node crashes, and the nodes converge afterwards", pass: fuzzBench.crashes === 0 && fuzzBench.converged, detail: `${fuzzBench.gossip} gossip + ${fuzzBench.client} client messages, ${fuzzBench.crashes} crashes` });
}

// ---- the inspector (issue 5): responsive with 100 nodes and a million intervals ----

const inspectorBench = argv.includes("--no-inspector") ? undefined : await benchInspector();
if (inspectorBench) {
  printInspector(inspectorBench);
  const l = inspectorBench.large;
  targets.push({ target: "inspector responsive with 100 nodes and 1M intervals (no main-thread task > 100 ms, >= 30 fps)", pass: l.longestTaskMs < 100 && l.fps >= 30, detail: `${l.fps.toFixed(0)} fps, longest task ${l.longestTaskMs.toFixed(0)} ms, refresh ${l.refreshMedianMs.toFixed(1)} ms` });
  const z = l.zoom;
  targets.push({ target: "inspector zooms a 1M-interval timeline to single ticks smoothly (redraw p90 < 100 ms, no task > 100 ms, >= 30 fps)", pass: zoomPass(z), detail: `redraw median ${z.refreshMedianMs.toFixed(1)} ms (p90 ${z.refreshP90Ms.toFixed(1)}), ${z.fps.toFixed(0)} fps, longest task ${z.longestTaskMs.toFixed(0)} ms` });
}

console.log("\nTargets:");
// ---- the node's memory (issue 13): per entry, idle, against upstream ----

const memoryBench = argv.includes("--no-memory") ? undefined : await benchNodeMemory();
if (memoryBench) {
  printNodeMemory(memoryBench);
  targets.push(...nodeMemoryTargets(memoryBench));
}
for (const t of targets) console.log(`${t.pass ? "PASS" : "MISS"}  ${t.target}: ${t.detail}`);

// Peers: reference points, not pass/fail targets of this project.
const peers = [
  { what: "union 10k | 13k intervals, roaring measured", wasm: peerUnion.stats.wasm!.median, peer: peerUnion.stats.roaring!.median },
  { what: "union 10k | 13k intervals, roaring quoted ~0.1 ms", wasm: peerUnion.stats.wasm!.median, peer: 0.1e6 },
  { what: "point add/discard, roaring measured", wasm: pointAdd.stats.wasm!.median, peer: pointAdd.stats.roaring!.median },
  { what: "point operation, roaring quoted ~36 ns", wasm: pointAdd.stats.wasm!.median, peer: 36 },
];
console.log("\nAgainst the peers (peer / wasm; > 1: wasm is faster):");
for (const p of peers) console.log(`INFO  ${p.what}: wasm ${formatNs(p.wasm)}, peer ${formatNs(p.peer)}, ${(p.peer / p.wasm).toFixed(2)}x`);

// ---- report: JSON ----

const doc = {
  meta: {
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: availableParallelism(),
    gcBetweenCases: gcAvailable,
    date: new Date().toISOString(),
    unit: "ns (median, p10, p90, min, max per call, or per operation where per = op)",
  },
  upstreamRecordedMs: { note: "upstream Python RangeSet, workload 2; recorded, not measured in this run", ...UPSTREAM_RECORDED_MS },
  noise,
  cases: rows,
  growth,
  targets,
  peers,
  goals: goalsBench,
  node: nodeBench,
  serf: serfBench,
  nodeMemory: memoryBench,
  inspector: inspectorBench,
  fuzz: fuzzBench,
};
// Four significant digits are plenty for timings that move by more than that between runs.
const json = JSON.stringify(doc, (_, v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v), 2);
console.log(`\n${json}`);
if (jsonFile !== undefined) writeFileSync(jsonFile, `${json}\n`);
