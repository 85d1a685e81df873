// The interval structure: a set of u64 ticks kept as sorted, disjoint, non-adjacent
// closed intervals [start, last], stored in a chunked array.
//
// Why closed intervals inside: the wire form is half-open [a, b), but a set that holds the
// tick 2^64 - 1 would need b = 2^64, which no u64 can hold. Storing `last` instead of `end`
// keeps every representable tick representable; the TypeScript side converts at the border.
//
// Why chunks: a live node applies one point change per update to sets that are heavily
// fragmented (a million intervals is realistic). A flat array would make every insert an
// O(n) memmove. Here the intervals live in chunks of at most CHUNK_CAP pairs; a sorted array
// of each chunk's first start (the "keys") finds the chunk by binary search, a second binary
// search finds the pair, and an insert moves at most one chunk's worth of pairs. Bulk merges
// walk the chunks in order, so they stay plain linear scans.
//
// Memory (all raw, from the TLSF heap; nothing here is garbage-collected):
//
//   set header, SET_SIZE bytes:
//     +0  nchunks   i32     chunks in use
//     +4  capacity  i32     slots in the two arrays below
//     +8  chunks    usize   -> capacity x u32: chunk pointers, in order
//     +12 keys      usize   -> capacity x u64: first start of each chunk
//     +16 count     i32     intervals in the whole set
//
//   chunk, CHUNK_BYTES bytes:
//     +0  len       i32     pairs in use (1..CHUNK_CAP; an empty chunk is removed at once)
//     +8  pairs     CHUNK_CAP x { start: u64, last: u64 }

import {
  INVARIANT_CHUNK_LENGTH, INVARIANT_KEY, INVARIANT_PAIR_ORDER, INVARIANT_SORTED_DISJOINT, INVARIANT_NOT_ADJACENT, INVARIANT_COUNT,
} from "./errors";

/** Pairs per chunk. 256 pairs = 4 KiB: an insert moves 2 KiB on average. */
export const CHUNK_CAP: i32 = 256;
/** A chunk shorter than this tries to merge with a neighbour, so chunks stay >= 1/4 full on average. */
export const CHUNK_LOW: i32 = CHUNK_CAP / 4;
const CHUNK_HEAD: usize = 8;
const PAIR: usize = 16;
export const CHUNK_BYTES: usize = CHUNK_HEAD + <usize>CHUNK_CAP * PAIR;
export const SET_SIZE: usize = 20;
export const U64_MAX: u64 = 0xFFFF_FFFF_FFFF_FFFF;

// ---- raw accessors (unchecked: callers keep indices in range) ----

@inline export function nchunks(s: usize): i32 { return load<i32>(s, 0); }
@inline function setNchunks(s: usize, n: i32): void { store<i32>(s, n, 0); }
@inline function capacity(s: usize): i32 { return load<i32>(s, 4); }
@inline function chunkArr(s: usize): usize { return load<usize>(s, 8); }
@inline function keyArr(s: usize): usize { return load<usize>(s, 12); }
@inline export function intervalCount(s: usize): i32 { return load<i32>(s, 16); }
@inline export function addCount(s: usize, d: i32): void { store<i32>(s, load<i32>(s, 16) + d, 16); }

@inline export function chunkAt(s: usize, c: i32): usize { return <usize>load<u32>(chunkArr(s) + (<usize>c << 2)); }
@inline function setChunkAt(s: usize, c: i32, p: usize): void { store<u32>(chunkArr(s) + (<usize>c << 2), <u32>p); }
@inline function keyAt(s: usize, c: i32): u64 { return load<u64>(keyArr(s) + (<usize>c << 3)); }
@inline export function setKeyAt(s: usize, c: i32, k: u64): void { store<u64>(keyArr(s) + (<usize>c << 3), k); }

@inline export function clen(ch: usize): i32 { return load<i32>(ch); }
@inline export function setClen(ch: usize, n: i32): void { store<i32>(ch, n); }
/** Address of pair k of a chunk. */
@inline export function pairPtr(ch: usize, k: i32): usize { return ch + CHUNK_HEAD + (<usize>k << 4); }
@inline export function startAt(ch: usize, k: i32): u64 { return load<u64>(pairPtr(ch, k)); }
@inline export function lastAt(ch: usize, k: i32): u64 { return load<u64>(pairPtr(ch, k), 8); }
@inline function setPair(ch: usize, k: i32, a: u64, l: u64): void {
  const p = pairPtr(ch, k);
  store<u64>(p, a);
  store<u64>(p, l, 8);
}
/** Keep a chunk's key equal to its first start after its front changed. */
@inline function syncKey(s: usize, c: i32): void { setKeyAt(s, c, startAt(chunkAt(s, c), 0)); }

// ---- lifetime ----

export function setNew(): usize {
  const s = heap.alloc(SET_SIZE);
  const cap = 4;
  store<i32>(s, 0, 0);
  store<i32>(s, cap, 4);
  store<usize>(s, heap.alloc(<usize>cap << 2), 8);
  store<usize>(s, heap.alloc(<usize>cap << 3), 12);
  store<i32>(s, 0, 16);
  return s;
}

export function setClear(s: usize): void {
  const n = nchunks(s);
  for (let c = 0; c < n; c++) heap.free(chunkAt(s, c));
  setNchunks(s, 0);
  store<i32>(s, 0, 16);
}

export function setFree(s: usize): void {
  setClear(s);
  heap.free(chunkArr(s));
  heap.free(keyArr(s));
  heap.free(s);
}

/** Move b's contents into a (whose old contents are freed); b is left empty. */
export function setTake(a: usize, b: usize): void {
  setClear(a);
  heap.free(chunkArr(a));
  heap.free(keyArr(a));
  memory.copy(a, b, SET_SIZE);
  const cap = 4;
  store<i32>(b, 0, 0);
  store<i32>(b, cap, 4);
  store<usize>(b, heap.alloc(<usize>cap << 2), 8);
  store<usize>(b, heap.alloc(<usize>cap << 3), 12);
  store<i32>(b, 0, 16);
}

function ensureCapacity(s: usize, want: i32): void {
  let cap = capacity(s);
  if (want <= cap) return;
  while (cap < want) cap <<= 1;
  store<usize>(s, heap.realloc(chunkArr(s), <usize>cap << 2), 8);
  store<usize>(s, heap.realloc(keyArr(s), <usize>cap << 3), 12);
  store<i32>(s, cap, 4);
}

/** Make room for a new (empty) chunk at index c and return it. */
export function insertChunk(s: usize, c: i32): usize {
  const n = nchunks(s);
  ensureCapacity(s, n + 1);
  const ca = chunkArr(s), ka = keyArr(s);
  memory.copy(ca + (<usize>(c + 1) << 2), ca + (<usize>c << 2), <usize>(n - c) << 2);
  memory.copy(ka + (<usize>(c + 1) << 3), ka + (<usize>c << 3), <usize>(n - c) << 3);
  const ch = heap.alloc(CHUNK_BYTES);
  setClen(ch, 0);
  setChunkAt(s, c, ch);
  setNchunks(s, n + 1);
  return ch;
}

/** Free chunks [c1, c2) and close the gap. */
function removeChunks(s: usize, c1: i32, c2: i32): void {
  if (c2 <= c1) return;
  const n = nchunks(s);
  for (let c = c1; c < c2; c++) heap.free(chunkAt(s, c));
  const ca = chunkArr(s), ka = keyArr(s);
  memory.copy(ca + (<usize>c1 << 2), ca + (<usize>c2 << 2), <usize>(n - c2) << 2);
  memory.copy(ka + (<usize>c1 << 3), ka + (<usize>c2 << 3), <usize>(n - c2) << 3);
  setNchunks(s, n - (c2 - c1));
}

/** Split a full chunk in two halves; the upper half becomes chunk c + 1. */
function splitChunk(s: usize, c: i32): void {
  const ch = chunkAt(s, c);
  const len = clen(ch);
  const half = len >> 1;
  const nu = insertChunk(s, c + 1);
  memory.copy(pairPtr(nu, 0), pairPtr(ch, half), <usize>(len - half) << 4);
  setClen(nu, len - half);
  setClen(ch, half);
  syncKey(s, c + 1);
}

/** Merge chunk c into a neighbour when both are small; removes c if it is empty. */
function rebalance(s: usize, c: i32): void {
  const ch = chunkAt(s, c);
  const len = clen(ch);
  if (len == 0) { removeChunks(s, c, c + 1); return; }
  if (len >= CHUNK_LOW) return;
  const n = nchunks(s);
  if (c + 1 < n) {
    const nx = chunkAt(s, c + 1);
    const nl = clen(nx);
    if (len + nl <= CHUNK_CAP / 2) {
      memory.copy(pairPtr(ch, len), pairPtr(nx, 0), <usize>nl << 4);
      setClen(ch, len + nl);
      removeChunks(s, c + 1, c + 2);
      return;
    }
  }
  if (c > 0) {
    const pv = chunkAt(s, c - 1);
    const pl = clen(pv);
    if (len + pl <= CHUNK_CAP / 2) {
      memory.copy(pairPtr(pv, pl), pairPtr(ch, 0), <usize>len << 4);
      setClen(pv, len + pl);
      removeChunks(s, c, c + 1);
    }
  }
}

// ---- search ----

/** Position found by locate(): chunk index and pair index; locK == -1 means "before everything". */
export let locC: i32 = 0;
export let locK: i32 = -1;

/**
 * Find the last interval whose start is <= t. Sets locC/locK; locK = -1 (with locC = 0) when
 * every start is > t or the set is empty. O(log n): two binary searches.
 */
export function locate(s: usize, t: u64): void {
  const n = nchunks(s);
  locC = 0; locK = -1;
  if (n == 0) return;
  // last chunk whose key <= t: guided by the spread of the keys (first key .. last pair's
  // last), then galloping and binary search (see searchGuided)
  const ka = keyArr(s);
  if (load<u64>(ka) > t) return;
  let lo = 0;
  if (n > 1) {
    const lastCh = chunkAt(s, n - 1);
    const end = lastAt(lastCh, clen(lastCh) - 1);
    lo = t > end ? n - 1 : gallop(ka, 3, n, t, load<u64>(ka), end);
  }
  const ch = chunkAt(s, lo);
  locC = lo;
  locK = lo + 1 < n ? searchGuided(ch, t, keyAt(s, lo), keyAt(s, lo + 1)) : searchChunk(ch, t, 0, clen(ch) - 1);
}

/** Last pair in [a, b] of a chunk whose start is <= t; start(a) <= t. Binary search. */
function searchChunk(ch: usize, t: u64, a: i32, b: i32): i32 {
  const p0 = pairPtr(ch, 0);
  while (a < b) {
    const mid = (a + b + 1) >> 1;
    if (load<u64>(p0 + (<usize>mid << 4)) <= t) a = mid; else b = mid - 1;
  }
  return a;
}

/**
 * Last pair of a chunk whose start is <= t, where every start lies in [lo, hi) (lo: the chunk's
 * key, hi: the next chunk's key) and lo <= t < hi. Interpolation first, then a galloping search
 * around the guess: in a chunk not in cache, each probe of a binary search is a cache miss of
 * its own (five or six per lookup at random positions in 1,000,000 intervals), while the guess
 * usually lands on the right line of an evenly spread chunk. However uneven the chunk, the
 * gallop plus binary search costs at most about twice the plain binary search's probes.
 */
function searchGuided(ch: usize, t: u64, lo: u64, hi: u64): i32 {
  const len = clen(ch);
  if (len <= 4) return searchChunk(ch, t, 0, len - 1);
  return gallop(pairPtr(ch, 0), 4, len, t, lo, hi);
}

/**
 * The last of `len` sorted u64 values (at p0, 1 << shift bytes apart) that is <= t, where
 * values[0] <= t and every value lies in [lo, hi]: interpolate, gallop from the guess, then
 * binary search between the last two gallop probes.
 */
function gallop(p0: usize, shift: i32, len: i32, t: u64, lo: u64, hi: u64): i32 {
  let g = hi > lo ? <i32>(<f64>(t - lo) / <f64>(hi - lo) * <f64>len) : 0;
  if (g >= len) g = len - 1;
  if (g < 0) g = 0;
  let a: i32, b: i32;
  if (load<u64>(p0 + (<usize>g << shift)) <= t) {
    // answer in [g, len): gallop up
    a = g;
    let step = 1;
    let h = g + 1;
    while (h < len && load<u64>(p0 + (<usize>h << shift)) <= t) { a = h; step <<= 1; h = g + step; }
    b = (h < len ? h : len) - 1;
  } else {
    // answer in [0, g): gallop down; values[0] <= t
    b = g - 1;
    let step = 1;
    let h = g - 1;
    while (h > 0 && load<u64>(p0 + (<usize>h << shift)) > t) { b = h - 1; step <<= 1; h = g - step; }
    a = h > 0 ? h : 0;
  }
  while (a < b) {
    const mid = (a + b + 1) >> 1;
    if (load<u64>(p0 + (<usize>mid << shift)) <= t) a = mid; else b = mid - 1;
  }
  return a;
}

export function has(s: usize, t: u64): bool {
  locate(s, t);
  if (locK < 0) return false;
  return lastAt(chunkAt(s, locC), locK) >= t;
}

// ---- positional splice ----

/**
 * Replace the intervals from position (c1, k1) up to, not including, (c2, k2) with n (0..2)
 * new intervals [a0, l0], [a1, l1]. (c2, k2) may be (c, len(c)). The caller guarantees the
 * result stays sorted, disjoint and non-adjacent.
 */
function splice(s: usize, c1: i32, k1: i32, c2: i32, k2: i32, n: i32, a0: u64, l0: u64, a1: u64, l1: u64): void {
  if (nchunks(s) == 0) {
    if (n == 0) return;
    const ch = insertChunk(s, 0);
    setPair(ch, 0, a0, l0);
    if (n == 2) setPair(ch, 1, a1, l1);
    setClen(ch, n);
    syncKey(s, 0);
    addCount(s, n);
    return;
  }
  if (c1 != c2) {
    // Cut the tail of c1, the head of c2, and every chunk in between.
    let removed = 0;
    const ch1 = chunkAt(s, c1);
    removed += clen(ch1) - k1;
    setClen(ch1, k1);
    for (let c = c1 + 1; c < c2; c++) removed += clen(chunkAt(s, c));
    const ch2 = chunkAt(s, c2);
    const l2 = clen(ch2);
    removed += k2;
    memory.copy(pairPtr(ch2, 0), pairPtr(ch2, k2), <usize>(l2 - k2) << 4);
    setClen(ch2, l2 - k2);
    removeChunks(s, c1 + 1, c2);
    addCount(s, -removed);
    // c2 now sits at c1 + 1. Insert the new pieces at the end of c1.
    c2 = c1 + 1;
    if (clen(ch2) == 0) removeChunks(s, c2, c2 + 1); else syncKey(s, c2);
    if (n > 0) spliceInChunk(s, c1, k1, k1, n, a0, l0, a1, l1);
    else if (clen(chunkAt(s, c1)) == 0) { removeChunks(s, c1, c1 + 1); if (c1 < nchunks(s)) rebalance(s, c1); return; }
    if (c1 + 1 < nchunks(s)) rebalance(s, c1 + 1);
    rebalance(s, c1);
    return;
  }
  spliceInChunk(s, c1, k1, k2, n, a0, l0, a1, l1);
  rebalance(s, c1);
}

/** splice() within one chunk; splits the chunk first when the result would not fit. */
function spliceInChunk(s: usize, c: i32, k1: i32, k2: i32, n: i32, a0: u64, l0: u64, a1: u64, l1: u64): void {
  let ch = chunkAt(s, c);
  let len = clen(ch);
  const delta = n - (k2 - k1);
  if (len + delta > CHUNK_CAP) {
    // Only an insert can overflow, and it removes at most one pair, so after the split
    // [k1, k2) lies wholly in one half.
    splitChunk(s, c);
    const half = clen(ch);
    if (k1 >= half) {
      c += 1; k1 -= half; k2 -= half;
      ch = chunkAt(s, c);
    }
    len = clen(ch);
  }
  if (k2 < len && delta != 0) {
    memory.copy(pairPtr(ch, k2 + delta), pairPtr(ch, k2), <usize>(len - k2) << 4);
  }
  if (n >= 1) setPair(ch, k1, a0, l0);
  if (n == 2) setPair(ch, k1 + 1, a1, l1);
  setClen(ch, len + delta);
  addCount(s, delta);
  if (len + delta > 0 && k1 == 0) syncKey(s, c);
}

// ---- point operations (all O(log n) search + at most one chunk moved) ----

/** Position after (c, k), normalised so k < len(c) unless it is the end of the set. */
let nextC: i32 = 0;
let nextK: i32 = 0;
function after(s: usize, c: i32, k: i32): void {
  if (k < 0) { nextC = 0; nextK = 0; return; }
  if (k + 1 < clen(chunkAt(s, c)) || c + 1 >= nchunks(s)) { nextC = c; nextK = k + 1; return; }
  nextC = c + 1; nextK = 0;
}

/** Add [a, l] (a <= l). */
export function addRange(s: usize, a: u64, l: u64): void {
  // Fast path: past the end of the set, the common case of ticks arriving in order.
  const n = nchunks(s);
  if (n == 0) {
    appendUnchecked(s, a, l);
    return;
  }
  const lastCh = chunkAt(s, n - 1);
  const lastK = clen(lastCh) - 1;
  const ll = lastAt(lastCh, lastK);
  if (a > ll) {
    if (a == ll + 1) store<u64>(pairPtr(lastCh, lastK), l, 8); // extends the last interval
    else appendUnchecked(s, a, l);
    return;
  }
  // i: first interval that overlaps or touches [a, l] from the left.
  locate(s, a);
  let ic: i32, ik: i32;
  if (locK >= 0) {
    const lp = lastAt(chunkAt(s, locC), locK);
    if (lp >= a || lp + 1 == a) { ic = locC; ik = locK; }
    else { after(s, locC, locK); ic = nextC; ik = nextK; }
  } else { ic = 0; ik = 0; }
  // j: last interval that overlaps or touches [a, l] from the right.
  if (l == U64_MAX) {
    const n = nchunks(s);
    if (n == 0) { locC = 0; locK = -1; } else { locC = n - 1; locK = clen(chunkAt(s, n - 1)) - 1; }
  } else {
    locate(s, l + 1);
  }
  const jc = locC, jk = locK;
  // Does j come at or after i?
  if (jk >= 0 && (jc > ic || (jc == ic && jk >= ik))) {
    const ai = startAt(chunkAt(s, ic), ik);
    const lj = lastAt(chunkAt(s, jc), jk);
    const na = ai < a ? ai : a;
    const nl = lj > l ? lj : l;
    splice(s, ic, ik, jc, jk + 1, 1, na, nl, 0, 0);
  } else {
    splice(s, ic, ik, ic, ik, 1, a, l, 0, 0);
  }
}

/** The pair after (c, k) in set order, or (nchunks, 0) at the end. */
@inline function nextPos(s: usize, c: i32, k: i32): void {
  if (k + 1 < clen(chunkAt(s, c))) { nextC = c; nextK = k + 1; }
  else { nextC = c + 1; nextK = 0; }
}

/** Remove pair k of chunk c, keeping keys and chunk sizes in order. */
function removePair(s: usize, c: i32, k: i32): void {
  spliceInChunk(s, c, k, k + 1, 0, 0, 0, 0, 0);
  rebalance(s, c);
}

/**
 * Add one tick: one search, then at most one pair inserted or removed. The general addRange
 * searches twice and goes through splice(); a point add is the hot path of a live node.
 */
export function addPoint(s: usize, t: u64): void {
  const n = nchunks(s);
  if (n == 0) { appendUnchecked(s, t, t); return; }
  const lastCh = chunkAt(s, n - 1);
  const lastK = clen(lastCh) - 1;
  const ll = lastAt(lastCh, lastK);
  if (t > ll) {
    // past the end: ticks arriving in order
    if (t == ll + 1) store<u64>(pairPtr(lastCh, lastK), t, 8);
    else appendUnchecked(s, t, t);
    return;
  }
  locate(s, t);
  const c = locC, k = locK;
  let left = false;
  if (k >= 0) {
    const l = lastAt(chunkAt(s, c), k);
    if (l >= t) return; // already in
    left = l + 1 == t;
  }
  // the next interval exists: t <= ll, and t is not inside any interval
  let nc: i32, nk: i32;
  if (k < 0) { nc = 0; nk = 0; } else { nextPos(s, c, k); nc = nextC; nk = nextK; }
  const nch = chunkAt(s, nc);
  const right = startAt(nch, nk) == t + 1;
  if (left && right) {
    // t joins two intervals: the left one takes the right one's end, the right one goes
    store<u64>(pairPtr(chunkAt(s, c), k), lastAt(nch, nk), 8);
    removePair(s, nc, nk);
  } else if (left) {
    store<u64>(pairPtr(chunkAt(s, c), k), t, 8);
  } else if (right) {
    store<u64>(pairPtr(nch, nk), t);
    if (nk == 0) setKeyAt(s, nc, t);
  } else if (k < 0) {
    spliceInChunk(s, 0, 0, 0, 1, t, t, 0, 0);
  } else {
    spliceInChunk(s, c, k + 1, k + 1, 1, t, t, 0, 0);
  }
}

/** Remove one tick: one search, then at most one pair inserted or removed. */
export function discardPoint(s: usize, t: u64): void {
  if (nchunks(s) == 0) return;
  locate(s, t);
  const c = locC, k = locK;
  if (k < 0) return;
  const ch = chunkAt(s, c);
  const a = startAt(ch, k), l = lastAt(ch, k);
  if (l < t) return; // not in
  if (a == l) { removePair(s, c, k); return; }
  if (a == t) {
    store<u64>(pairPtr(ch, k), t + 1);
    if (k == 0) setKeyAt(s, c, t + 1);
  } else if (l == t) {
    store<u64>(pairPtr(ch, k), t - 1, 8);
  } else {
    // split [a, l] into [a, t - 1] and [t + 1, l]
    store<u64>(pairPtr(ch, k), t - 1, 8);
    spliceInChunk(s, c, k + 1, k + 1, 1, t + 1, l, 0, 0);
  }
}

/** Remove [a, l] (a <= l). */
export function discardRange(s: usize, a: u64, l: u64): void {
  if (nchunks(s) == 0) return;
  locate(s, a);
  let ic: i32, ik: i32;
  if (locK >= 0 && lastAt(chunkAt(s, locC), locK) >= a) { ic = locC; ik = locK; }
  else { after(s, locC, locK); ic = nextC; ik = nextK; }
  if (ik >= clen(chunkAt(s, ic))) return; // everything ends before a
  locate(s, l);
  const jc = locC, jk = locK;
  if (jk < 0 || jc < ic || (jc == ic && jk < ik)) return; // nothing overlaps
  const ai = startAt(chunkAt(s, ic), ik);
  const lj = lastAt(chunkAt(s, jc), jk);
  let n = 0;
  let a0: u64 = 0, l0: u64 = 0, a1: u64 = 0, l1: u64 = 0;
  if (ai < a) { a0 = ai; l0 = a - 1; n = 1; }
  if (lj > l) {
    if (n == 0) { a0 = l + 1; l0 = lj; } else { a1 = l + 1; l1 = lj; }
    n++;
  }
  splice(s, ic, ik, jc, jk + 1, n, a0, l0, a1, l1);
}

// ---- sequential appends, for builders ----

/**
 * Append [a, l] after everything in the set. The caller guarantees a > last + 1 of the
 * current last interval. Fills chunks completely; point inserts split them later as needed.
 */
export function appendUnchecked(s: usize, a: u64, l: u64): void {
  const n = nchunks(s);
  let ch: usize;
  let c = n - 1;
  if (n == 0 || clen(ch = chunkAt(s, c)) == CHUNK_CAP) {
    c = n;
    ch = insertChunk(s, c);
    setKeyAt(s, c, a);
  }
  const len = clen(ch);
  setPair(ch, len, a, l);
  setClen(ch, len + 1);
  addCount(s, 1);
}

/** Append [a, l], merging with the last interval when they touch or overlap; a >= last start. */
export function appendMerge(s: usize, a: u64, l: u64): void {
  const n = nchunks(s);
  if (n > 0) {
    const ch = chunkAt(s, n - 1);
    const k = clen(ch) - 1;
    const pl = lastAt(ch, k);
    if (pl >= a || pl + 1 == a) {
      if (l > pl) store<u64>(pairPtr(ch, k), l, 8);
      return;
    }
  }
  appendUnchecked(s, a, l);
}

// ---- checks ----

/**
 * Verify every invariant: sorted, disjoint, non-adjacent, start <= last, keys equal first
 * starts, chunk lengths in 1..CHUNK_CAP, the interval count. Returns 0 or the number of the
 * first rule broken (errors.ts).
 */
export function check(s: usize): i32 {
  const n = nchunks(s);
  let total = 0;
  let havePrev = false;
  let prevLast: u64 = 0;
  for (let c = 0; c < n; c++) {
    const ch = chunkAt(s, c);
    const len = clen(ch);
    if (len < 1 || len > CHUNK_CAP) return INVARIANT_CHUNK_LENGTH;
    if (keyAt(s, c) != startAt(ch, 0)) return INVARIANT_KEY;
    for (let k = 0; k < len; k++) {
      const a = startAt(ch, k), l = lastAt(ch, k);
      if (a > l) return INVARIANT_PAIR_ORDER;
      if (havePrev) {
        if (prevLast == U64_MAX || a <= prevLast) return INVARIANT_SORTED_DISJOINT;
        if (a == prevLast + 1) return INVARIANT_NOT_ADJACENT;
      }
      havePrev = true;
      prevLast = l;
    }
    total += len;
  }
  if (total != intervalCount(s)) return INVARIANT_COUNT;
  return 0;
}
