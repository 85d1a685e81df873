// The flat ABI of the WebAssembly core: plain numbers in and out, nothing else.
//
// Sets are handles (pointers to a set header, see chunks.ts). Ticks cross the boundary in
// one of two ways:
//   - as f64 parameters, for ticks < 2^53: the fast path for point operations, since a u64
//     parameter would cost JavaScript a BigInt per call;
//   - through the ARGS area (four u64 slots in linear memory, see argsPtr), for any tick up
//     to 2^64 - 1: the caller writes through a BigUint64Array view, then calls the *_args form.
// Lists of intervals cross in bulk through buffers from memAlloc (see transfer.ts).
//
// Every tick range passed in is closed, [a, l], with a <= l; the TypeScript side converts
// from the wire's half-open [a, b) and validates before calling.

import {
  setNew, setFree, setClear, setTake, intervalCount, bitmapCount,
} from "./chunks";
import {
  has, addRange, discardRange, addPoint, discardPoint, check,
} from "./intervals";
import { setDense } from "./dense";
import { union, intersect, difference, neither, equals, count, countCarry, raster } from "./merge";
import { sweep, MODE_BUILD, MODE_ANY } from "./sweep";
import { equalsSimd } from "./merge-simd";
import { importPairs, exportPairs, copyInto, bounds, boundFirst, boundLast, badPair } from "./transfer";

/** Four u64 argument / result slots. */
const ARGS: usize = memory.data(32, 8);
@inline function arg(i: i32): u64 { return load<u64>(ARGS + (<usize>i << 3)); }
@inline function setArg(i: i32, v: u64): void { store<u64>(ARGS + (<usize>i << 3), v); }

export function argsPtr(): usize { return ARGS; }
/** 1 in the build with v128 kernels (asc --enable simd), 0 in the scalar build. */
export function coreSimd(): i32 { return ASC_FEATURE_SIMD ? 1 : 0; }
export function memAlloc(bytes: usize): usize { return heap.alloc(bytes); }
export function memFree(ptr: usize): void { heap.free(ptr); }

// ---- lifetime ----
export function rsNew(): usize { return setNew(); }
export function rsFree(s: usize): void { setFree(s); }
export function rsClear(s: usize): void { setClear(s); }
/** Move b's contents into a; b becomes empty. */
export function rsTake(a: usize, b: usize): void { setTake(a, b); }
export function rsCopy(dst: usize, src: usize): void { copyInto(dst, src); }

// ---- point operations ----
export function rsAdd(s: usize, a: f64, l: f64): void { addRange(s, <u64>a, <u64>l); }
export function rsDiscard(s: usize, a: f64, l: f64): void { discardRange(s, <u64>a, <u64>l); }
export function rsHas(s: usize, t: f64): bool { return has(s, <u64>t); }
/** One tick < 2^53: the fast path of add(t) / discard(t). */
export function rsAddTick(s: usize, t: f64): void { addPoint(s, <u64>t); }
export function rsDiscardTick(s: usize, t: f64): void { discardPoint(s, <u64>t); }
/** ARGS[0] = a, ARGS[1] = l. */
export function rsAddArgs(s: usize): void { addRange(s, arg(0), arg(1)); }
export function rsDiscardArgs(s: usize): void { discardRange(s, arg(0), arg(1)); }
/** ARGS[0] = t. */
export function rsHasArgs(s: usize): bool { return has(s, arg(0)); }
/** ARGS[0] = t: one tick, any u64. */
export function rsAddTickArgs(s: usize): void { addPoint(s, arg(0)); }
export function rsDiscardTickArgs(s: usize): void { discardPoint(s, arg(0)); }

// ---- measures ----
export function rsSize(s: usize): i32 { return intervalCount(s); }
/**
 * Number of ticks. Returns it as f64 when exact (< 2^53), else -1; either way ARGS[0] holds
 * the low 64 bits and ARGS[1] the carry (1 only for the full universe, 2^64 ticks).
 */
export function rsCount(s: usize): f64 {
  const c = count(s);
  setArg(0, c);
  setArg(1, countCarry);
  return countCarry == 0 && c < (<u64>1 << 53) ? <f64>c : -1;
}
/** First tick in ARGS[0], last tick in ARGS[1]; false when empty. */
export function rsBounds(s: usize): bool {
  if (!bounds(s)) return false;
  setArg(0, boundFirst);
  setArg(1, boundLast);
  return true;
}
export function rsCheck(s: usize): i32 { return check(s); }

// ---- bulk operations ----
/** out = op(a, b) restricted to [ARGS[0], ARGS[1]]; `op` is a truth table (merge.ts). out must be empty. */
export function rsSweep(a: usize, b: usize, op: u32, out: usize): void {
  sweep(a, b, op, arg(0), arg(1), MODE_BUILD, out);
}
/** Whether op(a, b) restricted to [ARGS[0], ARGS[1]] has any tick (subset and disjointness tests). */
export function rsAny(a: usize, b: usize, op: u32): bool {
  return sweep(a, b, op, arg(0), arg(1), MODE_ANY, 0) != 0;
}
/** out = a | b, a & b, a - b (out must be empty): the dedicated kernels. */
export function rsUnion(a: usize, b: usize, out: usize): void { union(a, b, out); }
export function rsIntersect(a: usize, b: usize, out: usize): void { intersect(a, b, out); }
export function rsDifference(a: usize, b: usize, out: usize): void { difference(a, b, out); }
/** Whether a and b hold the same ticks: the v128 kernel in the SIMD build (merge-simd.ts). */
export function rsEquals(a: usize, b: usize): bool {
  // the v128 kernel reads pairs only: sets with bitmap chunks take the generic equals
  return ASC_FEATURE_SIMD && (bitmapCount(a) | bitmapCount(b)) == 0 ? equalsSimd(a, b) : equals(a, b);
}
/**
 * When point adds and imports make bitmap chunks: a window becomes one when denseMin intervals
 * start in it (default 1024; 0: never, pairs only as before), and goes back to pairs below
 * sparseBits ticks (default 64); a point insert into a pair chunk of densifyAt pairs or more checks
 * its window (default 256, a full chunk about to split). For tests and experiments (dense.ts).
 */
export function rsSetDense(denseMin: i32, sparseBits: i32, densifyAt: i32): void { setDense(denseMin, sparseBits, densifyAt); }
/** Bitmap chunks in s (0: every kernel takes its pairs-only path). */
export function rsBitmaps(s: usize): i32 { return bitmapCount(s); }
/** out = [1, ARGS[0]] - present - superseded: a node's missing ticks, in one pass. */
export function rsMissing(present: usize, superseded: usize, out: usize): void {
  const tick = arg(0);
  if (tick == 0) return;
  neither(present, superseded, 1, tick, out);
}

/** Coverage of [ARGS[0], ARGS[1]] in `width` pixels, as f32 shares 0..1 at `out` (for drawing). */
export function rsRaster(s: usize, width: i32, out: usize): void { raster(s, arg(0), arg(1), width, out); }

// ---- bulk transfer ----
/** Replace s with n pairs at ptr (encoding 0 = u64, 1 = f64). 0 or an error code (index: rsBadPair). */
export function rsImport(s: usize, ptr: usize, n: i32, encoding: i32): i32 { return importPairs(s, ptr, n, encoding); }
export function rsBadPair(): i32 { return badPair; }
/** Write all pairs of s to ptr (rsSize(s) * 16 bytes); returns the encoding used. */
export function rsExport(s: usize, ptr: usize): i32 { return exportPairs(s, ptr); }

