// Bulk transfer between JavaScript and a set: lists of closed pairs [start, last] in linear
// memory, 16 bytes a pair. JavaScript writes them through one typed-array view and makes one
// call, so no per-tick crossing of the boundary happens.
//
// Two encodings, chosen per batch by the caller (import) or by the set (export):
//   PAIRS_F64: both values as f64; exact while every value is < 2^53. Numbers need no
//              conversion on the JavaScript side, which is the fast path for ordinary ticks.
//   PAIRS_U64: both values as u64; exact for every tick.

import { appendMerge, appendUnchecked, setClear, nchunks, chunkAt, clen, pairPtr, intervalCount } from "./intervals";
import { ERR_PAIR_ORDER } from "./errors";

export const PAIRS_U64: i32 = 0;
export const PAIRS_F64: i32 = 1;
/** Largest `last` for which last + 1 is still an exact f64 integer (2^53 - 1 exclusive bound). */
const F64_SAFE_LAST: u64 = (<u64>1 << 53) - 2;

/** Index of the pair that failed validation, for the caller's error message. */
export let badPair: i32 = -1;

/**
 * Replace the set's contents with the pairs at `ptr` (n pairs, in `encoding`). Pairs may come
 * in any order and may overlap or touch: they are sorted (a stable merge sort, only when not
 * already sorted) and coalesced. Returns 0, or ERR_PAIR_ORDER with badPair set when a pair has
 * start > last. The input buffer is converted to u64 (and sorted) in place.
 */
export function importPairs(s: usize, ptr: usize, n: i32, encoding: i32): i32 {
  badPair = -1;
  if (encoding == PAIRS_F64) {
    for (let i = 0; i < n; i++) {
      const p = ptr + (<usize>i << 4);
      store<u64>(p, <u64>load<f64>(p));
      store<u64>(p, <u64>load<f64>(p, 8), 8);
    }
  }
  let sorted = true;
  let prev: u64 = 0;
  for (let i = 0; i < n; i++) {
    const p = ptr + (<usize>i << 4);
    const a = load<u64>(p);
    if (a > load<u64>(p, 8)) { badPair = i; return ERR_PAIR_ORDER; }
    if (i > 0 && a < prev) sorted = false;
    prev = a;
  }
  if (!sorted) sortPairs(ptr, n);
  setClear(s);
  for (let i = 0; i < n; i++) {
    const p = ptr + (<usize>i << 4);
    appendMerge(s, load<u64>(p), load<u64>(p, 8));
  }
  return 0;
}

/** Bottom-up merge sort of n 16-byte pairs by start. */
function sortPairs(ptr: usize, n: i32): void {
  const bytes = <usize>n << 4;
  let src = ptr;
  let dst = heap.alloc(bytes);
  const tmp = dst;
  for (let width = 1; width < n; width <<= 1) {
    for (let lo = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n), hi = min(lo + (width << 1), n);
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        const pi = src + (<usize>i << 4), pj = src + (<usize>j << 4);
        if (load<u64>(pj) < load<u64>(pi)) { memory.copy(dst + (<usize>k << 4), pj, 16); j++; }
        else { memory.copy(dst + (<usize>k << 4), pi, 16); i++; }
        k++;
      }
      if (i < mid) memory.copy(dst + (<usize>k << 4), src + (<usize>i << 4), <usize>(mid - i) << 4);
      else if (j < hi) memory.copy(dst + (<usize>k << 4), src + (<usize>j << 4), <usize>(hi - j) << 4);
    }
    const t = src; src = dst; dst = t;
  }
  if (src != ptr) memory.copy(ptr, src, bytes);
  heap.free(tmp);
}

/**
 * Write every interval of the set to `ptr` (intervalCount pairs). Returns the encoding used:
 * PAIRS_F64 when the largest tick allows it (then every value and every last + 1 is exact),
 * else PAIRS_U64.
 */
export function exportPairs(s: usize, ptr: usize): i32 {
  const n = nchunks(s);
  let encoding = PAIRS_F64;
  if (n > 0) {
    const ch = chunkAt(s, n - 1);
    if (load<u64>(pairPtr(ch, clen(ch) - 1), 8) > F64_SAFE_LAST) encoding = PAIRS_U64;
  }
  let out = ptr;
  for (let c = 0; c < n; c++) {
    const ch = chunkAt(s, c);
    const len = clen(ch);
    if (encoding == PAIRS_U64) {
      memory.copy(out, pairPtr(ch, 0), <usize>len << 4);
      out += <usize>len << 4;
    } else {
      for (let k = 0; k < len; k++) {
        const p = pairPtr(ch, k);
        store<f64>(out, <f64>load<u64>(p));
        store<f64>(out, <f64>load<u64>(p, 8), 8);
        out += 16;
      }
    }
  }
  return encoding;
}

/** Copy a set (chunk by chunk; the copy's chunks are as full as the source's). */
export function copyInto(dst: usize, src: usize): void {
  setClear(dst);
  const n = nchunks(src);
  for (let c = 0; c < n; c++) {
    const ch = chunkAt(src, c);
    const len = clen(ch);
    for (let k = 0; k < len; k++) {
      const p = pairPtr(ch, k);
      appendUnchecked(dst, load<u64>(p), load<u64>(p, 8));
    }
  }
}

/** First start and last tick of a non-empty set, or false for an empty one. */
export let boundFirst: u64 = 0;
export let boundLast: u64 = 0;
export function bounds(s: usize): bool {
  const n = nchunks(s);
  if (n == 0 || intervalCount(s) == 0) return false;
  boundFirst = load<u64>(pairPtr(chunkAt(s, 0), 0));
  const ch = chunkAt(s, n - 1);
  boundLast = load<u64>(pairPtr(ch, clen(ch) - 1), 8);
  return true;
}
