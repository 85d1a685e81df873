// The generic sweep over two interval sets, and the truth tables of the binary operations.
//
// Every binary set operation is one sweep over the boundaries of both sets. A set's boundaries
// are start (entering an interval) and last + 1 (leaving it); between two consecutive
// boundaries membership is constant. The sweep tracks whether it is inside A and inside B and
// looks the output membership up in a 4-bit truth table indexed by (inA | inB << 1):
//
//   union          0b1110   (A or B)
//   intersection   0b1000   (A and B)
//   difference     0b0010   (A and not B)
//   symmetric diff 0b0110
//   neither        0b0001   (missing = [1, tick] - present - superseded, clipped)
//
// Because all boundaries at the same position are consumed before the output is compared,
// the output is canonical (sorted, disjoint, non-adjacent) without a post-pass. Cost:
// O(n + m) boundary steps plus O(log n + log m) to seek both cursors to the clip start.
//
// merge.ts has the dedicated kernels of the operations a node runs all the time; merge-bitmap.ts
// the operations when an input has bitmap chunks, which use this sweep between bitmap windows.

import {
  U64_MAX, appendUnchecked, RunReader, READER_A, READER_B,
} from "./chunks";

export const OP_UNION: u32 = 0b1110;
export const OP_INTERSECT: u32 = 0b1000;
export const OP_DIFFERENCE: u32 = 0b0010;
export const OP_XOR: u32 = 0b0110;
export const OP_NEITHER: u32 = 0b0001;
export const OP_NOT_A: u32 = 0b0101;

/** Sweep modes: build the result into `out`, or stop at the first result tick (a test). */
export const MODE_BUILD: i32 = 0;
export const MODE_ANY: i32 = 1;

/**
 * A reading position in one set for the sweep: its maximal intervals through a RunReader (pairs
 * and bitmap runs alike, coalesced across chunk edges), and whether the sweep is inside one.
 */
@unmanaged class Cursor {
  r: RunReader;
  next: u64;     // the next boundary, valid when `has`
  has: bool;     // a further boundary exists (false: exhausted, or inside an interval that ends at 2^64 - 1)
  inside: bool;  // inside the reader's current interval

  /** Position at `lo`: inside when some interval holds lo, else before the first interval after it. */
  init(s: usize, lo: u64): void {
    const r = this.r;
    r.seek(s, lo);
    if (r.ok && r.start <= lo) {
      this.inside = true;
      this.leaveBoundary();
    } else {
      this.inside = false;
      this.enterBoundary();
    }
  }

  @inline enterBoundary(): void {
    if (this.r.ok) { this.next = this.r.start; this.has = true; } else this.has = false;
  }

  @inline leaveBoundary(): void {
    const l = this.r.last;
    if (l == U64_MAX) this.has = false; else { this.next = l + 1; this.has = true; }
  }

  /** Cross the boundary at `next`. */
  @inline step(): void {
    if (this.inside) {
      this.inside = false;
      this.r.next();
      this.enterBoundary();
    } else {
      this.inside = true;
      this.leaveBoundary();
    }
  }
}

function cursorOf(r: RunReader): Cursor {
  const c = changetype<Cursor>(heap.alloc(offsetof<Cursor>()));
  c.r = r;
  return c;
}
const CURSOR_A = cursorOf(READER_A);
const CURSOR_B = cursorOf(READER_B);

@inline export function lookup(table: u32, a: bool, b: bool): bool {
  return ((table >> (<u32>a | (<u32>b << 1))) & 1) != 0;
}

/**
 * Apply the truth table to A and B restricted to [lo, hi]. MODE_BUILD appends the result to
 * `out` (which must be empty) and returns 0; MODE_ANY returns 1 at the first result tick, 0 if
 * the result is empty.
 */
export function sweep(a: usize, b: usize, table: u32, lo: u64, hi: u64, mode: i32, out: usize): i32 {
  if (lo > hi) return 0;
  const A = CURSOR_A, B = CURSOR_B;
  A.init(a, lo);
  B.init(b, lo);
  let state = lookup(table, A.inside, B.inside);
  let outStart = lo;
  while (true) {
    let x: u64 = 0;
    if (A.has) {
      x = A.next;
      if (B.has && B.next < x) x = B.next;
    } else if (B.has) {
      x = B.next;
    } else break;
    if (x > hi) break;
    if (A.has && A.next == x) A.step();
    if (B.has && B.next == x) B.step();
    const ns = lookup(table, A.inside, B.inside);
    if (ns != state) {
      if (ns) outStart = x;
      else {
        if (mode == MODE_ANY) return 1;
        appendUnchecked(out, outStart, x - 1);
      }
      state = ns;
    }
  }
  if (state) {
    if (mode == MODE_ANY) return 1;
    appendUnchecked(out, outStart, hi);
  }
  return 0;
}
