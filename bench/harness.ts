// Timing helpers for the benchmark: repeated runs, robust statistics, noise, formatting.
//
// A case is a function timed with performance.now(). Each call may perform many operations
// (`ops`); every figure is reported per operation, in nanoseconds. Short calls are timed in
// batches (a sample is the mean of `batch` consecutive calls lasting >= ~10 ms), so timer
// granularity does not matter and cases of different speeds are sampled at a similar pace.
// Whatever a call builds must be dropped or freed inside the call (a wasm RangeSet disposed,
// a JS result left to the collector): freeing is part of the cost, as garbage collection is
// for a JS result, and nothing piles up over a batch.
//
// The implementations compared on one workload are measured together, taking samples in turn
// (round robin): on a shared virtual machine the speed of the CPU drifts and jumps over seconds,
// and interleaving makes such phases hit every implementation alike instead of favouring
// whichever ran during a fast one.

import { performance } from "node:perf_hooks";

/** Per-operation timing of one case, in nanoseconds. */
export interface Stats {
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
  /** Timed samples. */
  samples: number;
  /** Calls per sample. */
  batch: number;
  /** Operations per call. */
  ops: number;
}

export interface CaseOptions {
  /** Operations per call; the figures are divided by it. Default 1. */
  ops?: number;
}

/** A case ready to be measured; build it with timed(). */
export interface Case {
  readonly ops: number;
  /** Warm up for at least `ms` (and 3 calls); size the batch so a sample lasts >= minSampleMs. */
  warmUp(ms: number, minSampleMs: number): void;
  /** Time one batch; returns milliseconds per call. */
  sample(): number;
  readonly batch: number;
}

export interface RunOptions {
  /** Sample each case until this much time has been spent timing it... Default 300 ms. */
  minTimeMs?: number;
  /** ...and at least this many samples have been taken. Default 10. */
  minSamples?: number;
  /** Stop a case once this much time has been spent, provided 3 samples were taken. Default 2000 ms. */
  maxTimeMs?: number;
  /**
   * Untimed warm-up per case: at least this long and 3 calls. Default 100 ms: V8 starts wasm
   * functions in its baseline compiler and swaps in optimised code in the background, which
   * takes milliseconds of wall time however fast the calls are.
   */
  warmupMs?: number;
  /** Batch calls so that a sample lasts at least this long. Default 10 ms. */
  minSampleMs?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Whether the process runs with --expose-gc (so cases start from a collected heap). */
export const gcAvailable = gc !== undefined;

/** Run a full garbage collection when available; called before every group of cases. */
export function collect(): void {
  gc?.();
}

/** Where call results go, so that no call can be optimised away as unused. */
export let sink: unknown;

/** Wrap a function as a case. */
export function timed(fn: () => unknown, options: CaseOptions = {}): Case {
  let batch = 1;
  return {
    ops: options.ops ?? 1,
    get batch() {
      return batch;
    },
    warmUp(ms, minSampleMs) {
      let fastest = Infinity;
      for (let calls = 0, start = performance.now(); calls < 3 || performance.now() - start < ms; calls++) {
        const t0 = performance.now();
        sink = fn();
        fastest = Math.min(fastest, performance.now() - t0);
      }
      batch = Math.max(1, Math.ceil(minSampleMs / Math.max(fastest, 1e-6)));
    },
    sample() {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) sink = fn();
      return (performance.now() - t0) / batch;
    },
  };
}

/**
 * Measure cases together: collect garbage, warm each up, then take samples from each in turn
 * until every case has had its time and sample count. Returns one Stats per case, in order.
 */
export function measure(cases: readonly Case[], options: RunOptions = {}): Stats[] {
  const minTime = options.minTimeMs ?? 300;
  const minSamples = options.minSamples ?? 10;
  const maxTime = options.maxTimeMs ?? 2000;

  collect();
  for (const c of cases) c.warmUp(options.warmupMs ?? 100, options.minSampleMs ?? 10);

  const times = cases.map((): number[] => []);
  const spent = cases.map(() => 0);
  const done = (i: number): boolean =>
    (spent[i]! >= minTime && times[i]!.length >= minSamples) || (spent[i]! >= maxTime && times[i]!.length >= 3);
  while (cases.some((_, i) => !done(i))) {
    cases.forEach((c, i) => {
      if (done(i)) return;
      const ms = c.sample();
      times[i]!.push(ms);
      spent[i]! += ms * c.batch;
    });
  }
  return cases.map((c, i) => summarise(times[i]!, c));
}

/** Per-operation statistics of per-call sample times (ms). */
function summarise(samples: number[], c: Case): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const perOp = (ms: number): number => (ms * 1e6) / c.ops;
  return {
    median: perOp(quantile(sorted, 0.5)),
    p10: perOp(quantile(sorted, 0.1)),
    p90: perOp(quantile(sorted, 0.9)),
    min: perOp(sorted[0]!),
    max: perOp(sorted[sorted.length - 1]!),
    samples: sorted.length,
    batch: c.batch,
    ops: c.ops,
  };
}

/** Linear-interpolated quantile of an ascending array. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** How reproducible a case is on this machine. */
export interface Noise {
  /** Median of each repetition, ns per operation. */
  medians: number[];
  /** (largest - smallest median) / median of medians. */
  relativeSpread: number;
  /** Median over repetitions of (p90 - p10) / median within one repetition. */
  withinRunSpread: number;
}

/**
 * Measure the same case `repeats` times, each as a separate measurement (with its own gc and
 * warm-up), and report how much the medians move: differences between runs smaller than this
 * spread are not meaningful.
 */
export function measureNoise(c: Case, repeats = 5): Noise {
  const runs = Array.from({ length: repeats }, () => measure([c])[0]!);
  const medians = runs.map((r) => r.median);
  const sortedMedians = [...medians].sort((a, b) => a - b);
  const mid = quantile(sortedMedians, 0.5);
  const within = runs.map((r) => (r.p90 - r.p10) / r.median).sort((a, b) => a - b);
  return {
    medians,
    relativeSpread: (sortedMedians[sortedMedians.length - 1]! - sortedMedians[0]!) / mid,
    withinRunSpread: quantile(within, 0.5),
  };
}

const UNITS: readonly [number, string][] = [[1e9, "s"], [1e6, "ms"], [1e3, "µs"], [1, "ns"]];

/** The largest unit that keeps ns at or above 1 of it. */
function unitFor(ns: number): [number, string] {
  return UNITS.find(([scale]) => ns >= scale) ?? UNITS[UNITS.length - 1]!;
}

/** A duration in nanoseconds with a readable unit: "812 ns", "3.41 µs", "12.6 ms". */
export function formatNs(ns: number): string {
  const [scale, unit] = unitFor(ns);
  return `${(ns / scale).toPrecision(3)} ${unit}`;
}

/** Median with its p10-p90 band in the median's unit, e.g. "1.20 ms [1.18-1.31]". */
export function formatStats(s: Stats): string {
  const [scale] = unitFor(s.median);
  const band = (ns: number): string => (ns / scale).toPrecision(3);
  return `${formatNs(s.median)} [${band(s.p10)}-${band(s.p90)}]`;
}

/** Render rows as a left-aligned text table with a header rule. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
