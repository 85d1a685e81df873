// Bulk transfer between JavaScript and a set: lists of closed pairs [start, last] in linear
// memory, 16 bytes a pair. JavaScript writes them through one typed-array view and makes one
// call, so no per-tick crossing of the boundary happens.
//
// Two encodings, chosen per batch by the caller (import) or by the set (export):
//   PAIRS_F64: both values as f64; exact while every value is < 2^53. Numbers need no
//              conversion on the JavaScript side, which is the fast path for ordinary ticks.
//   PAIRS_U64: both values as u64; exact for every tick.

import {
  setClear, nchunks, chunkAt, clen, pairPtr, intervalCount, setCount, chunkFirst, chunkLast, keyAt,
  setKeyAt, insertChunk, bitmapCount, addBitmapCount, CHUNK_BYTES, isBitmap, bitsPtr, BITMAP_WORDS,
  BITMAP_TICKS, U64_MAX,
} from "./chunks";
import { emitLayout, denseEnabled, DENSE_MIN } from "./dense";
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
  // coalesce in place: m maximal intervals
  let m = 0;
  let pl: u64 = 0;
  for (let i = 0; i < n; i++) {
    const p = ptr + (<usize>i << 4);
    const a = load<u64>(p), l = load<u64>(p, 8);
    if (m > 0 && (pl >= a || pl + 1 == a)) {
      if (l > pl) { pl = l; store<u64>(ptr + (<usize>(m - 1) << 4), l, 8); }
      continue;
    }
    const q = ptr + (<usize>m << 4);
    store<u64>(q, a);
    store<u64>(q, l, 8);
    pl = l;
    m++;
  }
  setClear(s);
  emitLayout(s, ptr, m, denseEnabled() && m >= DENSE_MIN, false, 0, false, 0);
  setCount(s, m);
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

const CHUNK_HEAD_BYTES: usize = 8;

/**
 * Write every interval of the set to `ptr` (intervalCount pairs, maximal: runs that continue
 * across a chunk edge come out as one). Returns the encoding used: PAIRS_F64 when the largest
 * tick allows it (then every value and every last + 1 is exact), else PAIRS_U64.
 */
export function exportPairs(s: usize, ptr: usize): i32 {
  const n = nchunks(s);
  let encoding = PAIRS_F64;
  if (n > 0 && chunkLast(s, n - 1) > F64_SAFE_LAST) encoding = PAIRS_U64;
  let out = ptr;
  if (bitmapCount(s) == 0) {
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
  // with bitmaps: runs read word by word, in locals, and coalesced across chunk edges through
  // the pending interval (the RunReader does the same, but through memory: ~10x slower here)
  xOut = ptr;
  xU64 = encoding == PAIRS_U64;
  xHave = false;
  for (let c = 0; c < n; c++) {
    const ch = chunkAt(s, c);
    const len = clen(ch);
    if (!isBitmap(ch)) {
      for (let k = 0; k < len; k++) {
        const p = pairPtr(ch, k);
        put(load<u64>(p), load<u64>(p, 8));
      }
      continue;
    }
    const key = keyAt(s, c);
    const bits = bitsPtr(ch);
    let inRun = false;
    let rs: u64 = 0;
    for (let w = 0; w < BITMAP_WORDS; w++) {
      const word = load<u64>(bits + (<usize>w << 3));
      if (inRun ? word == U64_MAX : word == 0) continue;
      const wb = key + (<u64>w << 6);
      let pos: u64 = 0;
      while (true) {
        if (!inRun) {
          const m = word & (U64_MAX << pos);
          if (m == 0) break;
          pos = ctz(m);
          rs = wb + pos;
          inRun = true;
        } else {
          const m = ~word & (U64_MAX << pos);
          if (m == 0) break;
          pos = ctz(m);
          put(rs, wb + pos - 1);
          inRun = false;
        }
      }
    }
    if (inRun) put(rs, key + (BITMAP_TICKS - 1));
  }
  if (xHave) write(xS, xL);
  return encoding;
}

let xOut: usize = 0;
let xU64 = false;
let xHave = false;
let xS: u64 = 0;
let xL: u64 = 0;

/** Export one run: joined to the pending interval when it continues it, else the pending one is written. */
@inline function put(a: u64, l: u64): void {
  if (xHave && xL != U64_MAX && a == xL + 1) { xL = l; return; }
  if (xHave) write(xS, xL);
  xS = a;
  xL = l;
  xHave = true;
}

@inline function write(a: u64, l: u64): void {
  if (xU64) {
    store<u64>(xOut, a);
    store<u64>(xOut, l, 8);
  } else {
    store<f64>(xOut, <f64>a);
    store<f64>(xOut, <f64>l, 8);
  }
  xOut += 16;
}

/** Copy a set chunk by chunk, bitmaps as bitmaps (the copy's chunks are as full as the source's). */
export function copyInto(dst: usize, src: usize): void {
  if (dst == src) return;
  setClear(dst);
  const n = nchunks(src);
  for (let c = 0; c < n; c++) {
    const from = chunkAt(src, c);
    const ch = insertChunk(dst, c);
    memory.copy(ch, from, isBitmap(from) ? CHUNK_BYTES : CHUNK_HEAD_BYTES + (<usize>clen(from) << 4));
    setKeyAt(dst, c, keyAt(src, c));
  }
  setCount(dst, intervalCount(src));
  addBitmapCount(dst, bitmapCount(src));
}

/** First start and last tick of a non-empty set, or false for an empty one. */
export let boundFirst: u64 = 0;
export let boundLast: u64 = 0;
export function bounds(s: usize): bool {
  const n = nchunks(s);
  if (n == 0 || intervalCount(s) == 0) return false;
  boundFirst = chunkFirst(s, 0);
  boundLast = chunkLast(s, n - 1);
  return true;
}
