// SortedArraySet: the pure-TypeScript range set the benchmark measures the WebAssembly core against.
//
// The obvious JavaScript design, written plainly and without tricks in either direction:
// two number arrays `starts` and `ends` hold sorted, disjoint, non-adjacent half-open intervals
// [starts[i], ends[i]). Point operations binary-search and use Array.prototype.splice (so they
// cost O(log n) plus an O(n) element move); bulk operations are single linear merges.
//
// Ticks are plain numbers (safe integers); the baseline does not handle bigint ticks, which the
// benchmark never uses. The wire form is the same as RangeSet's: a tick t, or a pair [a, b) for
// longer runs, so toState() output can be compared with RangeSet.toState() directly.

export type BaselineItem = number | [number, number];

export class SortedArraySet {
  starts: number[] = [];
  ends: number[] = [];

  /** Build from wire items in any order; overlapping and touching items are merged. */
  static fromState(items: readonly BaselineItem[]): SortedArraySet {
    let sorted = true;
    for (let i = 1; i < items.length && sorted; i++) sorted = startOf(items[i - 1]!) <= startOf(items[i]!);
    const ordered = sorted ? items : [...items].sort((x, y) => startOf(x) - startOf(y));
    const s = new SortedArraySet();
    for (const it of ordered) {
      const a = startOf(it), b = typeof it === "number" ? it + 1 : it[1];
      if (!(a < b)) throw new RangeError(`SortedArraySet.fromState: [${a}, ${b}) is not a range`);
      s.#appendMerge(a, b);
    }
    return s;
  }

  /**
   * [1, tick] minus present minus superseded: the gaps left by both sets, walked in one merge
   * of their intervals in start order.
   */
  static missing(tick: number, present: SortedArraySet, superseded: SortedArraySet): SortedArraySet {
    const out = new SortedArraySet();
    const hi = tick + 1;
    let next = 1; // first tick not yet known to be covered
    let i = 0, j = 0;
    const p = present, q = superseded;
    while (next < hi && (i < p.starts.length || j < q.starts.length)) {
      let s: number, e: number;
      if (j >= q.starts.length || (i < p.starts.length && p.starts[i]! <= q.starts[j]!)) {
        s = p.starts[i]!; e = p.ends[i]!; i++;
      } else {
        s = q.starts[j]!; e = q.ends[j]!; j++;
      }
      if (s > next) out.#append(next, Math.min(s, hi));
      if (e > next) next = e;
    }
    if (next < hi) out.#append(next, hi);
    return out;
  }

  /** Number of intervals. */
  get size(): number {
    return this.starts.length;
  }

  /** Number of ticks. */
  count(): number {
    let n = 0;
    for (let i = 0; i < this.starts.length; i++) n += this.ends[i]! - this.starts[i]!;
    return n;
  }

  /** The wire form: t for a one-tick interval, [a, b) otherwise. */
  toState(): BaselineItem[] {
    const out: BaselineItem[] = new Array(this.starts.length);
    for (let i = 0; i < this.starts.length; i++) {
      const a = this.starts[i]!, b = this.ends[i]!;
      out[i] = b - a === 1 ? a : [a, b];
    }
    return out;
  }

  has(t: number): boolean {
    const i = upperBound(this.starts, t) - 1; // last interval starting at or before t
    return i >= 0 && t < this.ends[i]!;
  }

  /** Add the tick a, or the half-open range [a, b). */
  add(a: number, b: number = a + 1): this {
    if (!(a < b)) return this;
    const i = lowerBound(this.ends, a); // first interval that overlaps or touches [a, b) from the left
    const j = upperBound(this.starts, b); // first interval entirely after [a, b), not touching it
    if (i === j) {
      this.starts.splice(i, 0, a);
      this.ends.splice(i, 0, b);
      return this;
    }
    // Intervals i..j-1 merge with [a, b) into one.
    const s = Math.min(this.starts[i]!, a), e = Math.max(this.ends[j - 1]!, b);
    this.starts[i] = s;
    this.ends[i] = e;
    if (j - i > 1) {
      this.starts.splice(i + 1, j - i - 1);
      this.ends.splice(i + 1, j - i - 1);
    }
    return this;
  }

  /** Remove the tick a, or the half-open range [a, b). */
  discard(a: number, b: number = a + 1): this {
    if (!(a < b)) return this;
    const i = upperBound(this.ends, a); // first interval with a tick >= a
    const j = lowerBound(this.starts, b); // first interval with no tick < b
    if (i >= j) return this;
    // What survives of intervals i..j-1: a piece left of a and a piece right of b.
    const newStarts: number[] = [], newEnds: number[] = [];
    if (this.starts[i]! < a) { newStarts.push(this.starts[i]!); newEnds.push(a); }
    if (this.ends[j - 1]! > b) { newStarts.push(b); newEnds.push(this.ends[j - 1]!); }
    this.starts.splice(i, j - i, ...newStarts);
    this.ends.splice(i, j - i, ...newEnds);
    return this;
  }

  union(o: SortedArraySet): SortedArraySet {
    const out = new SortedArraySet();
    let i = 0, j = 0;
    const n = this.starts.length, m = o.starts.length;
    while (i < n || j < m) {
      if (j >= m || (i < n && this.starts[i]! <= o.starts[j]!)) {
        out.#appendMerge(this.starts[i]!, this.ends[i]!); i++;
      } else {
        out.#appendMerge(o.starts[j]!, o.ends[j]!); j++;
      }
    }
    return out;
  }

  intersect(o: SortedArraySet): SortedArraySet {
    const out = new SortedArraySet();
    let i = 0, j = 0;
    const n = this.starts.length, m = o.starts.length;
    while (i < n && j < m) {
      const s = Math.max(this.starts[i]!, o.starts[j]!);
      const e = Math.min(this.ends[i]!, o.ends[j]!);
      if (s < e) out.#append(s, e); // pieces of canonical sets never touch: no merge needed
      if (this.ends[i]! < o.ends[j]!) i++; else j++;
    }
    return out;
  }

  subtract(o: SortedArraySet): SortedArraySet {
    const out = new SortedArraySet();
    let j = 0;
    const m = o.starts.length;
    for (let i = 0; i < this.starts.length; i++) {
      let s = this.starts[i]!;
      const e = this.ends[i]!;
      while (j < m && o.ends[j]! <= s) j++; // skip o's intervals that end before this one
      let k = j;
      while (k < m && o.starts[k]! < e) {
        if (o.starts[k]! > s) out.#append(s, o.starts[k]!);
        s = Math.max(s, o.ends[k]!);
        k++;
      }
      if (s < e) out.#append(s, e);
    }
    return out;
  }

  /** Append [a, b) after every interval; the caller guarantees a gap before a. */
  #append(a: number, b: number): void {
    this.starts.push(a);
    this.ends.push(b);
  }

  /** Append [a, b), a >= the last start, merging with the last interval when they touch or overlap. */
  #appendMerge(a: number, b: number): void {
    const n = this.starts.length;
    if (n > 0 && a <= this.ends[n - 1]!) {
      if (b > this.ends[n - 1]!) this.ends[n - 1] = b;
    } else {
      this.#append(a, b);
    }
  }
}

function startOf(it: BaselineItem): number {
  return typeof it === "number" ? it : it[0];
}

/** First index i with xs[i] >= x (xs sorted ascending). */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** First index i with xs[i] > x (xs sorted ascending). */
function upperBound(xs: readonly number[], x: number): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1; else hi = mid;
  }
  return lo;
}
