import { beforeAll, describe, expect, it } from "vitest";
import { RangeSet, init } from "../../src/core/range-set.js";
import { DisposedError, RangeStateError, TickError } from "../../src/core/errors.js";

beforeAll(async () => {
  await init();
});

const TOP = 2n ** 64n - 1n;

describe("init", () => {
  it("is idempotent", async () => {
    await init();
    await init();
    expect(new RangeSet().add(1).has(1)).toBe(true);
  });
});

describe("the wire form", () => {
  it("reads upstream's items: bare ticks and half-open pairs", () => {
    const s = RangeSet.fromState([1, [3, 10]]);
    expect(s.toState()).toEqual([1, [3, 10]]);
    expect(s.count()).toBe(8);
    expect(s.size).toBe(2);
    expect([...s]).toEqual([[1, 2], [3, 10]]);
    expect(String(s)).toBe("{1, 3..9}");
    expect(JSON.stringify(s)).toBe("[1,[3,10]]");
  });

  it("sorts and merges what upstream leaves broken ([5, [1, 3], 4] keeps 3 out)", () => {
    const s = RangeSet.fromState([5, [1, 3], 4]);
    expect(s.toState()).toEqual([[1, 3], [4, 6]]);
    expect(s.has(4)).toBe(true);
    expect(s.has(3)).toBe(false);
  });

  it("accepts bigints and gives numbers back while they are safe", () => {
    const s = RangeSet.fromState([5n, [7n, 9n]]);
    expect(s.toState()).toEqual([5, [7, 9]]);
  });

  it("round-trips the largest ticks exactly", () => {
    const s = RangeSet.fromState([0, [TOP - 2n, TOP + 1n], 2n ** 53n]);
    expect(s.toState()).toEqual([0, 2n ** 53n, [TOP - 2n, TOP + 1n]]);
    expect(s.has(TOP)).toBe(true);
    expect(s.has(TOP - 3n)).toBe(false);
    expect(s.count()).toBe(5);
    expect(s.last()).toBe(TOP);
    expect(RangeSet.fromState(s.toState()).equals(s)).toBe(true);
  });

  it("counts past 2^53 as a bigint, and the whole universe as 2^64", () => {
    expect(new RangeSet().add(0, 2n ** 60n).count()).toBe(2n ** 60n);
    expect(new RangeSet().add(0, 2n ** 64n).count()).toBe(2n ** 64n);
  });

  const bad: [unknown, string][] = [
    ["x", 'RangeSet.fromState: state "x" is not a list; expected ticks and [start, end] pairs'],
    [null, "RangeSet.fromState: state null is not a list; expected ticks and [start, end] pairs"],
    [[1, [7, 5]], "RangeSet.fromState: item 1 [7, 5] is not a range: start 7 must be < end 5"],
    [[[3, 3]], "RangeSet.fromState: item 0 [3, 3] is not a range: start 3 must be < end 3"],
    [[1, -2], "RangeSet.fromState: item 1 -2 is not a tick; expected an integer in [0, 18446744073709551615]"],
    [[1.5], "RangeSet.fromState: item 0 1.5 is not a tick; expected an integer in [0, 18446744073709551615]"],
    [[2 ** 60], "RangeSet.fromState: item 0 1152921504606847000 is above 2^53 - 1 and not exact as a number; send it as a bigint"],
    [["3"], 'RangeSet.fromState: item 0 "3" is not a tick or a [start, end] pair'],
    [[[1, 2, 3]], "RangeSet.fromState: item 0 [1, 2, 3] is not a tick or a [start, end] pair"],
    [[2n ** 64n], "RangeSet.fromState: item 0 18446744073709551616n has tick 18446744073709551616n out of range; expected an integer in [0, 18446744073709551615]"],
    [[[1n, 2n ** 64n + 1n]], "RangeSet.fromState: item 0 [1n, 18446744073709551617n] has end 18446744073709551617n out of range; expected an integer in [0, 18446744073709551616]"],
    [[[0, "9"]], 'RangeSet.fromState: item 0 [0, "9"] has end "9" that is not a tick; expected an integer in [0, 18446744073709551616]'],
    [[1, [5n, 2n]], "RangeSet.fromState: item 1 [5n, 2n] is not a range: start 5n must be < end 2n"],
  ];
  for (const [state, message] of bad) {
    it(`rejects ${JSON.stringify(state, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))} naming the item`, () => {
      expect(() => RangeSet.fromState(state)).toThrow(message);
      expect(() => RangeSet.fromState(state)).toThrow(RangeStateError);
    });
  }
});

describe("point operations", () => {
  it("take a tick or a half-open range, and chain", () => {
    const s = new RangeSet().add(1).add(3, 6).discard(4);
    expect(s.toState()).toEqual([1, 3, 5]);
    expect(s.add(2).toState()).toEqual([[1, 4], 5]);
    expect(s.discard(0, 100).isEmpty).toBe(true);
  });

  it("treat an empty range as nothing and reject a reversed one", () => {
    const s = new RangeSet().add(5, 5).add(2n ** 64n, 2n ** 64n);
    expect(s.isEmpty).toBe(true);
    expect(s.complement(2n ** 64n, 2n ** 64n).isEmpty).toBe(true); // found by the property test
    expect(() => s.add(2n ** 64n, 2n ** 64n + 1n)).toThrow("RangeSet.add: end 18446744073709551617n is out of range");
    expect(() => s.add(6, 5)).toThrow("RangeSet.add: range [6, 5] is reversed; expected start <= end");
  });

  it("reject non-ticks with the API's name", () => {
    const s = new RangeSet();
    expect(() => s.add(-1)).toThrow("RangeSet.add: tick -1 is not a tick; expected an integer in [0, 18446744073709551615]");
    expect(() => s.has(2 ** 60)).toThrow("RangeSet.has: tick 1152921504606847000 is above 2^53 - 1 and not exact as a number; pass it as a bigint");
    expect(() => s.discard(2n ** 64n)).toThrow(TickError);
    expect(() => s.add(NaN)).toThrow("RangeSet.add: tick NaN is not a tick");
  });
});

describe("bulk operations", () => {
  it("compute a node's missing ticks (the documented example)", () => {
    const present = RangeSet.fromState([[1, 4], 6]);
    const superseded = RangeSet.fromState([[4, 6]]);
    expect(RangeSet.missing(9, present, superseded).toState()).toEqual([[7, 10]]);
    expect(RangeSet.missing(0, present, superseded).toState()).toEqual([]);
  });

  it("complement within [lo, hi)", () => {
    const s = RangeSet.fromState([[3, 5]]);
    expect(s.complement(0, 10).toState()).toEqual([[0, 3], [5, 10]]);
    expect(s.complement(4, 4).toState()).toEqual([]);
  });
});

describe("memory", () => {
  it("disposes once and then refuses use", () => {
    const s = RangeSet.of(1, 2, 3);
    s.dispose();
    s.dispose();
    expect(s.disposed).toBe(true);
    expect(() => s.has(1)).toThrow(DisposedError);
    expect(() => s.union(new RangeSet())).toThrow("RangeSet.union: this RangeSet was disposed; its memory is gone");
  });

  it("frees with `using`", () => {
    let kept: RangeSet;
    {
      using s = RangeSet.of(1);
      kept = s;
      expect(kept.disposed).toBe(false);
    }
    expect(kept.disposed).toBe(true);
  });

  it("survives memory growth between calls (views are refreshed)", () => {
    const big = new RangeSet();
    for (let i = 0; i < 200_000; i++) big.add(i * 3);
    const copy = RangeSet.fromState(big.toState());
    expect(copy.equals(big)).toBe(true);
    expect(copy.count()).toBe(200_000);
    big.dispose();
    copy.dispose();
  });

  it("clone and assign copy; clear empties", () => {
    const a = RangeSet.of(1, 5);
    const b = a.clone();
    a.add(2);
    expect(b.toState()).toEqual([1, 5]);
    expect(new RangeSet().assign(a).toState()).toEqual([[1, 3], 5]);
    expect(a.clear().isEmpty).toBe(true);
  });
});

describe("sequential adds, coalesced in JavaScript", () => {
  it("keep a run pending below 2^53 and refuse 2^53 as a number at its end", () => {
    const s = new RangeSet();
    const top = Number.MAX_SAFE_INTEGER;
    s.add(top - 2).add(top - 1).add(top);
    expect(() => s.add(top + 1)).toThrow("RangeSet.add: tick 9007199254740992 is above 2^53 - 1");
    s.add(2n ** 53n).add(2n ** 53n + 1n); // the bigint path, after the run
    expect(s.toState()).toEqual([[top - 2, 2n ** 53n + 2n]]);
    expect(s.checkInvariants()).toBe(0);
  });

  it("die with the set: the next tick of a run on a disposed set throws", () => {
    const s = new RangeSet().add(1).add(2).add(3);
    s.dispose();
    expect(() => s.add(4)).toThrow(DisposedError);
    expect(() => s.has(2)).toThrow(DisposedError);
    expect(() => s.discard(3)).toThrow(DisposedError);
  });

  it("builds a million sequential ticks as one interval", () => {
    const s = new RangeSet();
    for (let t = 1; t <= 1_000_000; t++) s.add(t);
    expect(s.has(1_000_000)).toBe(true);
    expect(s.has(1_000_001)).toBe(false);
    expect(s.discard(500_000).toState()).toEqual([[1, 500_000], [500_001, 1_000_001]]);
    s.dispose();
  });
});

describe("raster", () => {
  it("gives each pixel the share of its ticks in the set", () => {
    const s = RangeSet.fromState([[0, 5], [10, 12], 19]);
    // 20 ticks in 4 pixels of 5 ticks: 5/5, 0/5, 2/5, 1/5
    expect([...s.raster(0, 20, 4)]).toEqual([1, 0, 0.4000000059604645, 0.20000000298023224]);
    // more pixels than ticks: each tick covers two pixels fully
    expect([...s.raster(18, 20, 4)]).toEqual([0, 0, 1, 1]);
    expect([...new RangeSet().raster(0, 10, 3)]).toEqual([0, 0, 0]);
  });

  it("draws a million intervals into a thousand pixels, with no pixel over full", () => {
    const s = new RangeSet();
    for (let i = 0; i < 1_000_000; i++) s.add(i * 2);
    const px = s.raster(0, 2_000_000, 1000);
    expect(px.length).toBe(1000);
    for (const v of px) expect(v).toBeCloseTo(0.5, 5);
    s.dispose();
  });
});
