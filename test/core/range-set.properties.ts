// Every RangeSet operation against a brute-force model (a Set of bigints), in two universes:
// [0, 64) and the top 64 ticks below 2^64, where the end of a range overflows u64. One suite,
// run once per build of the core: range-set.property.test.ts on the SIMD build (what init()
// loads on Node 20), range-set.property.scalar.test.ts on the scalar reference build.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { RangeSet, init, type RangeSetState } from "../../src/core/range-set.js";
import { coreKernel, useKernel, wasm } from "../../src/wasm/core.js";
import { tickOut, type Tick } from "../../src/core/tick.js";
import * as M from "../support/model.js";

/** A result of a bulk operation: sound (the core's invariants), equal to `want` as wire state; then disposed. */
function check(got: RangeSet, want: RangeSetState): void {
  expect(got.checkInvariants()).toBe(0);
  expect(got.toState()).toEqual(want);
  got.dispose();
}

/** Register the whole suite on one build of the core ("simd" or "scalar"). */
export function propertySuite(kernel: "simd" | "scalar"): void {
  beforeAll(async () => {
    useKernel(kernel);
    await init();
  });

  it(`runs on the ${kernel} build of the core`, () => {
    expect(coreKernel()).toBe(kernel);
  });

  const UNIVERSES = [
    { name: "[0, 64)", base: 0n },
    { name: "[2^64 - 64, 2^64)", base: (1n << 64n) - 64n },
  ];
  const SPAN = 64;
  /** The core's bitmap window (assembly/intervals.ts BITMAP_TICKS). */
  const W = 32768n;
  /** Universes for the bitmap runs: inside a window, across a window edge, across the top window's edge, at 2^64 - 1. */
  const DENSE_UNIVERSES = [
    { name: "[0, 64)", base: 0n },
    { name: "[W - 32, W + 32)", base: W - 32n },
    { name: "[2^64 - W - 32, 2^64 - W + 32)", base: (1n << 64n) - W - 32n },
    { name: "[2^64 - 64, 2^64)", base: (1n << 64n) - 64n },
  ];
  /** Sets seen with at least one bitmap chunk, per group of tests (see `dense` below). */
  const seen = { bitmaps: 0, sets: 0 };

  type Op = { kind: "add" | "discard"; a: number; len: number };

  function runs(base: bigint) {
    const t = (x: number): Tick => tickOut(base + BigInt(x));
    const tickArb = fc.integer({ min: 0, max: SPAN - 1 });
    const opArb: fc.Arbitrary<Op> = fc.record({
      kind: fc.constantFrom("add" as const, "discard" as const),
      a: tickArb,
      len: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 })), // 0: single tick form
    });
    /** A set built by point operations, and its model. */
    const setArb = fc.array(opArb, { maxLength: 40 });
    /** Raw wire items, unsorted and overlapping on purpose. */
    const itemsArb = fc.array(
      fc.oneof(
        tickArb.map((x) => ({ one: x })),
        fc.tuple(tickArb, fc.integer({ min: 1, max: 16 })).map(([a, n]) => ({ a, b: Math.min(a + n, SPAN) })),
      ),
      { maxLength: 20 },
    );

    function apply(ops: Op[]): { set: RangeSet; model: M.Model } {
      const set = new RangeSet();
      const model: M.Model = new Set();
      for (const op of ops) applyOne(set, model, op);
      seen.sets++;
      if (set.bitmapChunks() > 0) seen.bitmaps++;
      return { set, model };
    }
    function applyOne(set: RangeSet, model: M.Model, op: Op): void {
      const a = base + BigInt(op.a);
      if (op.len === 0) {
        if (op.kind === "add") { set.add(tickOut(a)); model.add(a); }
        else { set.discard(tickOut(a)); model.delete(a); }
        return;
      }
      const b = a + BigInt(op.len) > base + BigInt(SPAN) ? base + BigInt(SPAN) : a + BigInt(op.len);
      if (op.kind === "add") { set.add(tickOut(a), tickOut(b)); M.modelAddRange(model, a, b); }
      else { set.discard(tickOut(a), tickOut(b)); M.modelDiscardRange(model, a, b); }
    }
    function same(set: RangeSet, model: M.Model): void {
      expect(set.checkInvariants()).toBe(0);
      expect(set.toState()).toEqual(M.modelState(model));
      expect(set.count()).toBe(model.size);
      expect(set.size).toBe(M.modelIntervals(model));
      for (let x = 0; x < SPAN; x++) expect(set.has(t(x))).toBe(model.has(base + BigInt(x)));
    }
    return { t, setArb, itemsArb, apply, applyOne, same };
  }

  universeSuite(UNIVERSES, 1);

  // The same properties with bitmap chunks made eagerly: a window becomes a bitmap once 2
  // intervals start in it, a point insert into any pair chunk of 2 or more pairs checks, and a
  // bitmap of 1 tick goes back to pairs. So the small universes are laid out as bitmaps, pairs
  // and both, converted back and forth, with intervals continuing across window edges and at
  // 2^64 - 1, and the bulk operations take the path that reads bitmaps.
  describe("with bitmap chunks made eagerly", () => {
    beforeAll(() => {
      wasm().rsSetDense!(2, 2, 2);
      seen.bitmaps = 0;
      seen.sets = 0;
    });
    afterAll(() => {
      wasm().rsSetDense!(1024, 64, 256);
    });
    universeSuite(DENSE_UNIVERSES, 0.35);
    pendingRuns(0.5);
    missingSuite();
    longSequences(10);
    mixedLayouts();
    it("laid sets out as bitmaps", () => {
      // of the sets built by random operations (fast-check favours short op lists; range operations
      // turn bitmaps back into pairs): about 1 in 10 in practice, 0 if the core never made one
      expect(seen.bitmaps).toBeGreaterThan(seen.sets / 20);
    });
  });

  /**
   * Sets scattered around several window edges (W, 2W, 3W, 2^64 - W) and at 2^64 - 1, built by
   * point and range operations: some windows bitmaps, some pairs, runs crossing edges; every
   * bulk operation and test against the model, then more point changes on the operands.
   */
  function mixedLayouts(): void {
    describe("mixed layouts around window edges", () => {
      const anchors = [W, 2n * W, 3n * W, (1n << 64n) - W, (1n << 64n) - 41n];
      const tickArb = fc.tuple(fc.integer({ min: 0, max: anchors.length - 1 }), fc.integer({ min: -40, max: 40 })).map(([k, off]) => anchors[k]! + BigInt(off));
      const opArb = fc.record({
        kind: fc.constantFrom("add", "discard"),
        t: tickArb,
        len: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 90 }) }),
      });
      const top = 1n << 64n;
      function build(ops: { kind: string; t: bigint; len: number }[]): { set: RangeSet; model: M.Model } {
        const set = new RangeSet();
        const model: M.Model = new Set();
        for (const op of ops) {
          if (op.len === 0) {
            if (op.kind === "add") { set.add(tickOut(op.t)); model.add(op.t); } else { set.discard(tickOut(op.t)); model.delete(op.t); }
          } else {
            const b = op.t + BigInt(op.len) > top ? top : op.t + BigInt(op.len);
            if (op.kind === "add") { set.add(tickOut(op.t), tickOut(b)); M.modelAddRange(model, op.t, b); }
            else { set.discard(tickOut(op.t), tickOut(b)); M.modelDiscardRange(model, op.t, b); }
          }
        }
        local.sets++;
        if (set.bitmapChunks() > 0) local.bitmaps++;
        return { set, model };
      }
      const local = { sets: 0, bitmaps: 0 };
      function agree(set: RangeSet, model: M.Model): void {
        expect(set.checkInvariants()).toBe(0);
        expect(set.toState()).toEqual(M.modelState(model));
        expect(set.size).toBe(M.modelIntervals(model));
        expect(set.count()).toBe(tickOut(BigInt(model.size)));
        expect(RangeSet.fromState(set.toState()).equals(set)).toBe(true);
      }
      it("bulk operations, tests and further point changes match the model", () => {
        fc.assert(
          fc.property(fc.array(opArb, { minLength: 20, maxLength: 150, size: "max" }), fc.array(opArb, { minLength: 20, maxLength: 150, size: "max" }), fc.array(opArb, { maxLength: 30 }), (oa, ob, more) => {
            const A = build(oa), B = build(ob);
            agree(A.set, A.model);
            agree(B.set, B.model);
            const cases: [(a: RangeSet, b: RangeSet) => RangeSet, (a: M.Model, b: M.Model) => M.Model][] = [
              [(a, b) => a.union(b), M.union],
              [(a, b) => a.intersect(b), M.intersect],
              [(a, b) => a.subtract(b), M.subtract],
              [(a, b) => b.subtract(a), (a, b) => M.subtract(b, a)],
              [(a, b) => a.symmetricDifference(b), M.xor],
            ];
            for (const [op, model] of cases) {
              const out = op(A.set, B.set);
              agree(out, model(A.model, B.model));
              out.dispose();
            }
            expect(A.set.isSubsetOf(B.set)).toBe([...A.model].every((x) => B.model.has(x)));
            expect(A.set.isDisjointFrom(B.set)).toBe([...A.model].every((x) => !B.model.has(x)));
            const tick = anchors[2]! + 20n;
            const got = RangeSet.missing(tickOut(tick), A.set, B.set);
            expect(got.checkInvariants()).toBe(0);
            // the model of missing: [1, tick] minus both, as intervals: complement of the union within [1, tick]
            const u = [...M.union(A.model, B.model)].filter((x) => x >= 1n && x <= tick).sort((x, y) => (x < y ? -1 : 1));
            let cur = 1n;
            const want: [bigint, bigint][] = [];
            for (const x of u) { if (x > cur) want.push([cur, x]); cur = x + 1n; }
            if (cur <= tick) want.push([cur, tick + 1n]);
            expect([...got].map(([a, b]) => [BigInt(a), BigInt(b)])).toEqual(want);
            got.dispose();
            const copy = A.set.clone();
            const copyModel = new Set(A.model);
            expect(copy.equals(A.set)).toBe(true);
            for (const op of more) {
              if (op.kind === "add") { A.set.add(tickOut(op.t)); A.model.add(op.t); } else { A.set.discard(tickOut(op.t)); A.model.delete(op.t); }
            }
            agree(A.set, A.model);
            expect(copy.equals(A.set)).toBe(copyModel.size === A.model.size && [...copyModel].every((x) => A.model.has(x)));
            agree(copy, copyModel);
            for (const s of [A.set, B.set, copy]) s.dispose();
          }),
          { numRuns: 120 },
        );
      });
      it("had bitmap chunks in many of those sets", () => {
        expect(local.bitmaps).toBeGreaterThan(local.sets / 5);
      });
    });
  }

  function universeSuite(universes: { name: string; base: bigint }[], scale: number): void {
  const numRuns = (n: number): number => Math.max(20, Math.round(n * scale));
  for (const { name, base } of universes) {
    describe(`RangeSet against a Set model in ${name}`, () => {
      const R = runs(base);

      it("add / discard / has / count / size / toState", () => {
        fc.assert(
          fc.property(R.setArb, (ops) => {
            const { set, model } = R.apply(ops);
            R.same(set, model);
            set.dispose();
          }),
          { numRuns: numRuns(300) },
        );
      });

      it("point adds and discards only, checked after every step", () => {
        fc.assert(
          fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: SPAN - 1 })), { maxLength: 120 }), (steps) => {
            const set = new RangeSet();
            const model: M.Model = new Set();
            for (const [add, x] of steps) {
              const v = base + BigInt(x);
              if (add) { set.add(tickOut(v)); model.add(v); } else { set.discard(tickOut(v)); model.delete(v); }
              expect(set.checkInvariants()).toBe(0);
              expect(set.size).toBe(M.modelIntervals(model));
              expect(set.has(tickOut(v))).toBe(add);
            }
            seen.sets++;
            if (set.bitmapChunks() > 0) seen.bitmaps++;
            R.same(set, model);
            set.dispose();
          }),
          { numRuns: numRuns(100) },
        );
      });

      it("fromState normalises unsorted, overlapping and adjacent items", () => {
        fc.assert(
          fc.property(R.itemsArb, (items) => {
            const state: RangeSetState = items.map((it) => ("one" in it ? R.t(it.one) : [R.t(it.a), R.t(it.b)]));
            const model: M.Model = new Set();
            for (const it of items) {
              if ("one" in it) model.add(base + BigInt(it.one));
              else M.modelAddRange(model, base + BigInt(it.a), base + BigInt(it.b));
            }
            const set = RangeSet.fromState(state);
            R.same(set, model);
            // the wire form round-trips
            const again = RangeSet.fromState(set.toState());
            expect(again.equals(set)).toBe(true);
            set.dispose();
            again.dispose();
          }),
          { numRuns: numRuns(300) },
        );
      });

      it("union, intersect, subtract, symmetric difference, new and in place", () => {
        fc.assert(
          fc.property(R.setArb, R.setArb, (opsA, opsB) => {
            const A = R.apply(opsA), B = R.apply(opsB);
            const cases: [string, (a: RangeSet, b: RangeSet) => RangeSet, (a: M.Model, b: M.Model) => M.Model][] = [
              ["union", (a, b) => a.union(b), M.union],
              ["intersect", (a, b) => a.intersect(b), M.intersect],
              ["subtract", (a, b) => a.subtract(b), M.subtract],
              ["xor", (a, b) => a.symmetricDifference(b), M.xor],
              ["unionInPlace", (a, b) => a.clone().unionInPlace(b), M.union],
              ["intersectInPlace", (a, b) => a.clone().intersectInPlace(b), M.intersect],
              ["subtractInPlace", (a, b) => a.clone().subtractInPlace(b), M.subtract],
            ];
            for (const [, op, model] of cases) {
              const out = op(A.set, B.set);
              R.same(out, model(A.model, B.model));
              out.dispose();
            }
            // operands are unchanged
            R.same(A.set, A.model);
            R.same(B.set, B.model);
          }),
          { numRuns: numRuns(200) },
        );
      });

      it("equals, isSubsetOf, isSupersetOf, isDisjointFrom", () => {
        fc.assert(
          fc.property(R.setArb, R.setArb, fc.boolean(), (opsA, opsB, derive) => {
            const A = R.apply(opsA);
            // half the time B is derived from A so that equal and subset cases occur often
            const B = derive ? R.apply([...opsA, ...opsB.slice(0, 2)]) : R.apply(opsB);
            const eq = M.modelState(A.model).length === M.modelState(B.model).length &&
              [...A.model].every((x) => B.model.has(x)) && A.model.size === B.model.size;
            expect(A.set.equals(B.set)).toBe(eq);
            expect(A.set.isSubsetOf(B.set)).toBe([...A.model].every((x) => B.model.has(x)));
            expect(A.set.isSupersetOf(B.set)).toBe([...B.model].every((x) => A.model.has(x)));
            expect(A.set.isDisjointFrom(B.set)).toBe([...A.model].every((x) => !B.model.has(x)));
          }),
          { numRuns: numRuns(300) },
        );
      });

      it("complement within [lo, hi)", () => {
        fc.assert(
          fc.property(R.setArb, fc.integer({ min: 0, max: SPAN }), fc.integer({ min: 0, max: SPAN }), (ops, x, y) => {
            const [lo, hi] = x <= y ? [x, y] : [y, x];
            const A = R.apply(ops);
            const model: M.Model = new Set();
            for (let i = lo; i < hi; i++) if (!A.model.has(base + BigInt(i))) model.add(base + BigInt(i));
            const hiTick = base + BigInt(hi); // may be 2^64 exactly
            R.same(A.set.complement(R.t(lo), tickOut(hiTick)), model);
          }),
          { numRuns: numRuns(300) },
        );
      });

      it("raster: each pixel's share matches the model's count of ticks in its slice", () => {
        fc.assert(
          fc.property(R.setArb, fc.integer({ min: 1, max: 40 }), (ops, width) => {
            const A = R.apply(ops);
            const px = A.set.raster(R.t(0), tickOut(base + BigInt(SPAN)), width);
            const per = SPAN / width; // ticks per pixel
            for (let p = 0; p < width; p++) {
              let covered = 0; // model: ticks of the set inside [p * per, (p + 1) * per), partial ticks pro rata
              for (let x = 0; x < SPAN; x++) {
                if (!A.model.has(base + BigInt(x))) continue;
                covered += Math.max(0, Math.min(x + 1, (p + 1) * per) - Math.max(x, p * per));
              }
              expect(px[p]! * per).toBeCloseTo(covered, 3);
            }
          }),
          { numRuns: numRuns(150) },
        );
      });

      it("span, first, last and iteration", () => {
        fc.assert(
          fc.property(R.setArb, (ops) => {
            const { set, model } = R.apply(ops);
            const sorted = [...model].sort((a, b) => (a < b ? -1 : 1));
            if (sorted.length === 0) {
              expect(set.span()).toBeUndefined();
              expect(set.first()).toBeUndefined();
            } else {
              expect(set.first()).toBe(tickOut(sorted[0]!));
              expect(set.last()).toBe(tickOut(sorted[sorted.length - 1]!));
              expect(set.span()).toEqual([tickOut(sorted[0]!), tickOut(sorted[sorted.length - 1]! + 1n)]);
            }
            expect([...set.ticks()].map((x) => BigInt(x))).toEqual(sorted);
            const pairs = [...set].map(([a, b]) => [BigInt(a), BigInt(b)]);
            const fromPairs: bigint[] = [];
            for (const [a, b] of pairs) for (let x = a!; x < b!; x++) fromPairs.push(x);
            expect(fromPairs).toEqual(sorted);
          }),
          { numRuns: numRuns(200) },
        );
      });
    });
  }

  }

  pendingRuns(1);
  /**
   * Runs of sequential point adds, which the RangeSet keeps pending in JavaScript until something
   * else touches the set (range-set.ts), interleaved with every other operation on two sets. No
   * check runs between operations except on what the operation itself returns, so an operation
   * that forgot to flush the pending run sees the core without it and disagrees with the model.
   */
  function pendingRuns(scale: number): void {
    // [0, 64), and across 2^53 - 1: runs of numbers that end where ticks become bigints
    const universes = [0n, (1n << 53n) - 40n];
    const SPAN = 64;
    const READS = ["size", "count", "isEmpty", "span", "first", "last", "toState", "toJSON", "toString", "iterate", "ticks", "raster", "check", "bitmaps"] as const;
    const BINARY = ["union", "intersect", "subtract", "xor", "equals", "isSubsetOf", "isSupersetOf", "isDisjointFrom", "missing"] as const;
    const IN_PLACE = ["unionInPlace", "intersectInPlace", "subtractInPlace"] as const;
    const x = fc.integer({ min: 0, max: SPAN - 1 });
    const s = fc.constantFrom(0, 1);
    const opArb = fc.oneof(
      { weight: 6, arbitrary: fc.record({ k: fc.constant("run" as const), s, a: x, len: fc.integer({ min: 1, max: 20 }), then: fc.option(fc.constantFrom(...READS)) }) },
      { weight: 6, arbitrary: fc.record({ k: fc.constant("more" as const), s, len: fc.integer({ min: 1, max: 12 }), then: fc.option(fc.constantFrom(...READS)) }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constantFrom("add" as const, "discard" as const, "has" as const), s, a: x }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constantFrom("addRange" as const, "discardRange" as const, "complement" as const), s, a: x, len: fc.integer({ min: 0, max: 20 }) }) },
      { weight: 3, arbitrary: fc.record({ k: fc.constant("read" as const), s, what: fc.constantFrom(...READS) }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant("binary" as const), s, what: fc.constantFrom(...BINARY), keep: fc.boolean(), tick: x }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("inPlace" as const), s, what: fc.constantFrom(...IN_PLACE) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constantFrom("clone" as const, "assign" as const, "clear" as const, "roundTrip" as const), s }) },
    );
    for (const base of universes) {
      const t = (v: number | bigint): Tick => tickOut(base + BigInt(v));
      const modelState = (m: M.Model): RangeSetState => M.modelState(m);
      const sorted = (m: M.Model): bigint[] => [...m].sort((p, q) => (p < q ? -1 : p > q ? 1 : 0));
      it(`runs of sequential adds interleaved with every other operation, from ${base}`, () => {
        fc.assert(
          fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
            const sets = [new RangeSet(), new RangeSet()];
            const models: M.Model[] = [new Set(), new Set()];
            const next = [0, 0]; // where "more" continues each set's last run
            const replace = (i: number, set: RangeSet, model: M.Model): void => {
              sets[i]!.dispose();
              sets[i] = set;
              models[i] = model;
            };
            /** One read of the set, checked against its model. */
            const read = (set: RangeSet, model: M.Model, what: (typeof READS)[number]): void => {
              const all = sorted(model);
              const lo = all[0], hi = all[all.length - 1];
              if (what === "size") expect(set.size).toBe(M.modelIntervals(model));
              else if (what === "count") expect(set.count()).toBe(model.size);
              else if (what === "isEmpty") expect(set.isEmpty).toBe(model.size === 0);
              else if (what === "span") expect(set.span()).toEqual(lo === undefined ? undefined : [tickOut(lo), tickOut(hi! + 1n)]);
              else if (what === "first") expect(set.first()).toBe(lo === undefined ? undefined : tickOut(lo));
              else if (what === "last") expect(set.last()).toBe(hi === undefined ? undefined : tickOut(hi));
              else if (what === "toState") expect(set.toState()).toEqual(modelState(model));
              else if (what === "toJSON") expect(JSON.parse(JSON.stringify(set, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)))).toEqual(JSON.parse(JSON.stringify(modelState(model), (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))));
              else if (what === "toString") expect(String(set).split(", ").filter((p) => p !== "{}").length).toBe(M.modelIntervals(model));
              else if (what === "iterate") expect([...set].length).toBe(M.modelIntervals(model));
              else if (what === "ticks") expect([...set.ticks()].map((v) => BigInt(v))).toEqual(all);
              else if (what === "raster") {
                const px = set.raster(t(0), t(SPAN), SPAN);
                expect([...px]).toEqual(Array.from({ length: SPAN }, (_, v) => (model.has(base + BigInt(v)) ? 1 : 0)));
              } else if (what === "check") expect(set.checkInvariants()).toBe(0);
              else expect(set.bitmapChunks()).toBeGreaterThanOrEqual(0);
            };
            for (const op of ops) {
              const i = op.s, set = sets[i]!, model = models[i]!, other = sets[1 - i]!, otherModel = models[1 - i]!;
              switch (op.k) {
                case "run":
                case "more": {
                  const from = op.k === "run" ? op.a : next[i]!;
                  const to = Math.min(from + op.len, SPAN);
                  for (let v = from; v < to; v++) { set.add(t(v)); model.add(base + BigInt(v)); }
                  next[i] = to;
                  if (op.then !== null) read(set, model, op.then); // a read right after a run: the flush's riskiest moment
                  break;
                }
                case "add": set.add(t(op.a)); model.add(base + BigInt(op.a)); next[i] = op.a + 1; break;
                case "discard": set.discard(t(op.a)); model.delete(base + BigInt(op.a)); break;
                case "has": expect(set.has(t(op.a))).toBe(model.has(base + BigInt(op.a))); break;
                case "addRange": {
                  const b = Math.min(op.a + op.len, SPAN);
                  set.add(t(op.a), t(b));
                  M.modelAddRange(model, base + BigInt(op.a), base + BigInt(b));
                  break;
                }
                case "discardRange": {
                  const b = Math.min(op.a + op.len, SPAN);
                  set.discard(t(op.a), t(b));
                  M.modelDiscardRange(model, base + BigInt(op.a), base + BigInt(b));
                  break;
                }
                case "complement": {
                  const b = Math.min(op.a + op.len, SPAN);
                  const want: M.Model = new Set();
                  for (let v = base + BigInt(op.a); v < base + BigInt(b); v++) if (!model.has(v)) want.add(v);
                  const out = set.complement(t(op.a), t(b));
                  expect(out.toState()).toEqual(modelState(want));
                  out.dispose();
                  break;
                }
                case "read": read(set, model, op.what); break;
                case "binary": {
                  const a = set, b = other, am = model, bm = otherModel;
                  let out: RangeSet | undefined, want: M.Model | undefined;
                  switch (op.what) {
                    case "union": out = a.union(b); want = M.union(am, bm); break;
                    case "intersect": out = a.intersect(b); want = M.intersect(am, bm); break;
                    case "subtract": out = a.subtract(b); want = M.subtract(am, bm); break;
                    case "xor": out = a.symmetricDifference(b); want = M.xor(am, bm); break;
                    case "missing": {
                      const tick = base + BigInt(op.tick);
                      out = RangeSet.missing(tickOut(tick), a, b);
                      want = new Set();
                      // the model counts from 1 (in the upper universe, from base: below it nothing is in either set)
                      for (let v = base > 0n ? base : 1n; v <= tick; v++) if (!am.has(v) && !bm.has(v)) want.add(v);
                      // in the upper universe only its own ticks are compared
                      if (base > 0n) {
                        const got = out.intersect(RangeSet.fromState([[t(0), t(SPAN)]]));
                        const mine = new Set([...want].filter((v) => v >= base));
                        expect(got.toState()).toEqual(modelState(mine));
                        got.dispose();
                        out.dispose();
                        out = undefined;
                      }
                      break;
                    }
                    case "equals": expect(a.equals(b)).toBe(am.size === bm.size && [...am].every((v) => bm.has(v))); break;
                    case "isSubsetOf": expect(a.isSubsetOf(b)).toBe([...am].every((v) => bm.has(v))); break;
                    case "isSupersetOf": expect(a.isSupersetOf(b)).toBe([...bm].every((v) => am.has(v))); break;
                    case "isDisjointFrom": expect(a.isDisjointFrom(b)).toBe([...am].every((v) => !bm.has(v))); break;
                  }
                  if (out !== undefined && want !== undefined) {
                    if (op.keep && op.what !== "missing") replace(i, out, want); // runs continue on a result
                    else {
                      expect(out.toState()).toEqual(modelState(want));
                      out.dispose();
                    }
                  }
                  break;
                }
                case "inPlace": {
                  if (op.what === "unionInPlace") { set.unionInPlace(other); models[i] = M.union(model, otherModel); }
                  else if (op.what === "intersectInPlace") { set.intersectInPlace(other); models[i] = M.intersect(model, otherModel); }
                  else { set.subtractInPlace(other); models[i] = M.subtract(model, otherModel); }
                  break;
                }
                case "clone": replace(1 - i, set.clone(), new Set(model)); next[1 - i] = next[i]!; break;
                case "assign": set.assign(other); models[i] = new Set(otherModel); next[i] = next[1 - i]!; break;
                case "clear": set.clear(); models[i] = new Set(); break;
                case "roundTrip": replace(i, RangeSet.fromState(set.toState()), model); break;
              }
            }
            for (const i of [0, 1]) {
              expect(sets[i]!.checkInvariants()).toBe(0);
              expect(sets[i]!.toState()).toEqual(modelState(models[i]!));
              sets[i]!.dispose();
            }
          }),
          { numRuns: Math.max(20, Math.round(200 * scale)) },
        );
      });
    }
  }

  missingSuite();
  function missingSuite(): void {
  describe("missing = [1, tick] - present - superseded", () => {
    it("matches the model for any tick, present and superseded", () => {
      const R = runs(0n);
      fc.assert(
        fc.property(R.setArb, R.setArb, fc.integer({ min: 0, max: 70 }), (p, s, tick) => {
          const P = R.apply(p), S = R.apply(s);
          const model: M.Model = new Set();
          for (let i = 1n; i <= BigInt(tick); i++) if (!P.model.has(i) && !S.model.has(i)) model.add(i);
          const got = RangeSet.missing(tick, P.set, S.set);
          expect(got.checkInvariants()).toBe(0);
          expect(got.toState()).toEqual(M.modelState(model));
        }),
        { numRuns: 300 },
      );
    });
    it("works at the top of the tick range", () => {
      const top = (1n << 64n) - 1n;
      const present = RangeSet.fromState([[top - 10n, top - 5n]]);
      const superseded = RangeSet.fromState([top]);
      const got = RangeSet.missing(top, present, superseded);
      // [1, top] minus the five ticks top-10..top-6 minus top itself
      expect(got.toState()).toEqual([[1, top - 10n], [top - 5n, top]]);
      expect(got.count()).toBe(top - 6n);
    });
  });

  }

  longSequences(60);
  function longSequences(runs: number): void {
  describe("long random point-operation sequences on fragmented sets", () => {
    // A universe of 4096 ticks starting fragmented (every other tick), so the set spans many
    // chunks of the core; long sequences exercise chunk splits, merges and cross-chunk ranges.
    const U = 4096;
    it("stays equal to the model", () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              kind: fc.constantFrom("add", "discard", "has"),
              a: fc.integer({ min: 0, max: U - 1 }),
              len: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 700 }) }),
              tick: fc.boolean(), // a one-tick change as add(t) / discard(t): the core's point path
            }),
            { minLength: 200, maxLength: 1500 },
          ),
          (ops) => {
            const model = new Uint8Array(U);
            const set = new RangeSet();
            for (let t = 0; t < U; t += 2) { model[t] = 1; set.add(t); }
            for (const op of ops) {
              const b = Math.min(op.a + op.len, U);
              const point = op.tick && op.len === 1;
              if (op.kind === "add") { if (point) set.add(op.a); else set.add(op.a, b); model.fill(1, op.a, b); }
              else if (op.kind === "discard") { if (point) set.discard(op.a); else set.discard(op.a, b); model.fill(0, op.a, b); }
              else expect(set.has(op.a)).toBe(model[op.a] === 1);
            }
            expect(set.checkInvariants()).toBe(0);
            const state: RangeSetState = [];
            for (let t = 0; t < U; ) {
              if (!model[t]) { t++; continue; }
              let e = t;
              while (e < U && model[e]) e++;
              state.push(e === t + 1 ? t : [t, e]);
              t = e;
            }
            expect(set.toState()).toEqual(state);
            set.dispose();
          },
        ),
        { numRuns: runs },
      );
    });
  });
  }
  describe("bulk operations where chunks end exactly, at both ends of the tick range", () => {
    // The merge kernels run in blocks that stop one pair before a chunk's end and at a full output
    // chunk (assembly/merge.ts). Sets of exactly 255, 256, 257, 511, 512 or 513 regular intervals
    // (full chunks from fromState) against each other and against empty sets, so inputs end at a
    // chunk's last pair, outputs fill chunks exactly and empty inputs skip the blocks; in the top
    // universe the last interval can end at 2^64 - 1, which only a set's last pair can.
    const COUNTS = [0, 1, 2, 255, 256, 257, 511, 512, 513];
    const patternArb = fc.record({
      n: fc.constantFrom(...COUNTS),
      period: fc.integer({ min: 2, max: 5 }),
      len: fc.integer({ min: 1, max: 4 }),
      offset: fc.integer({ min: 0, max: 6 }),
    });
    const SPAN = 5 * 513 + 16;
    const toOffsets = ({ n, period, len, offset }: { n: number; period: number; len: number; offset: number }, fromTop: boolean): Uint8Array => {
      const model = new Uint8Array(SPAN);
      const l = Math.min(len, period - 1);
      // fromTop: the last interval ends at the universe's last tick (2^64 - 1 at the top)
      const first = fromTop ? SPAN - (n - 1) * period - l : offset;
      for (let i = 0; i < n; i++) model.fill(1, first + i * period, first + i * period + l);
      return model;
    };
    for (const [name, base] of [["[0, " + SPAN + ")", 0n], ["the top " + SPAN + " ticks below 2^64", (1n << 64n) - BigInt(SPAN)]] as const) {
      it(`union, intersect, subtract and missing match the model in ${name}`, () => {
        const tick = (i: number): Tick => tickOut(base + BigInt(i));
        /** The wire state of a model, with an optional run [1, base) before it (missing at the top). */
        const stateOf = (model: Uint8Array, lead = false): RangeSetState => {
          const out: [bigint, bigint][] = lead && base > 1n ? [[1n, base]] : [];
          for (let i = 0; i < SPAN; ) {
            if (!model[i]) { i++; continue; }
            let e = i;
            while (e < SPAN && model[e]) e++;
            const a = base + BigInt(i), b = base + BigInt(e);
            const prev = out[out.length - 1];
            if (prev && prev[1] === a) prev[1] = b; else out.push([a, b]);
            i = e;
          }
          return out.map(([a, b]) => (b === a + 1n ? tickOut(a) : [tickOut(a), tickOut(b)]));
        };
        fc.assert(
          fc.property(patternArb, patternArb, fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: SPAN - 1 }), (pa, pb, topA, topB, t) => {
            const ma = toOffsets(pa, topA), mb = toOffsets(pb, topB);
            const a = RangeSet.fromState(stateOf(ma)), b = RangeSet.fromState(stateOf(mb));
            const combine = (f: (x: number, y: number) => boolean): RangeSetState => stateOf(ma.map((x, i) => (f(x, mb[i]!) ? 1 : 0)));
            check(a.union(b), combine((x, y) => x === 1 || y === 1));
            check(a.intersect(b), combine((x, y) => x === 1 && y === 1));
            check(a.intersect(a), stateOf(ma));
            check(a.subtract(b), combine((x, y) => x === 1 && y === 0));
            check(b.subtract(a), combine((x, y) => y === 1 && x === 0));
            // missing up to a tick inside the universe, and up to its last tick (2^64 - 1 at the top)
            for (const last of [t, SPAN - 1]) {
              const want = stateOf(ma.map((x, i) => (base + BigInt(i) >= 1n && i <= last && x === 0 && mb[i] === 0 ? 1 : 0)), true);
              check(RangeSet.missing(tick(last), a, b), want);
            }
            a.dispose();
            b.dispose();
          }),
          { numRuns: 60 },
        );
      });
    }
  });
  describe("bulk operations on sets spanning many chunks", () => {
    // Sets of up to ~4,000 intervals in 16,384 ticks: many chunks of the core each (full ones from
    // fromState, part-filled ones from point adds), so every kernel crosses chunk ends on both inputs.
    const U = 16_384;
    const runsArb = fc.array(fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 6 })), { minLength: 1, maxLength: 2500 });
    /** Alternate gaps and runs from the start: the model and the wire state. */
    function build(runs: [number, number][], start: number): { model: Uint8Array; state: RangeSetState } {
      const model = new Uint8Array(U);
      const state: RangeSetState = [];
      let t = start;
      for (const [gap, len] of runs) {
        t += gap;
        if (t >= U) break;
        const e = Math.min(t + len, U);
        model.fill(1, t, e);
        state.push([t, e]);
        t = e;
      }
      return { model, state };
    }
    function stateOf(model: Uint8Array): RangeSetState {
      const out: RangeSetState = [];
      for (let t = 0; t < U; ) {
        if (!model[t]) { t++; continue; }
        let e = t;
        while (e < U && model[e]) e++;
        out.push(e === t + 1 ? t : [t, e]);
        t = e;
      }
      return out;
    }
    it("union, intersect, subtract, symmetric difference and missing match the model", () => {
      fc.assert(
        fc.property(runsArb, runsArb, fc.integer({ min: 0, max: 20 }), fc.boolean(), fc.integer({ min: 1, max: U - 1 }), (ra, rb, startB, pointBuilt, tick) => {
          const A = build(ra, 0), B = build(rb, startB);
          const a = RangeSet.fromState(A.state);
          // the second set built tick by tick leaves chunks part-filled, split and uneven
          const b = pointBuilt ? new RangeSet() : RangeSet.fromState(B.state);
          if (pointBuilt) for (let t = U - 1; t >= 0; t--) if (B.model[t]) b.add(t);
          const combine = (f: (x: number, y: number) => boolean): RangeSetState => stateOf(A.model.map((x, i) => (f(x, B.model[i]!) ? 1 : 0)));
          check(a.union(b), combine((x, y) => x === 1 || y === 1));
          check(a.intersect(b), combine((x, y) => x === 1 && y === 1));
          check(a.subtract(b), combine((x, y) => x === 1 && y === 0));
          check(b.subtract(a), combine((x, y) => y === 1 && x === 0));
          check(a.symmetricDifference(b), combine((x, y) => x !== y));
          const missing = stateOf(A.model.map((x, i) => (i >= 1 && i <= tick && x === 0 && B.model[i] === 0 ? 1 : 0)));
          check(RangeSet.missing(tick, a, b), missing);
          // equals across different chunk boundaries: the same ticks built the other way
          const b2 = pointBuilt ? RangeSet.fromState(B.state) : new RangeSet();
          if (!pointBuilt) for (let t = U - 1; t >= 0; t--) if (B.model[t]) b2.add(t);
          expect(b.equals(b2)).toBe(true);
          expect(a.equals(b)).toBe(A.model.every((x, i) => x === B.model[i]));
          const last = b2.last();
          if (last !== undefined) {
            b2.discard(last);
            expect(b.equals(b2)).toBe(false);
          }
          a.dispose();
          b.dispose();
          b2.dispose();
        }),
        { numRuns: 40 },
      );
    });
  });
}
