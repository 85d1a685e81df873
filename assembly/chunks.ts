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
//     +16 count     i32     intervals in the whole set (maximal ones, across chunk edges)
//     +20 bitmaps   i32     bitmap chunks among the chunks (0: the pairs-only fast paths apply)
//
//   chunk, CHUNK_BYTES bytes, of one of two kinds:
//     +0  len       i32     pairs in use (1..CHUNK_CAP; an empty chunk is removed at once),
//                           or for a bitmap chunk the ticks set (1..BITMAP_TICKS)
//     +4  kind      i32     KIND_PAIRS or KIND_BITMAP
//     +8  pairs     CHUNK_CAP x { start: u64, last: u64 }
//     +8  bits      BITMAP_WORDS x u64: bit i = tick key + i (bitmap chunks)
//
// Bitmap chunks (dense.ts decides when): a window of BITMAP_TICKS ticks aligned to its size, keyed
// by its base, holding the set's ticks there as bits. One million single-tick intervals take
// 16 MB as pairs and 244 KB as bitmaps, and a point operation in a bitmap is a bit test; a
// lookup at random positions then misses the cache once instead of five or six times. Rules:
//   - a pair chunk never holds a tick inside a bitmap chunk's window;
//   - pairs stay non-adjacent among themselves (in a chunk and across two pair chunks), but a
//     bitmap's edge bit may touch a pair or another bitmap's edge bit: a maximal interval may
//     continue across a chunk edge. `count` still counts maximal intervals, and every reader
//     that hands intervals out (export, sweeps, equals) coalesces across edges (RunReader).

// This file holds the structure itself: its layout and accessors, chunk lifetime, searching,
// appending, relaying chunks out and reading maximal intervals. The operations on it (point and
// range changes, the invariant check) are in intervals.ts; when a window becomes a bitmap, dense.ts.

export const CHUNK_CAP: i32 = 256;
/** A chunk shorter than this tries to merge with a neighbour, so chunks stay >= 1/4 full on average. */
export const CHUNK_LOW: i32 = CHUNK_CAP / 4;
export const CHUNK_HEAD: usize = 8;
const PAIR: usize = 16;
export const CHUNK_BYTES: usize = CHUNK_HEAD + <usize>CHUNK_CAP * PAIR;
export const SET_SIZE: usize = 24;
export const KIND_PAIRS: i32 = 0;
export const KIND_BITMAP: i32 = 1;
/**
 * Ticks per bitmap chunk: 32768 bits = 4 KiB, the size of a full pair chunk, so both kinds share
 * one allocation size. Larger windows would hold fewer keys but make a sparse window cost more
 * and a conversion move more; roaring's containers are 2^16 bits (8 KiB).
 */
export const BITMAP_TICKS: u64 = 32768;
export const BITMAP_WORDS: i32 = 512;
export const WINDOW_MASK: u64 = ~(BITMAP_TICKS - 1);
export const BITMAP_TICKS_I: i32 = 32768;
export const U64_MAX: u64 = 0xFFFF_FFFF_FFFF_FFFF;

// ---- raw accessors (unchecked: callers keep indices in range) ----

@inline export function nchunks(s: usize): i32 { return load<i32>(s, 0); }
@inline function setNchunks(s: usize, n: i32): void { store<i32>(s, n, 0); }
@inline function capacity(s: usize): i32 { return load<i32>(s, 4); }
@inline function chunkArr(s: usize): usize { return load<usize>(s, 8); }
@inline export function keyArr(s: usize): usize { return load<usize>(s, 12); }
@inline export function intervalCount(s: usize): i32 { return load<i32>(s, 16); }
@inline export function addCount(s: usize, d: i32): void { store<i32>(s, load<i32>(s, 16) + d, 16); }
@inline export function setCount(s: usize, n: i32): void { store<i32>(s, n, 16); }
@inline export function bitmapCount(s: usize): i32 { return load<i32>(s, 20); }
@inline export function addBitmapCount(s: usize, d: i32): void { store<i32>(s, load<i32>(s, 20) + d, 20); }

@inline export function chunkAt(s: usize, c: i32): usize { return <usize>load<u32>(chunkArr(s) + (<usize>c << 2)); }
@inline export function setChunkAt(s: usize, c: i32, p: usize): void { store<u32>(chunkArr(s) + (<usize>c << 2), <u32>p); }
@inline export function keyAt(s: usize, c: i32): u64 { return load<u64>(keyArr(s) + (<usize>c << 3)); }
@inline export function setKeyAt(s: usize, c: i32, k: u64): void { store<u64>(keyArr(s) + (<usize>c << 3), k); }

@inline export function clen(ch: usize): i32 { return load<i32>(ch); }
@inline export function setClen(ch: usize, n: i32): void { store<i32>(ch, n); }
@inline export function isBitmap(ch: usize): bool { return load<i32>(ch, 4) == KIND_BITMAP; }
@inline export function setKind(ch: usize, k: i32): void { store<i32>(ch, k, 4); }
/** Address of the bitmap words of a bitmap chunk. */
@inline export function bitsPtr(ch: usize): usize { return ch + CHUNK_HEAD; }
@inline export function bitAt(ch: usize, i: i32): bool {
  return ((load<u64>(ch + CHUNK_HEAD + (<usize>(i >>> 6) << 3)) >> <u64>(i & 63)) & 1) != 0;
}
/** Set bits [i, j] (inclusive) of a bitmap chunk; returns how many were clear before. */
export function setBits(ch: usize, i: i32, j: i32): i32 {
  let added = 0;
  const w0 = i >>> 6, w1 = j >>> 6;
  for (let w = w0; w <= w1; w++) {
    let m: u64 = U64_MAX;
    if (w == w0) m &= U64_MAX << <u64>(i & 63);
    if (w == w1) m &= U64_MAX >> <u64>(63 - (j & 63));
    const p = ch + CHUNK_HEAD + (<usize>w << 3);
    const v = load<u64>(p);
    added += <i32>popcnt(m & ~v);
    store<u64>(p, v | m);
  }
  return added;
}
/** First tick of a chunk (a bitmap's lowest set bit). */
export function chunkFirst(s: usize, c: i32): u64 {
  const ch = chunkAt(s, c);
  if (!isBitmap(ch)) return startAt(ch, 0);
  const b = bitsPtr(ch);
  let w = 0;
  while (load<u64>(b + (<usize>w << 3)) == 0) w++;
  return keyAt(s, c) + (<u64>w << 6) + ctz(load<u64>(b + (<usize>w << 3)));
}
/** Last tick of a chunk (a bitmap's highest set bit). */
export function chunkLast(s: usize, c: i32): u64 {
  const ch = chunkAt(s, c);
  if (!isBitmap(ch)) return lastAt(ch, clen(ch) - 1);
  const b = bitsPtr(ch);
  let w = BITMAP_WORDS - 1;
  while (load<u64>(b + (<usize>w << 3)) == 0) w--;
  return keyAt(s, c) + (<u64>w << 6) + (63 - clz(load<u64>(b + (<usize>w << 3))));
}
/** The highest tick a chunk may hold: a bitmap's window end, a pair chunk's last tick. */
export function chunkReach(s: usize, c: i32): u64 {
  const ch = chunkAt(s, c);
  return isBitmap(ch) ? keyAt(s, c) + (BITMAP_TICKS - 1) : lastAt(ch, clen(ch) - 1);
}
/** Address of pair k of a chunk. */
@inline export function pairPtr(ch: usize, k: i32): usize { return ch + CHUNK_HEAD + (<usize>k << 4); }
@inline export function startAt(ch: usize, k: i32): u64 { return load<u64>(pairPtr(ch, k)); }
@inline export function lastAt(ch: usize, k: i32): u64 { return load<u64>(pairPtr(ch, k), 8); }
@inline export function setPair(ch: usize, k: i32, a: u64, l: u64): void {
  const p = pairPtr(ch, k);
  store<u64>(p, a);
  store<u64>(p, l, 8);
}
/** Keep a chunk's key equal to its first start after its front changed. */
@inline export function syncKey(s: usize, c: i32): void { setKeyAt(s, c, startAt(chunkAt(s, c), 0)); }

// ---- lifetime ----

/** An empty set's header at s: no chunks, room for four, no intervals, no bitmaps. */
function initHeader(s: usize): void {
  const cap = 4;
  store<i32>(s, 0, 0);
  store<i32>(s, cap, 4);
  store<usize>(s, heap.alloc(<usize>cap << 2), 8);
  store<usize>(s, heap.alloc(<usize>cap << 3), 12);
  store<i32>(s, 0, 16);
  store<i32>(s, 0, 20);
}

export function setNew(): usize {
  const s = heap.alloc(SET_SIZE);
  initHeader(s);
  return s;
}

export function setClear(s: usize): void {
  const n = nchunks(s);
  for (let c = 0; c < n; c++) heap.free(chunkAt(s, c));
  setNchunks(s, 0);
  store<i32>(s, 0, 16);
  store<i32>(s, 0, 20);
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
  initHeader(b);
}

export function ensureCapacity(s: usize, want: i32): void {
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
  setKind(ch, KIND_PAIRS);
  setChunkAt(s, c, ch);
  setNchunks(s, n + 1);
  return ch;
}

/** Free chunks [c1, c2) and close the gap. */
export function removeChunks(s: usize, c1: i32, c2: i32): void {
  if (c2 <= c1) return;
  const n = nchunks(s);
  for (let c = c1; c < c2; c++) {
    const ch = chunkAt(s, c);
    if (isBitmap(ch)) addBitmapCount(s, -1);
    heap.free(ch);
  }
  const ca = chunkArr(s), ka = keyArr(s);
  memory.copy(ca + (<usize>c1 << 2), ca + (<usize>c2 << 2), <usize>(n - c2) << 2);
  memory.copy(ka + (<usize>c1 << 3), ka + (<usize>c2 << 3), <usize>(n - c2) << 3);
  setNchunks(s, n - (c2 - c1));
}

/** Split a full chunk in two halves; the upper half becomes chunk c + 1. */
export function splitChunk(s: usize, c: i32): void {
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
export function rebalance(s: usize, c: i32): void {
  const ch = chunkAt(s, c);
  if (isBitmap(ch)) return;
  const len = clen(ch);
  if (len == 0) { removeChunks(s, c, c + 1); return; }
  if (len >= CHUNK_LOW) return;
  const n = nchunks(s);
  if (c + 1 < n) {
    const nx = chunkAt(s, c + 1);
    const nl = clen(nx);
    if (!isBitmap(nx) && len + nl <= CHUNK_CAP / 2) {
      memory.copy(pairPtr(ch, len), pairPtr(nx, 0), <usize>nl << 4);
      setClen(ch, len + nl);
      removeChunks(s, c + 1, c + 2);
      return;
    }
  }
  if (c > 0) {
    const pv = chunkAt(s, c - 1);
    const pl = clen(pv);
    if (!isBitmap(pv) && len + pl <= CHUNK_CAP / 2) {
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
 * The last chunk whose key is <= t, or -1 when every key is > t (or the set is empty). Guided by
 * the spread of the keys (first key .. the last chunk's reach), then galloping and binary search
 * (see gallop).
 */
export function findChunk(s: usize, t: u64): i32 {
  const n = nchunks(s);
  if (n == 0) return -1;
  const ka = keyArr(s);
  const k0 = load<u64>(ka);
  if (k0 > t) return -1;
  if (n == 1) return 0;
  // Consecutive bitmap windows (a dense stretch) are keyed k0, k0 + W, k0 + 2W, ...: then the
  // chunk is (t - k0) / W, checked with two key loads and no search. Elsewhere the guess costs
  // those two loads of the (cached) key array before the search below.
  const d = (t - k0) >> 15;
  if (d < <u64>n) {
    const g = <i32>d;
    const kg = ka + (<usize>g << 3);
    if (load<u64>(kg) <= t && (g + 1 == n || load<u64>(kg, 8) > t)) return g;
  }
  const end = chunkReach(s, n - 1);
  return t > end ? n - 1 : gallop(ka, 3, n, t, k0, end);
}

/**
 * Find the last interval whose start is <= t. Sets locC/locK; locK = -1 (with locC = 0) when
 * every start is > t or the set is empty. O(log n): two binary searches. Pair chunks only: the
 * callers (the range operations, the pairs-only kernels) first make sure that no bitmap chunk
 * lies where they look (see pairsAround).
 */
export function locate(s: usize, t: u64): void {
  locC = 0; locK = -1;
  const lo = findChunk(s, t);
  if (lo < 0) return;
  const n = nchunks(s);
  const ch = chunkAt(s, lo);
  locC = lo;
  locK = lo + 1 < n ? searchGuided(ch, t, keyAt(s, lo), keyAt(s, lo + 1)) : searchChunk(ch, t, 0, clen(ch) - 1);
}

/** Last pair in [a, b] of a chunk whose start is <= t; start(a) <= t. Binary search. */
export function searchChunk(ch: usize, t: u64, a: i32, b: i32): i32 {
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
export function searchGuided(ch: usize, t: u64, lo: u64, hi: u64): i32 {
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

// ---- sequential appends, for builders ----

/**
 * Append [a, l] after everything in the set. The caller guarantees a > last + 1 of the
 * current last interval. Fills chunks completely; point inserts split them later as needed.
 */
export function appendUnchecked(s: usize, a: u64, l: u64): void {
  const n = nchunks(s);
  let ch: usize;
  let c = n - 1;
  if (n == 0 || clen(ch = chunkAt(s, c)) == CHUNK_CAP || isBitmap(ch)) {
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
  if (n > 0 && !isBitmap(chunkAt(s, n - 1))) {
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

// ---- layout changes (dense.ts) ----

/**
 * Put set t's chunks in place of chunks [c1, c2) of s (which are freed) and free t's header:
 * t's chunks must hold what [c1, c2) held, laid out differently, so the count stays.
 */
export function replaceChunks(s: usize, c1: i32, c2: i32, t: usize): void {
  removeChunks(s, c1, c2);
  const m = nchunks(t);
  const n = nchunks(s);
  ensureCapacity(s, n + m);
  const ca = chunkArr(s), ka = keyArr(s);
  memory.copy(ca + (<usize>(c1 + m) << 2), ca + (<usize>c1 << 2), <usize>(n - c1) << 2);
  memory.copy(ka + (<usize>(c1 + m) << 3), ka + (<usize>c1 << 3), <usize>(n - c1) << 3);
  memory.copy(ca + (<usize>c1 << 2), chunkArr(t), <usize>m << 2);
  memory.copy(ka + (<usize>c1 << 3), keyArr(t), <usize>m << 3);
  setNchunks(s, n + m);
  addBitmapCount(s, bitmapCount(t));
  heap.free(chunkArr(t));
  heap.free(keyArr(t));
  heap.free(t);
}

/**
 * Between pair chunks c - 1 and c, join a last pair and a first pair that touch (a relayout can
 * leave them so where a bitmap between them became pairs). The ticks stay, so does the count.
 * Returns whether chunk c emptied and was removed.
 */
export function joinEdge(s: usize, c: i32): bool {
  if (c <= 0 || c >= nchunks(s)) return false;
  const pv = chunkAt(s, c - 1), ch = chunkAt(s, c);
  if (isBitmap(pv) || isBitmap(ch)) return false;
  const pk = clen(pv) - 1;
  const pl = lastAt(pv, pk);
  if (pl == U64_MAX || startAt(ch, 0) != pl + 1) return false;
  store<u64>(pairPtr(pv, pk), lastAt(ch, 0), 8);
  const len = clen(ch);
  if (len == 1) { removeChunks(s, c, c + 1); return true; }
  memory.copy(pairPtr(ch, 0), pairPtr(ch, 1), <usize>(len - 1) << 4);
  setClen(ch, len - 1);
  syncKey(s, c);
  return false;
}

/** Append an empty bitmap chunk keyed `base` to the end of s. */
export function appendBitmap(s: usize, base: u64): usize {
  const c = nchunks(s);
  const ch = insertChunk(s, c);
  setKind(ch, KIND_BITMAP);
  memory.fill(bitsPtr(ch), 0, <usize>BITMAP_WORDS << 3);
  setKeyAt(s, c, base);
  addBitmapCount(s, 1);
  return ch;
}

// ---- reading maximal intervals ----

/**
 * Reads a set's maximal intervals in order: the pairs of pair chunks and the runs of bitmap
 * chunks, coalescing a run that continues across a chunk edge. After open() or next(), `ok` says
 * whether [start, last] holds an interval. Lives in static memory (see the instances below).
 */
@unmanaged export class RunReader {
  s: usize;
  n: i32;        // one past the last chunk to read
  c: i32;        // current chunk
  ch: usize;
  key: u64;
  bit: bool;     // the current chunk is a bitmap
  p: usize;      // pairs: the next pair
  end: usize;    // pairs: one past the last pair
  bi: i32;       // bitmap: the next bit to scan
  rawOk: bool;   // a raw run (one pair or one run of bits) is waiting in rawS / rawL
  rawS: u64;
  rawL: u64;
  ok: bool;
  start: u64;
  last: u64;

  /** Read chunks [c, n) from chunk c's pair k (or bit k for a bitmap). */
  open(s: usize, c: i32, k: i32, n: i32): void {
    this.s = s;
    this.n = n;
    this.enter(c, k);
    this.fetch();
    this.next();
  }

  /** Read the whole set from the first interval that holds or follows lo (clipped to start at lo). */
  seek(s: usize, lo: u64): void {
    const n = nchunks(s);
    const c = findChunk(s, lo);
    if (c < 0) { this.open(s, 0, 0, n); return; }
    const ch = chunkAt(s, c);
    const key = keyAt(s, c);
    if (isBitmap(ch)) {
      const off = lo - key;
      if (off >= BITMAP_TICKS) this.open(s, c + 1, 0, n);
      else this.open(s, c, <i32>off, n);
      return;
    }
    let k = c + 1 < n ? searchGuided(ch, lo, key, keyAt(s, c + 1)) : searchChunk(ch, lo, 0, clen(ch) - 1);
    if (lastAt(ch, k) < lo) k++;
    this.open(s, c, k, n);
    if (this.ok && this.start < lo) this.start = lo;
  }

  enter(c: i32, k: i32): void {
    this.c = c;
    if (c >= this.n) return;
    const ch = chunkAt(this.s, c);
    this.ch = ch;
    this.key = keyAt(this.s, c);
    this.bit = isBitmap(ch);
    if (this.bit) this.bi = k;
    else { this.p = pairPtr(ch, k); this.end = pairPtr(ch, clen(ch)); }
  }

  fetch(): void {
    while (this.c < this.n) {
      if (!this.bit) {
        if (this.p < this.end) {
          this.rawS = load<u64>(this.p);
          this.rawL = load<u64>(this.p, 8);
          this.p += 16;
          this.rawOk = true;
          return;
        }
      } else if (this.bi < BITMAP_TICKS_I) {
        const b = bitsPtr(this.ch);
        let w = this.bi >>> 6;
        let word = load<u64>(b + (<usize>w << 3)) & (U64_MAX << <u64>(this.bi & 63));
        while (word == 0 && ++w < BITMAP_WORDS) word = load<u64>(b + (<usize>w << 3));
        if (word != 0) {
          const st = (w << 6) + <i32>ctz(word);
          let inv = ~load<u64>(b + (<usize>w << 3)) & (U64_MAX << <u64>(st & 63));
          while (inv == 0 && ++w < BITMAP_WORDS) inv = ~load<u64>(b + (<usize>w << 3));
          const en = inv == 0 ? BITMAP_TICKS_I : (w << 6) + <i32>ctz(inv);
          this.rawS = this.key + <u64>st;
          this.rawL = this.key + <u64>(en - 1);
          this.bi = en;
          this.rawOk = true;
          return;
        }
      }
      this.enter(this.c + 1, 0);
    }
    this.rawOk = false;
  }

  /** Move to the next maximal interval. */
  next(): void {
    if (!this.rawOk) { this.ok = false; return; }
    this.start = this.rawS;
    this.last = this.rawL;
    this.fetch();
    while (this.rawOk && this.last != U64_MAX && this.rawS == this.last + 1) {
      this.last = this.rawL;
      this.fetch();
    }
    this.ok = true;
  }
}

/** Readers for the kernels and checks (two at most are live at once: a sweep's inputs). */
export const READER_A = changetype<RunReader>(memory.data(offsetof<RunReader>()));
export const READER_B = changetype<RunReader>(memory.data(offsetof<RunReader>()));
export const READER_CHECK = changetype<RunReader>(memory.data(offsetof<RunReader>()));
