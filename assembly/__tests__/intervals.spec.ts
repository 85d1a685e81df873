import {
  setNew, setFree, intervalCount, nchunks, U64_MAX, CHUNK_CAP, bitmapCount, READER_A, BITMAP_TICKS,
} from "../chunks";
import {
  addRange, discardRange, addPoint, discardPoint, has, check,
} from "../intervals";
import {
  setDense,
} from "../dense";
import {
  union, equals, count, countCarry,
} from "../merge";
import {
  sweep, OP_UNION, OP_INTERSECT, OP_DIFFERENCE, OP_NEITHER, OP_NOT_A, MODE_BUILD, MODE_ANY,
} from "../sweep";
import {
  importPairs, PAIRS_U64, badPair,
} from "../transfer";
import {
  ERR_PAIR_ORDER,
} from "../errors";

/** The set as text, "[a,l] [a,l]", after checking every invariant. */
function dump(s: usize): string {
  expect<i32>(check(s)).toBe(0, "invariants hold");
  let out = "";
  // maximal intervals, whatever the chunk kinds
  const R = READER_A;
  for (R.open(s, 0, 0, nchunks(s)); R.ok; R.next()) {
    if (out.length > 0) out += " ";
    out += "[" + R.start.toString() + "," + R.last.toString() + "]";
  }
  return out;
}

function make(pairs: u64[]): usize {
  const s = setNew();
  for (let i = 0; i < pairs.length; i += 2) addRange(s, pairs[i], pairs[i + 1]);
  return s;
}

function op(a: usize, b: usize, table: u32, lo: u64 = 0, hi: u64 = U64_MAX): string {
  const out = setNew();
  sweep(a, b, table, lo, hi, MODE_BUILD, out);
  const r = dump(out);
  setFree(out);
  return r;
}

describe("empty set", () => {
  it("has nothing and counts zero", () => {
    const s = setNew();
    expect<bool>(has(s, 0)).toBe(false);
    expect<bool>(has(s, U64_MAX)).toBe(false);
    expect<u64>(count(s)).toBe(0);
    expect<string>(dump(s)).toBe("");
    discardRange(s, 0, U64_MAX);
    expect<string>(dump(s)).toBe("");
    setFree(s);
  });
  it("unions, intersects and subtracts to the other operand or nothing", () => {
    const e = setNew(), a = make([3, 5]);
    expect<string>(op(e, a, OP_UNION)).toBe("[3,5]");
    expect<string>(op(e, a, OP_INTERSECT)).toBe("");
    expect<string>(op(e, a, OP_DIFFERENCE)).toBe("");
    expect<string>(op(a, e, OP_DIFFERENCE)).toBe("[3,5]");
    expect<bool>(equals(e, e)).toBe(true);
    expect<bool>(equals(e, a)).toBe(false);
  });
});

describe("extremes", () => {
  it("holds 0 and 2^64 - 1", () => {
    const s = make([0, 0, U64_MAX, U64_MAX]);
    expect<string>(dump(s)).toBe("[0,0] [18446744073709551615,18446744073709551615]");
    expect<bool>(has(s, 0)).toBe(true);
    expect<bool>(has(s, 1)).toBe(false);
    expect<bool>(has(s, U64_MAX)).toBe(true);
    expect<bool>(has(s, U64_MAX - 1)).toBe(false);
    expect<u64>(count(s)).toBe(2);
  });
  it("counts the whole universe as 2^64 with a carry", () => {
    const s = make([0, U64_MAX]);
    expect<u64>(count(s)).toBe(0);
    expect<u64>(countCarry).toBe(1);
    discardRange(s, U64_MAX, U64_MAX);
    expect<u64>(count(s)).toBe(U64_MAX);
    expect<u64>(countCarry).toBe(0);
  });
  it("complements around the top of the range", () => {
    const e = setNew();
    const s = make([5, 9, U64_MAX - 1, U64_MAX]);
    expect<string>(op(s, e, OP_NOT_A)).toBe("[0,4] [10,18446744073709551613]");
    expect<string>(op(s, e, OP_NOT_A, 6, U64_MAX)).toBe("[10,18446744073709551613]");
  });
  it("merges an interval that ends at 2^64 - 1 with its left neighbour", () => {
    const s = make([U64_MAX - 1, U64_MAX]);
    addRange(s, 0, U64_MAX - 2);
    expect<string>(dump(s)).toBe("[0,18446744073709551615]");
  });
});

describe("point operations", () => {
  it("merges touching and overlapping intervals", () => {
    const s = make([1, 1, 3, 3]);
    expect<string>(dump(s)).toBe("[1,1] [3,3]");
    addRange(s, 2, 2);
    expect<string>(dump(s)).toBe("[1,3]");
    addRange(s, 10, 20);
    addRange(s, 5, 12);
    expect<string>(dump(s)).toBe("[1,3] [5,20]");
    addRange(s, 4, 4);
    expect<string>(dump(s)).toBe("[1,20]");
    addRange(s, 0, 30);
    expect<string>(dump(s)).toBe("[0,30]");
  });
  it("splits an interval on discard and removes whole ones", () => {
    const s = make([1, 10]);
    discardRange(s, 5, 5);
    expect<string>(dump(s)).toBe("[1,4] [6,10]");
    discardRange(s, 1, 1);
    expect<string>(dump(s)).toBe("[2,4] [6,10]");
    discardRange(s, 10, 10);
    expect<string>(dump(s)).toBe("[2,4] [6,9]");
    discardRange(s, 3, 7);
    expect<string>(dump(s)).toBe("[2,2] [8,9]");
    discardRange(s, 0, 100);
    expect<string>(dump(s)).toBe("");
    expect<i32>(intervalCount(s)).toBe(0);
  });
  it("ignores discards that touch nothing", () => {
    const s = make([5, 6, 10, 11]);
    discardRange(s, 7, 9);
    discardRange(s, 0, 4);
    discardRange(s, 12, U64_MAX);
    expect<string>(dump(s)).toBe("[5,6] [10,11]");
  });
  it("splits chunks on growth and merges them on shrinkage", () => {
    setDense(0, 64, CHUNK_CAP); // pairs only: this is about pair chunks
    const s = setNew();
    const n: u64 = <u64>CHUNK_CAP * 8;
    // inserted front-first, so chunks fill up, split in halves, and the set spans many chunks
    for (let i: u64 = n; i > 0; i--) addRange(s, (i - 1) * 2, (i - 1) * 2);
    expect<i32>(intervalCount(s)).toBe(<i32>n);
    expect<i32>(check(s)).toBe(0);
    expect<bool>(nchunks(s) > 8).toBe(true);
    // fill every gap: everything collapses to one interval across all chunks
    for (let i: u64 = 0; i < n - 1; i++) addRange(s, i * 2 + 1, i * 2 + 1);
    expect<string>(dump(s)).toBe("[0," + ((n - 1) * 2).toString() + "]");
    expect<i32>(nchunks(s)).toBe(1);
    setDense(1024, 64, CHUNK_CAP);
  });
  it("lays a dense window out as a bitmap, and a sparse one back as pairs", () => {
    const s = setNew();
    const n: u64 = <u64>CHUNK_CAP * 8;
    for (let i: u64 = n; i > 0; i--) addPoint(s, (i - 1) * 2);
    expect<i32>(intervalCount(s)).toBe(<i32>n);
    expect<i32>(check(s)).toBe(0);
    expect<i32>(bitmapCount(s)).toBe(1); // 2048 starts in window 0
    expect<bool>(has(s, 2)).toBe(true);
    expect<bool>(has(s, 3)).toBe(false);
    for (let i: u64 = 0; i < n - 1; i++) addPoint(s, i * 2 + 1);
    expect<string>(dump(s)).toBe("[0," + ((n - 1) * 2).toString() + "]");
    // down to a few ticks: back to pairs
    discardRange(s, 10, (n - 1) * 2);
    expect<string>(dump(s)).toBe("[0,9]");
    expect<i32>(bitmapCount(s)).toBe(0);
    setFree(s);
  });
  it("keeps runs across a bitmap window's edges as one interval", () => {
    const s = setNew();
    const W = BITMAP_TICKS;
    for (let i: u64 = 0; i < 2000; i++) addPoint(s, W + i * 2);
    for (let i: u64 = 0; i < 2000; i++) addPoint(s, W - 2 - i * 2);
    addRange(s, W - 1, W - 1);
    expect<i32>(check(s)).toBe(0);
    expect<i32>(intervalCount(s)).toBe(3999);
    // fill the gaps around the edge at W, then add ticks after the window's end
    for (let i: u64 = 0; i < 4000; i++) addPoint(s, W - 4000 + i);
    expect<i32>(check(s)).toBe(0);
    expect<bool>(bitmapCount(s) >= 1).toBe(true);
    addPoint(s, 2 * W - 1);
    addPoint(s, 2 * W);
    addPoint(s, 2 * W + 1);
    expect<i32>(check(s)).toBe(0);
    discardPoint(s, 2 * W);
    expect<i32>(check(s)).toBe(0);
    addPoint(s, 2 * W);
    expect<i32>(check(s)).toBe(0);
    setFree(s);
  });
  it("removes a range spanning many chunks in one step", () => {
    const s = setNew();
    for (let i: u64 = 0; i < 3000; i++) addRange(s, i * 3, i * 3 + 1);
    discardRange(s, 4, 8990);
    expect<string>(dump(s)).toBe("[0,1] [3,3] [8991,8992] [8994,8995] [8997,8998]");
    addRange(s, 2, 8993);
    expect<string>(dump(s)).toBe("[0,8995] [8997,8998]");
  });
  it("appends in order into full chunks (the fast path)", () => {
    const s = setNew();
    for (let i: u64 = 0; i < <u64>CHUNK_CAP * 4; i++) addRange(s, i * 3, i * 3 + 1);
    expect<i32>(check(s)).toBe(0);
    expect<i32>(nchunks(s)).toBe(4);
    addRange(s, <u64>CHUNK_CAP * 12 - 1, <u64>CHUNK_CAP * 12 - 1); // touches the last interval [3069, 3070]: extends it
    expect<i32>(intervalCount(s)).toBe(CHUNK_CAP * 4);
    expect<i32>(check(s)).toBe(0);
  });

  it("inserts in reverse order (front of every chunk)", () => {
    const s = setNew();
    for (let i: u64 = 2000; i > 0; i--) addRange(s, i * 4, i * 4 + 1);
    expect<i32>(check(s)).toBe(0);
    expect<i32>(intervalCount(s)).toBe(2000);
    expect<bool>(has(s, 4)).toBe(true);
    expect<bool>(has(s, 6)).toBe(false);
  });
});

describe("point paths", () => {
  it("addPoint / discardPoint agree with a brute-force model across many chunks", () => {
    // a fragmented universe of 8192 ticks (every other tick), then 20,000 seeded point changes
    // and probes, clustered in a few regions so chunks fill, split, empty and merge unevenly
    const U: i32 = 8192;
    const model = new StaticArray<bool>(U);
    const s = setNew();
    for (let t = 0; t < U; t += 2) { addPoint(s, <u64>t); model[t] = true; }
    let x: u32 = 12345;
    for (let i = 0; i < 20000; i++) {
      x = x * 1103515245 + 12345;
      const r = <i32>(x >> 8);
      const region = (r & 3) * 2048;
      const t = region + ((r >> 2) % ((i & 1) == 0 ? 2048 : 300));
      if ((r >> 20) & 1) { addPoint(s, <u64>t); model[t] = true; }
      else { discardPoint(s, <u64>t); model[t] = false; }
      const p = <i32>((x >> 3) % <u32>U);
      expect<bool>(has(s, <u64>p)).toBe(model[p]);
    }
    expect<i32>(check(s)).toBe(0);
    let runs = 0;
    for (let t = 0; t < U; t++) {
      expect<bool>(has(s, <u64>t)).toBe(model[t]);
      if (model[t] && (t == 0 || !model[t - 1])) runs++;
    }
    expect<i32>(intervalCount(s)).toBe(runs);
    setFree(s);
  });
  it("handles the ends of the tick range", () => {
    const s = setNew();
    addPoint(s, U64_MAX);
    addPoint(s, 0);
    addPoint(s, U64_MAX - 1);
    expect<string>(dump(s)).toBe("[0,0] [18446744073709551614,18446744073709551615]");
    discardPoint(s, U64_MAX);
    addPoint(s, 1);
    expect<string>(dump(s)).toBe("[0,1] [18446744073709551614,18446744073709551614]");
    discardPoint(s, 0);
    discardPoint(s, U64_MAX - 1);
    expect<string>(dump(s)).toBe("[1,1]");
    setFree(s);
  });
});

describe("bulk operations", () => {
  it("computes missing = [1, tick] - present - superseded", () => {
    const present = make([1, 1, 4, 6]);
    const superseded = make([2, 2]);
    expect<string>(op(present, superseded, OP_NEITHER, 1, 9)).toBe("[3,3] [7,9]");
    expect<string>(op(present, superseded, OP_NEITHER, 1, 6)).toBe("[3,3]");
  });
  it("tests for any result without building one", () => {
    const a = make([1, 3]), b = make([2, 2]), c = make([10, 12]);
    expect<i32>(sweep(b, a, OP_DIFFERENCE, 0, U64_MAX, MODE_ANY, 0)).toBe(0); // b subset of a
    expect<i32>(sweep(a, b, OP_DIFFERENCE, 0, U64_MAX, MODE_ANY, 0)).toBe(1);
    expect<i32>(sweep(a, c, OP_INTERSECT, 0, U64_MAX, MODE_ANY, 0)).toBe(0); // disjoint
  });
  it("unions with the dedicated kernel as the sweep does", () => {
    const a = make([1, 2, 8, 9, 20, 30]), b = make([3, 3, 5, 7, 25, 40]);
    const out = setNew();
    union(a, b, out);
    expect<string>(dump(out)).toBe("[1,3] [5,9] [20,40]");
    expect<string>(op(a, b, OP_UNION)).toBe("[1,3] [5,9] [20,40]");
  });
});

describe("import", () => {
  it("sorts, merges and rejects reversed pairs", () => {
    const buf = heap.alloc(6 * 16);
    const vals: u64[] = [9, 9, 1, 3, 4, 4, 20, 25, 2, 2, 22, 30];
    for (let i = 0; i < vals.length; i++) store<u64>(buf + (<usize>i << 3), vals[i]);
    const s = setNew();
    expect<i32>(importPairs(s, buf, 6, PAIRS_U64)).toBe(0);
    expect<string>(dump(s)).toBe("[1,4] [9,9] [20,30]");
    store<u64>(buf, 5); store<u64>(buf, 4, 8);
    expect<i32>(importPairs(s, buf, 1, PAIRS_U64)).toBe(ERR_PAIR_ORDER);
    expect<i32>(badPair).toBe(0);
    heap.free(buf);
  });
});
