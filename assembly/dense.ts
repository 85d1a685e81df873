// When a stretch of a set becomes a bitmap chunk, and when it goes back to pairs (see the
// layout in chunks.ts).
//
// The rule: a window of BITMAP_TICKS ticks (aligned) becomes a bitmap when at least DENSE_MIN
// intervals start in it. DENSE_MIN = 1024 means the window's pairs would take 16 KiB, four times
// its 4 KiB of bits, so a bitmap never costs memory; and sets whose intervals are hundreds of
// ticks long (workload 2's, ~330-430 intervals per window, or any node's present ticks with few
// gaps) stay pairs, where the dedicated merge kernels run (merge.ts: they read pairs only, and a
// set with a bitmap chunk goes through the generic sweep). Where this is decided:
//   - importing a list (fromState; transfer.ts) lays out each dense window as a bitmap;
//   - a point add that would split a full pair chunk first counts the interval starts in the
//     tick's window, over every pair chunk reaching into it; if they are enough, those chunks
//     are laid out again (the window becomes a bitmap, pairs crossing its edges are clipped);
//   - a bitmap whose bit count falls below SPARSE_BITS goes back to pairs (at most that many
//     intervals, so at most a quarter of a pair chunk); between SPARSE_BITS set bits and
//     DENSE_MIN intervals a window stays as it is, so no point change flips it back and forth;
//   - range operations turn the bitmaps they touch back into pairs (intervals.ts pairsAround).

import {
  BITMAP_TICKS, WINDOW_MASK, CHUNK_CAP, nchunks, chunkAt, clen, isBitmap, keyAt, startAt,
  chunkReach, setNew, appendUnchecked, appendBitmap, setBits, setClen, replaceChunks, joinEdge,
  pairPtr, RunReader,
} from "./chunks";

/** Interval starts in a window that make it a bitmap (default; see setDense). */
export let DENSE_MIN: i32 = 1024;
/** A bitmap with fewer ticks than this goes back to pairs (default; see setDense). */
export let SPARSE_BITS: i32 = 64;

/** A point insert into a pair chunk of at least this many pairs checks its window (default: a full chunk, about to split). */
export let DENSIFY_AT: i32 = CHUNK_CAP;

/** Whether bitmaps are made at all. Existing bitmaps keep working either way. */
let denseOn: bool = true;
/**
 * Tune the rule (rsSetDense): denseMin = 0 makes no more bitmaps (pairs only, as before bitmap
 * chunks existed); the property tests set small thresholds so that their small universes are
 * laid out as bitmaps, converted and converted back all the time.
 */
export function setDense(denseMin: i32, sparseBits: i32, densifyAt: i32): void {
  denseOn = denseMin > 0;
  if (denseMin > 0) DENSE_MIN = denseMin;
  SPARSE_BITS = sparseBits;
  DENSIFY_AT = densifyAt < 1 ? 1 : densifyAt > CHUNK_CAP ? CHUNK_CAP : densifyAt;
}
export function denseEnabled(): bool { return denseOn; }

/** Intervals starting in [base, base + BITMAP_TICKS) from buf[k] on, interval k counted as one; stops at DENSE_MIN. */
function startsFrom(buf: usize, k: i32, n: i32, base: u64): i32 {
  const wEnd = base + (BITMAP_TICKS - 1);
  let j = k + 1;
  while (j < n && j - k < DENSE_MIN && load<u64>(buf + (<usize>j << 4)) <= wEnd) j++;
  return j - k;
}

/**
 * Append n sorted, disjoint, non-adjacent closed intervals (16-byte pairs at buf; the buffer is
 * modified) to the end of `out`, each dense window as a bitmap when `dense`. A window is only
 * made a bitmap when nothing outside the intervals can lie in it: [prevReach, nextFirst] bound
 * what the set holds around them (havePrev / haveNext: whether those bounds exist).
 * The count of `out` is left as appendUnchecked made it: callers set it.
 */
export function emitLayout(out: usize, buf: usize, n: i32, dense: bool, havePrev: bool, prevReach: u64, haveNext: bool, nextFirst: u64): void {
  let i = 0;
  while (i < n) {
    const p = buf + (<usize>i << 4);
    const s0 = load<u64>(p);
    if (!dense) { appendUnchecked(out, s0, load<u64>(p, 8)); i++; continue; }
    const base = s0 & WINDOW_MASK;
    const wEnd = base + (BITMAP_TICKS - 1);
    let j = i + 1;
    while (j < n && load<u64>(buf + (<usize>j << 4)) <= wEnd) j++;
    if (j - i >= DENSE_MIN && allowed(base, havePrev, prevReach, haveNext, nextFirst)) {
      const ch = appendBitmap(out, base);
      let added = 0;
      for (let k = i; k < j; k++) {
        const q = buf + (<usize>k << 4);
        const a = load<u64>(q);
        let l = load<u64>(q, 8);
        if (l > wEnd) l = wEnd;
        added += setBits(ch, <i32>(a - base), <i32>(l - base));
      }
      setClen(ch, added);
      const q = buf + (<usize>(j - 1) << 4);
      if (load<u64>(q, 8) > wEnd) { store<u64>(q, wEnd + 1); i = j - 1; } // the rest of a crossing interval
      else i = j;
    } else {
      for (let k = i; k < j - 1; k++) {
        const q = buf + (<usize>k << 4);
        appendUnchecked(out, load<u64>(q), load<u64>(q, 8));
      }
      // the window's last interval may run into a later window that is dense: clip it there
      const q = buf + (<usize>(j - 1) << 4);
      const a = load<u64>(q), l = load<u64>(q, 8);
      const lb = l & WINDOW_MASK;
      if (lb != (a & WINDOW_MASK) && lb > a && allowed(lb, havePrev, prevReach, haveNext, nextFirst) && startsFrom(buf, j - 1, n, lb) >= DENSE_MIN) {
        appendUnchecked(out, a, lb - 1);
        store<u64>(q, lb);
        i = j - 1;
      } else {
        appendUnchecked(out, a, l);
        i = j;
      }
    }
  }
}

@inline function allowed(base: u64, havePrev: bool, prevReach: u64, haveNext: bool, nextFirst: u64): bool {
  return (!havePrev || prevReach < base) && (!haveNext || nextFirst > base + (BITMAP_TICKS - 1));
}

const READER_LAYOUT = changetype<RunReader>(memory.data(offsetof<RunReader>()));

/**
 * Lay chunks [c1, c2) of s out again: as pairs only, or with dense windows as bitmaps. The
 * ticks do not change, so neither does the count; pairs left touching across the new edges
 * are joined.
 */
export function relayout(s: usize, c1: i32, c2: i32, dense: bool): void {
  let cap = 0;
  for (let c = c1; c < c2; c++) cap += clen(chunkAt(s, c)); // pairs, or bits: either bounds the runs
  const buf = heap.alloc(<usize>max(cap, 1) << 4);
  let m = 0;
  const R = READER_LAYOUT;
  for (R.open(s, c1, 0, c2); R.ok; R.next()) {
    const q = buf + (<usize>m << 4);
    store<u64>(q, R.start);
    store<u64>(q, R.last, 8);
    m++;
  }
  const n = nchunks(s);
  const havePrev = c1 > 0, haveNext = c2 < n;
  const t = setNew();
  emitLayout(t, buf, m, dense, havePrev, havePrev ? chunkReach(s, c1 - 1) : 0, haveNext, haveNext ? keyAt(s, c2) : 0);
  heap.free(buf);
  const added = nchunks(t);
  replaceChunks(s, c1, c2, t);
  let right = c1 + added;
  if (joinEdge(s, c1)) right--;
  joinEdge(s, right);
}

/**
 * Before a point add of t splits the full pair chunk c (or goes into one of DENSIFY_AT pairs): when t's window holds DENSE_MIN interval
 * starts, lay out every chunk reaching into the window again, with the window as a bitmap, and
 * return true: the caller adds t again, into the bitmap now (so this runs once per add).
 */
export function maybeDensify(s: usize, c: i32, t: u64): bool {
  if (!denseOn) return false;
  const base = t & WINDOW_MASK;
  const wEnd = base + (BITMAP_TICKS - 1);
  const n = nchunks(s);
  let c1 = c;
  while (c1 > 0 && !isBitmap(chunkAt(s, c1 - 1)) && chunkReach(s, c1 - 1) >= base) c1--;
  let c2 = c + 1;
  while (c2 < n && !isBitmap(chunkAt(s, c2)) && keyAt(s, c2) <= wEnd) c2++;
  let starts = 0;
  for (let x = c1; x < c2; x++) {
    const ch = chunkAt(s, x);
    const len = clen(ch);
    if (startAt(ch, 0) > wEnd || load<u64>(pairPtr(ch, len - 1), 8) < base) continue;
    for (let k = 0; k < len; k++) {
      const a = startAt(ch, k);
      if (a >= base && a <= wEnd) starts++;
    }
  }
  if (starts < DENSE_MIN) return false;
  relayout(s, c1, c2, true);
  return true;
}
