// The runs the inspector's tooltip names and the missing ticks a zoomed timeline draws, against
// a brute-force model (Sets of ticks). The universe, [0, 400), is wider than the first search
// window (64 ticks), so runs that need the window to grow are covered too.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { RangeSet, init } from "../../src/core/range-set.js";
import { NodeTicks } from "../../src/ledger/node-ticks.js";
import { missingWithin, runsAt, type TickKind } from "../../src/observer/tick-runs.js";

beforeAll(async () => {
  await init();
});

const SPAN = 400;
const rangesArb = fc.array(fc.tuple(fc.integer({ min: 0, max: SPAN - 1 }), fc.integer({ min: 1, max: 160 })), { maxLength: 8 });
const nodeArb = fc.record({ tick: fc.integer({ min: 0, max: SPAN }), present: rangesArb, superseded: rangesArb, deleted: rangesArb, remote: rangesArb });
type NodeSpec = { tick: number; present: [number, number][]; superseded: [number, number][]; deleted: [number, number][]; remote: [number, number][] };

function build(spec: NodeSpec): { n: NodeTicks; model: Record<TickKind, Set<number>> } {
  const n = new NodeTicks("n", spec.tick);
  const fill = (s: RangeSet, ranges: [number, number][]) => {
    const m = new Set<number>();
    for (const [a, len] of ranges) {
      const b = Math.min(a + len, SPAN);
      s.add(a, b);
      for (let t = a; t < b; t++) m.add(t);
    }
    return m;
  };
  const present = fill(n.present, spec.present);
  const superseded = fill(n.superseded, spec.superseded);
  const deleted = fill(n.deleted, spec.deleted);
  const remote = fill(n.remoteMissing, spec.remote);
  const missing = new Set<number>();
  for (let t = 1; t <= spec.tick; t++) if (!present.has(t) && !superseded.has(t)) missing.add(t);
  return { n, model: { present, superseded, deleted, missing, remote_missing: remote } };
}

/** The model's answer: each kind holding t, with the maximal run of that kind around t. */
function modelRuns(model: Record<TickKind, Set<number>>, t: number) {
  const out: { kind: TickKind; lo: number; hi: number }[] = [];
  for (const kind of ["present", "superseded", "deleted", "missing", "remote_missing"] as const) {
    const m = model[kind];
    if (!m.has(t)) continue;
    let lo = t, hi = t;
    while (m.has(lo - 1)) lo--;
    while (m.has(hi + 1)) hi++;
    out.push({ kind, lo, hi });
  }
  return out;
}

describe("tick runs (the inspector's tooltip)", () => {
  it("names every kind a tick is, with the maximal run around it, as the model does", () => {
    fc.assert(
      fc.property(nodeArb, fc.integer({ min: 0, max: SPAN + 5 }), (spec, t) => {
        const { n, model } = build(spec);
        try {
          expect(runsAt(n, t)).toEqual(modelRuns(model, t));
        } finally {
          n.dispose();
        }
      }),
      { numRuns: 300 },
    );
  });

  it("finds the ends of a run far longer than the first search window", () => {
    const n = new NodeTicks("n", 1_000_000);
    try {
      n.present.add(1, 500_001);
      n.superseded.add(500_002, 1_000_001); // tick 500,001 is missing
      expect(runsAt(n, 123_456)).toEqual([{ kind: "present", lo: 1, hi: 500_000 }]);
      expect(runsAt(n, 500_001)).toEqual([{ kind: "missing", lo: 500_001, hi: 500_001 }]);
      expect(runsAt(n, 1_000_001)).toEqual([]); // past the node's tick: nothing yet
    } finally {
      n.dispose();
    }
  });
});

describe("missing ticks within a window (a zoomed timeline)", () => {
  it("are the model's missing ticks in [lo, hi), and nothing but missing ticks outside it", () => {
    fc.assert(
      fc.property(nodeArb, fc.integer({ min: 0, max: SPAN }), fc.integer({ min: 0, max: SPAN }), (spec, a, len) => {
        const { n, model } = build(spec);
        const lo = a, hi = a + len;
        try {
          using got = missingWithin(n, lo, hi);
          using window = new RangeSet();
          if (hi > lo) window.add(lo, hi);
          using inWindow = got.intersect(window); // a wide window may get every missing tick
          using want = new RangeSet();
          for (const t of model.missing) if (t >= lo && t < hi) want.add(t);
          expect(inWindow.toState()).toEqual(want.toState());
          for (const [a, b] of got) for (let t = Number(a); t < Number(b); t++) expect(model.missing.has(t)).toBe(true);
        } finally {
          n.dispose();
        }
      }),
      { numRuns: 300 },
    );
  });
});
