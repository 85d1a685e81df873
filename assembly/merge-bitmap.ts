// Binary set operations when either input has bitmap chunks (see the layout in chunks.ts).
//
// The tick line is cut at the windows where A or B has a bitmap chunk. Between them, both inputs
// are pairs (or nothing) and the generic sweep (sweep.ts) runs over that stretch. In a window,
// each input's 4 KiB of bits is taken as it is (a bitmap chunk) or drawn from its intervals (a
// rasterised copy, for the input that has pairs there), and the truth table is applied 64 ticks
// per step, giving a bitmap chunk of the output. Two dense sets of 10,000 intervals in
// 100,000 ticks meet in 4 windows of 512 words: a few microseconds, where an interval-by-interval
// merge takes tens. The output keeps the layout rules: its pairs lie between the windows, and
// its interval count is kept across the edges where a window's run continues a pair or another
// window.

import {
  U64_MAX, BITMAP_TICKS, BITMAP_WORDS, CHUNK_BYTES, nchunks, chunkAt, keyAt, isBitmap, bitsPtr,
  setBits, setClen, appendBitmap, removeChunks, addCount, chunkLast, READER_A, KIND_BITMAP,
  setKind,
} from "./chunks";
import {
  has,
} from "./intervals";
import { sweep, lookup, MODE_BUILD } from "./sweep";

/** The first chunk from c on that is a bitmap whose window reaches pos or beyond; n if none. */
function nextBitmap(s: usize, c: i32, n: i32, pos: u64): i32 {
  while (c < n && (!isBitmap(chunkAt(s, c)) || keyAt(s, c) + (BITMAP_TICKS - 1) < pos)) c++;
  return c;
}

/** Draw set s's ticks in window [base, base + BITMAP_TICKS) into the bitmap chunk `tmp`. */
function rasterise(s: usize, base: u64, tmp: usize): void {
  memory.fill(bitsPtr(tmp), 0, <usize>BITMAP_WORDS << 3);
  const wEnd = base + (BITMAP_TICKS - 1);
  const R = READER_A;
  for (R.seek(s, base); R.ok && R.start <= wEnd; R.next()) {
    const l = R.last > wEnd ? wEnd : R.last;
    setBits(tmp, <i32>(R.start - base), <i32>(l - base));
  }
}

// the output's last tick so far, for joining runs across edges
let haveLast = false;
let lastEnd: u64 = 0;

/**
 * out = table(A, B) restricted to [lo, hi], for inputs with bitmap chunks. `out` must be empty.
 * Bitmap windows of the output hold the result bits; the stretches between are swept.
 */
export function sweepWindows(a: usize, b: usize, table: u32, lo: u64, hi: u64, out: usize): void {
  if (lo > hi) return;
  const na = nchunks(a), nb = nchunks(b);
  const ta = heap.alloc(CHUNK_BYTES), tb = heap.alloc(CHUNK_BYTES);
  setKind(ta, KIND_BITMAP);
  setKind(tb, KIND_BITMAP);
  haveLast = false;
  lastEnd = 0;
  let ca = 0, cb = 0;
  let pos = lo;
  let done = false;
  while (true) {
    ca = nextBitmap(a, ca, na, pos);
    cb = nextBitmap(b, cb, nb, pos);
    if (ca >= na && cb >= nb) break;
    const ka = ca < na ? keyAt(a, ca) : U64_MAX, kb = cb < nb ? keyAt(b, cb) : U64_MAX;
    const base = ca < na && (cb >= nb || ka <= kb) ? ka : kb;
    if (base > hi) break;
    if (base > pos) segment(a, b, table, pos, base - 1, out);
    const x = base > pos ? base : pos;
    const wEnd = base + (BITMAP_TICKS - 1);
    const y = wEnd < hi ? wEnd : hi;
    let pa: usize, pb: usize;
    if (ca < na && ka == base) pa = bitsPtr(chunkAt(a, ca));
    else { rasterise(a, base, ta); pa = bitsPtr(ta); }
    if (cb < nb && kb == base) pb = bitsPtr(chunkAt(b, cb));
    else { rasterise(b, base, tb); pb = bitsPtr(tb); }
    window(table, base, x, y, pa, pb, out);
    if (y >= hi) { done = true; break; }
    pos = wEnd + 1;
  }
  if (!done && pos <= hi) segment(a, b, table, pos, hi, out);
  heap.free(ta);
  heap.free(tb);
}

/** The swept stretch [x, y] between windows (every chunk there is pairs). */
function segment(a: usize, b: usize, table: u32, x: u64, y: u64, out: usize): void {
  sweep(a, b, table, x, y, MODE_BUILD, out);
  const n = nchunks(out);
  if (n == 0) return;
  // a run the previous window ended with at x - 1, continued by the first interval here
  if (haveLast && x > 0 && lastEnd == x - 1 && lookup(table, has(a, x), has(b, x))) addCount(out, -1);
  haveLast = true;
  lastEnd = chunkLast(out, n - 1);
}

/** The window at `base`: result bits for ticks [x, y] of it from the input words at pa, pb. */
function window(table: u32, base: u64, x: u64, y: u64, pa: usize, pb: usize, out: usize): void {
  const ch = appendBitmap(out, base);
  const dst = bitsPtr(ch);
  const i0 = <i32>(x - base), i1 = <i32>(y - base);
  const w0 = i0 >>> 6, w1 = i1 >>> 6;
  const t0 = (table & 1) != 0, t1 = (table & 2) != 0, t2 = (table & 4) != 0, t3 = (table & 8) != 0;
  let bits = 0, runs = 0;
  let carry: u64 = 0; // the previous word's top bit
  let lastWord = -1;
  for (let w = w0; w <= w1; w++) {
    const va = load<u64>(pa + (<usize>w << 3)), vb = load<u64>(pb + (<usize>w << 3));
    let r: u64 = 0;
    if (t0) r |= ~va & ~vb;
    if (t1) r |= va & ~vb;
    if (t2) r |= ~va & vb;
    if (t3) r |= va & vb;
    if (w == w0) r &= U64_MAX << <u64>(i0 & 63);
    if (w == w1) r &= U64_MAX >> <u64>(63 - (i1 & 63));
    store<u64>(dst + (<usize>w << 3), r);
    if (r != 0) {
      bits += <i32>popcnt(r);
      runs += <i32>popcnt(r & ~((r << 1) | carry));
      lastWord = w;
    }
    carry = r >> 63;
  }
  if (bits == 0) { removeChunks(out, nchunks(out) - 1, nchunks(out)); return; }
  setClen(ch, bits);
  addCount(out, runs);
  if (haveLast && base > 0 && lastEnd == base - 1 && (load<u64>(dst) & 1) != 0) addCount(out, -1);
  haveLast = true;
  lastEnd = base + (<u64>lastWord << 6) + (63 - clz(load<u64>(dst + (<usize>lastWord << 3))));
}
