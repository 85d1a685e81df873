// A/B of the core's bulk kernels across builds of the core, interleaved in one process: the raw
// exports (rsUnion, rsIntersect, rsDifference, rsMissing) of each build, called on the same sets,
// sampled in turn (bench/harness.ts), so a slow phase of a shared machine hits every build alike.
// Each call creates its output set and frees it, as RangeSet's methods do.
//
//   node --expose-gc --import tsx bench/kernels-ab.ts before=/tmp/old/core.wasm after=build/core.wasm
//   ... --ops union,missing   only these operations
//   ... --sizes               also workload 3's patterns at 1k, 10k, 100k and 1M intervals
//   ... --few                 also a 21-interval set against a 100,000-interval one, both ways round
//
// Workload 2 (and the peers' union pair) always run. Every build's result is checked against the
// first build's before anything is timed. Figures: median [p10-p90] per call; ratios: the first
// build's median / this build's (> 1: faster than the first).

import { readFileSync } from "node:fs";
import type { CoreExports } from "../src/wasm/core.js";
import { formatStats, measure, timed } from "./harness.js";

type Op = "union" | "intersect" | "difference" | "missing";
type Pair = [number, number]; // half-open [a, b)

const argv = process.argv.slice(2);
const builds = argv.filter((a) => a.includes("=") && !a.startsWith("--")).map((a) => {
  const [label, path] = a.split("=") as [string, string];
  const core = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {}).exports as unknown as CoreExports;
  return { label, core };
});
if (builds.length === 0) throw new Error("kernels-ab: name at least one build as label=path/to/core.wasm");
const opsArg = argv[argv.indexOf("--ops") + 1];
const OPS: Op[] = argv.includes("--ops") && opsArg ? (opsArg.split(",") as Op[]) : ["union", "intersect", "difference", "missing"];

function holey(skip: number, n: number): Pair[] {
  const out: Pair[] = [];
  for (let a = 1; a <= n; a = (Math.floor(a / skip) + 1) * skip + 1) out.push([a, Math.min((Math.floor(a / skip) + 1) * skip, n + 1)]);
  return out;
}
const workloads: { name: string; a: Pair[]; b: Pair[]; tick: number }[] = [
  { name: "workload 2", a: holey(100, 1e6), b: holey(77, 1e6), tick: 1e6 },
  {
    name: "peers 10k | 13k",
    a: Array.from({ length: 10_000 }, (_, i): Pair => [100 * i, 100 * i + 60]),
    b: Array.from({ length: 13_000 }, (_, i): Pair => [77 * i + 30, 77 * i + 50]),
    tick: 1e6,
  },
];
if (argv.includes("--sizes")) {
  for (const n of [1_000, 10_000, 100_000, 1_000_000]) {
    workloads.push({
      name: `${n.toLocaleString("en")} intervals`,
      a: Array.from({ length: n }, (_, i): Pair => [10 * i, 10 * i + 5]),
      b: Array.from({ length: n }, (_, i): Pair => (i % 5 === 0 ? [10 * i + 3, 10 * i + 4] : [10 * i + 3, 10 * i + 4 + (i % 5)])),
      tick: 10 * n,
    });
  }
}
if (argv.includes("--few")) {
  const few = Array.from({ length: 21 }, (_, i): Pair => [i * 50_000 + 1, i * 50_000 + 49_990]);
  const many = Array.from({ length: 100_000 }, (_, i): Pair => [10 * i + 1, 10 * i + 6]);
  workloads.push({ name: "21 | 100k intervals", a: few, b: many, tick: 1e6 }, { name: "100k | 21 intervals", a: many, b: few, tick: 1e6 });
}

function setOf(x: CoreExports, pairs: Pair[]): number {
  const s = x.rsNew();
  const ptr = x.memAlloc(pairs.length * 16);
  const v = new Float64Array(x.memory.buffer, ptr, pairs.length * 2);
  pairs.forEach(([a, b], i) => { v[2 * i] = a; v[2 * i + 1] = b - 1; });
  if (x.rsImport(s, ptr, pairs.length, 1) !== 0) throw new Error("kernels-ab: import failed");
  x.memFree(ptr);
  return s;
}
function call(x: CoreExports, op: Op, a: number, b: number, tick: number): number {
  const out = x.rsNew();
  if (op === "union") x.rsUnion(a, b, out);
  else if (op === "intersect") x.rsIntersect(a, b, out);
  else if (op === "difference") x.rsDifference(a, b, out);
  else {
    new BigUint64Array(x.memory.buffer, x.argsPtr(), 1)[0] = BigInt(tick);
    x.rsMissing(a, b, out);
  }
  return out;
}
function contents(x: CoreExports, s: number): string {
  if (x.rsCheck(s) !== 0) throw new Error(`kernels-ab: a result broke core invariant ${x.rsCheck(s)}`);
  const n = x.rsSize(s);
  const ptr = x.memAlloc(n * 16 + 16);
  const enc = x.rsExport(s, ptr);
  const v = enc === 1 ? Array.from(new Float64Array(x.memory.buffer, ptr, 2 * n)) : Array.from(new BigUint64Array(x.memory.buffer, ptr, 2 * n), String);
  x.memFree(ptr);
  return v.join(",");
}

for (const w of workloads) {
  const sets = builds.map(({ core }) => [setOf(core, w.a), setOf(core, w.b)] as const);
  for (const op of OPS) {
    const results = builds.map(({ core }, i) => {
      const out = call(core, op, sets[i]![0], sets[i]![1], w.tick);
      const c = contents(core, out);
      core.rsFree(out);
      return c;
    });
    results.forEach((r, i) => { if (r !== results[0]) throw new Error(`kernels-ab: ${builds[i]!.label} differs from ${builds[0]!.label} on ${w.name} ${op}`); });
    const stats = measure(builds.map(({ core }, i) => timed(() => core.rsFree(call(core, op, sets[i]![0], sets[i]![1], w.tick)))));
    const line = builds.map(({ label }, i) => `${label} ${formatStats(stats[i]!)}${i === 0 ? "" : ` ${(stats[0]!.median / stats[i]!.median).toFixed(2)}x`}`);
    console.log(`${`${w.name}, ${op}`.padEnd(32)} ${line.join("   ")}`);
  }
  builds.forEach(({ core }, i) => { core.rsFree(sets[i]![0]); core.rsFree(sets[i]![1]); });
}
