// Point and range operations on the interval structure (its layout: chunks.ts), and the check
// of its invariants. Bitmap windows are made and undone by dense.ts.

import {
  INVARIANT_CHUNK_LENGTH, INVARIANT_KEY, INVARIANT_PAIR_ORDER, INVARIANT_SORTED_DISJOINT, INVARIANT_NOT_ADJACENT, INVARIANT_COUNT,
  INVARIANT_BITMAP, INVARIANT_BITMAP_COUNT,
} from "./errors";
import {
  BITMAP_TICKS, BITMAP_TICKS_I, BITMAP_WORDS, CHUNK_CAP, CHUNK_HEAD, KIND_BITMAP, KIND_PAIRS,
  READER_CHECK, U64_MAX, addCount, appendUnchecked, bitAt, bitmapCount, bitsPtr, chunkAt, clen,
  findChunk, insertChunk, intervalCount, isBitmap, keyArr, keyAt, lastAt, locC, locK, locate,
  nchunks, pairPtr, rebalance, removeChunks, searchChunk, searchGuided, setClen, setCount,
  setKeyAt, setPair, splitChunk, startAt, syncKey,
} from "./chunks";
import { relayout, maybeDensify, SPARSE_BITS, DENSIFY_AT } from "./dense";

export function has(s: usize, t: u64): bool {
  // the consecutive-windows guess of findChunk, spelled out: in a dense stretch a lookup is then
  // four dependent loads (key, next key, chunk pointer, bit word)
  const n = nchunks(s);
  if (n == 0) return false;
  const ka = keyArr(s);
  const k0 = load<u64>(ka);
  if (k0 > t) return false;
  const d = (t - k0) >> 15;
  if (d < <u64>n) {
    const g = <i32>d;
    const kg = ka + (<usize>g << 3);
    const key = load<u64>(kg);
    if (key <= t && (g + 1 == n || load<u64>(kg, 8) > t)) {
      const ch = chunkAt(s, g);
      if (isBitmap(ch)) {
        const off = t - key;
        return off < BITMAP_TICKS && bitAt(ch, <i32>off);
      }
    }
  }
  return hasSearched(s, t);
}

function hasSearched(s: usize, t: u64): bool {
  const c = findChunk(s, t);
  if (c < 0) return false;
  const ch = chunkAt(s, c);
  const key = keyAt(s, c);
  if (isBitmap(ch)) {
    const off = t - key;
    return off < BITMAP_TICKS && bitAt(ch, <i32>off);
  }
  const k = c + 1 < nchunks(s) ? searchGuided(ch, t, key, keyAt(s, c + 1)) : searchChunk(ch, t, 0, clen(ch) - 1);
  return lastAt(ch, k) >= t;
}

/** Whether tick key(c) - 1 is in the set, read from chunk c - 1 (for chunk c's edge). */
function edgeBefore(s: usize, c: i32): bool {
  if (c == 0) return false;
  const key = keyAt(s, c);
  if (key == 0) return false;
  const pv = chunkAt(s, c - 1);
  if (!isBitmap(pv)) return lastAt(pv, clen(pv) - 1) == key - 1;
  return keyAt(s, c - 1) + BITMAP_TICKS == key && bitAt(pv, BITMAP_TICKS_I - 1);
}

/** Whether tick t + 1 (just after chunk c's reach t) is the first tick of chunk c + 1. */
function edgeAfter(s: usize, c: i32, t: u64): bool {
  if (t == U64_MAX || c + 1 >= nchunks(s)) return false;
  const nx = chunkAt(s, c + 1);
  if (!isBitmap(nx)) return startAt(nx, 0) == t + 1;
  return keyAt(s, c + 1) == t + 1 && bitAt(nx, 0);
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

/**
 * Before a range operation on [a, l] in a set with bitmap chunks: turn every bitmap chunk the
 * pair logic below could look at (from the chunk holding a - 1 to the one after the chunk
 * holding l + 1) back into pairs, so that the range operations stay the pairs-only code they
 * were. Every change of adjacency a range operation makes involves ticks in [a - 1, l + 1], and
 * those are all in pair chunks afterwards. Dense windows come back at the next chunk split
 * (addPoint); range operations are rare next to point operations in a node.
 */
function pairsAround(s: usize, a: u64, l: u64): void {
  if (bitmapCount(s) == 0) return;
  let c1 = findChunk(s, a == 0 ? 0 : a - 1);
  if (c1 < 0) c1 = 0;
  let c2 = findChunk(s, l == U64_MAX ? l : l + 1) + 2;
  const n = nchunks(s);
  if (c2 > n) c2 = n;
  if (c1 >= c2) return;
  let any = false;
  for (let c = c1; c < c2; c++) if (isBitmap(chunkAt(s, c))) { any = true; break; }
  if (any) relayout(s, c1, c2, false);
}

/** Add [a, l] (a <= l). */
export function addRange(s: usize, a: u64, l: u64): void {
  if (a == l) { addPoint(s, a); return; }
  pairsAround(s, a, l);
  // Fast path: past the end of the set, the common case of ticks arriving in order.
  const n = nchunks(s);
  if (n == 0) {
    appendUnchecked(s, a, l);
    return;
  }
  const lastCh = chunkAt(s, n - 1);
  if (!isBitmap(lastCh)) {
    const lastK = clen(lastCh) - 1;
    const ll = lastAt(lastCh, lastK);
    if (a > ll) {
      if (a == ll + 1) store<u64>(pairPtr(lastCh, lastK), l, 8); // extends the last interval
      else appendUnchecked(s, a, l);
      return;
    }
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
 * Add one tick: one search, then at most one pair inserted or removed, or one bit set. The
 * general addRange searches twice and goes through splice(); a point add is the hot path of a
 * live node. The interval count changes by 1 - (t - 1 in the set) - (t + 1 in the set).
 */
export function addPoint(s: usize, t: u64): void {
  const n = nchunks(s);
  if (n == 0) { appendUnchecked(s, t, t); return; }
  const lastCh = chunkAt(s, n - 1);
  if (!isBitmap(lastCh)) {
    const lastK = clen(lastCh) - 1;
    const ll = lastAt(lastCh, lastK);
    if (t > ll) {
      // past the end: ticks arriving in order
      if (t == ll + 1) store<u64>(pairPtr(lastCh, lastK), t, 8);
      else appendUnchecked(s, t, t);
      return;
    }
  }
  const c = findChunk(s, t);
  if (c < 0) { gapAdd(s, -1, t); return; }
  const ch = chunkAt(s, c);
  if (isBitmap(ch)) {
    const off = t - keyAt(s, c);
    if (off < BITMAP_TICKS) bitAdd(s, c, ch, <i32>off);
    else gapAdd(s, c, t);
    return;
  }
  // a pair chunk whose key is <= t: pair k holds or precedes t
  const k = c + 1 < n ? searchGuided(ch, t, keyAt(s, c), keyAt(s, c + 1)) : searchChunk(ch, t, 0, clen(ch) - 1);
  const l = lastAt(ch, k);
  if (l >= t) return; // already in
  const left = l + 1 == t;
  const len = clen(ch);
  let right = false;      // t + 1 starts the next pair (in this chunk or the next pair chunk)
  let rightBit = false;   // t + 1 is the first bit of the next chunk, a bitmap
  let nc = c, nk = k + 1;
  if (nk < len) right = startAt(ch, nk) == t + 1;
  else if (c + 1 < n) {
    nc = c + 1; nk = 0;
    const nx = chunkAt(s, nc);
    if (isBitmap(nx)) rightBit = edgeAfter(s, c, t);
    else right = startAt(nx, 0) == t + 1;
  }
  if (left && right) {
    // t joins two intervals: the left one takes the right one's end, the right one goes
    store<u64>(pairPtr(ch, k), lastAt(chunkAt(s, nc), nk), 8);
    removePair(s, nc, nk);
  } else if (left) {
    store<u64>(pairPtr(ch, k), t, 8);
    if (rightBit) addCount(s, -1); // joined to the bitmap's first run
  } else if (right) {
    const nch = chunkAt(s, nc);
    store<u64>(pairPtr(nch, nk), t);
    if (nk == 0) setKeyAt(s, nc, t);
  } else {
    if (len >= DENSIFY_AT && maybeDensify(s, c, t)) { addPoint(s, t); return; } // t's window is a bitmap now
    spliceInChunk(s, c, k + 1, k + 1, 1, t, t, 0, 0);
    if (rightBit) addCount(s, -1);
  }
}

/** addPoint for t inside bitmap chunk c's window, at bit `off`. One word load serves the bit and, but at a word's ends, both neighbours. */
function bitAdd(s: usize, c: i32, ch: usize, off: i32): void {
  const p = ch + CHUNK_HEAD + (<usize>(off >>> 6) << 3);
  const w = load<u64>(p);
  const b = <u64>(off & 63);
  if (((w >> b) & 1) != 0) return;
  store<u64>(p, w | (<u64>1 << b));
  setClen(ch, clen(ch) + 1);
  const left = b != 0 ? ((w >> (b - 1)) & 1) != 0 : off > 0 ? bitAt(ch, off - 1) : edgeBefore(s, c);
  const right = b != 63 ? ((w >> (b + 1)) & 1) != 0 : off < BITMAP_TICKS_I - 1 ? bitAt(ch, off + 1) : edgeAfter(s, c, keyAt(s, c) + (BITMAP_TICKS - 1));
  addCount(s, 1 - <i32>left - <i32>right);
}

/**
 * addPoint for t outside every window and pair chunk: after chunk c (a bitmap whose window ends
 * before t; -1: before the first chunk) and before chunk c + 1. t extends the next pair chunk's
 * first pair, goes in front of it, or starts a pair chunk of its own.
 */
function gapAdd(s: usize, c: i32, t: u64): void {
  const n = nchunks(s);
  const left = c >= 0 && t - keyAt(s, c) == BITMAP_TICKS && bitAt(chunkAt(s, c), BITMAP_TICKS_I - 1);
  const nc = c + 1;
  if (nc < n && !isBitmap(chunkAt(s, nc))) {
    const nx = chunkAt(s, nc);
    if (startAt(nx, 0) == t + 1) {
      store<u64>(pairPtr(nx, 0), t);
      setKeyAt(s, nc, t);
      addCount(s, -<i32>left);
      return;
    }
    if (clen(nx) >= DENSIFY_AT && maybeDensify(s, nc, t)) { addPoint(s, t); return; }
    spliceInChunk(s, nc, 0, 0, 1, t, t, 0, 0);
    addCount(s, -<i32>left);
    return;
  }
  const right = nc < n && rightBitAt(s, nc, t);
  const ch = insertChunk(s, nc);
  setPair(ch, 0, t, t);
  setClen(ch, 1);
  setKeyAt(s, nc, t);
  addCount(s, 1 - <i32>left - <i32>right);
}

/** Whether chunk c is a bitmap whose first bit is tick t + 1. */
function rightBitAt(s: usize, c: i32, t: u64): bool {
  const ch = chunkAt(s, c);
  return t != U64_MAX && isBitmap(ch) && keyAt(s, c) == t + 1 && bitAt(ch, 0);
}

/** Remove one tick: one search, then at most one pair inserted or removed, or one bit cleared. */
export function discardPoint(s: usize, t: u64): void {
  const c = findChunk(s, t);
  if (c < 0) return;
  const ch = chunkAt(s, c);
  if (isBitmap(ch)) {
    const off = t - keyAt(s, c);
    if (off < BITMAP_TICKS) bitDiscard(s, c, ch, <i32>off);
    return;
  }
  const n = nchunks(s);
  const len = clen(ch);
  const k = c + 1 < n ? searchGuided(ch, t, keyAt(s, c), keyAt(s, c + 1)) : searchChunk(ch, t, 0, len - 1);
  const a = startAt(ch, k), l = lastAt(ch, k);
  if (l < t) return; // not in
  // a pair's neighbours are pairs it does not touch, or a bitmap edge it may touch
  const before = a < t || (k == 0 && edgeBefore(s, c));
  const after = l > t || (k == len - 1 && edgeAfter(s, c, t));
  const count = intervalCount(s);
  if (a == l) removePair(s, c, k);
  else if (a == t) {
    store<u64>(pairPtr(ch, k), t + 1);
    if (k == 0) setKeyAt(s, c, t + 1);
  } else if (l == t) {
    store<u64>(pairPtr(ch, k), t - 1, 8);
  } else {
    // split [a, l] into [a, t - 1] and [t + 1, l]
    store<u64>(pairPtr(ch, k), t - 1, 8);
    spliceInChunk(s, c, k + 1, k + 1, 1, t + 1, l, 0, 0);
  }
  setCount(s, count - 1 + <i32>before + <i32>after);
}

/** discardPoint for t inside bitmap chunk c's window, at bit `off` (one word load, as bitAdd). */
function bitDiscard(s: usize, c: i32, ch: usize, off: i32): void {
  const p = ch + CHUNK_HEAD + (<usize>(off >>> 6) << 3);
  const w = load<u64>(p);
  const b = <u64>(off & 63);
  if (((w >> b) & 1) == 0) return;
  store<u64>(p, w & ~(<u64>1 << b));
  const left = b != 0 ? ((w >> (b - 1)) & 1) != 0 : off > 0 ? bitAt(ch, off - 1) : edgeBefore(s, c);
  const right = b != 63 ? ((w >> (b + 1)) & 1) != 0 : off < BITMAP_TICKS_I - 1 ? bitAt(ch, off + 1) : edgeAfter(s, c, keyAt(s, c) + (BITMAP_TICKS - 1));
  addCount(s, <i32>left + <i32>right - 1);
  const len = clen(ch) - 1;
  setClen(ch, len);
  if (len == 0) removeChunks(s, c, c + 1);
  else if (len < SPARSE_BITS) relayout(s, c, c + 1, false);
}

/** Remove [a, l] (a <= l). */
export function discardRange(s: usize, a: u64, l: u64): void {
  if (a == l) { discardPoint(s, a); return; }
  if (nchunks(s) == 0) return;
  pairsAround(s, a, l);
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

// ---- checks ----

/**
 * Verify every invariant: sorted, disjoint, non-adjacent pairs, start <= last, keys equal first
 * starts, chunk lengths in 1..CHUNK_CAP; bitmap chunks aligned, non-empty, their bit counts in
 * `len`, no pair inside a bitmap's window; the count of maximal intervals and of bitmap chunks.
 * Returns 0 or the number of the first rule broken (errors.ts).
 */
export function check(s: usize): i32 {
  const n = nchunks(s);
  let bitmaps = 0;
  let havePrev = false;
  let prevBitmap = false;
  let prevLast: u64 = 0; // the previous chunk's reach: a bitmap's window end, else the last pair's last
  for (let c = 0; c < n; c++) {
    const ch = chunkAt(s, c);
    const len = clen(ch);
    const kind = load<i32>(ch, 4);
    const key = keyAt(s, c);
    if (kind == KIND_BITMAP) {
      bitmaps++;
      if ((key & (BITMAP_TICKS - 1)) != 0) return INVARIANT_BITMAP;
      let bits = 0;
      for (let w = 0; w < BITMAP_WORDS; w++) bits += <i32>popcnt(load<u64>(bitsPtr(ch) + (<usize>w << 3)));
      if (bits < 1 || bits != len) return INVARIANT_BITMAP;
      if (havePrev && (prevLast == U64_MAX || prevLast >= key)) return INVARIANT_SORTED_DISJOINT;
      havePrev = true;
      prevBitmap = true;
      prevLast = key + (BITMAP_TICKS - 1);
      continue;
    }
    if (kind != KIND_PAIRS) return INVARIANT_BITMAP;
    if (len < 1 || len > CHUNK_CAP) return INVARIANT_CHUNK_LENGTH;
    if (key != startAt(ch, 0)) return INVARIANT_KEY;
    for (let k = 0; k < len; k++) {
      const a = startAt(ch, k), l = lastAt(ch, k);
      if (a > l) return INVARIANT_PAIR_ORDER;
      if (havePrev) {
        if (prevLast == U64_MAX || a <= prevLast) return INVARIANT_SORTED_DISJOINT;
        if (a == prevLast + 1 && !prevBitmap) return INVARIANT_NOT_ADJACENT;
      }
      havePrev = true;
      prevBitmap = false;
      prevLast = l;
    }
  }
  if (bitmaps != bitmapCount(s)) return INVARIANT_BITMAP_COUNT;
  let total = 0;
  const R = READER_CHECK;
  for (R.open(s, 0, 0, n); R.ok; R.next()) total++;
  if (total != intervalCount(s)) return INVARIANT_COUNT;
  return 0;
}
