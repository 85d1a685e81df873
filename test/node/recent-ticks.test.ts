// Ticks seen lately, by node (src/node/recent-ticks.ts): remembered for one to two windows.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { RangeSet, init } from "../../src/core/range-set.js";
import { RecentTicks } from "../../src/node/recent-ticks.js";

beforeAll(() => init());

function among(r: RecentTicks, node: string, ticks: number[]): number[] {
  using req = RangeSet.fromState(ticks);
  using got = r.among(node, req);
  return [...got.ticks()].map(Number);
}

describe("RecentTicks", () => {
  it("remembers ticks by node, for one to two windows", () => {
    let now = 0;
    const r = new RecentTicks(1000, () => now);
    using a = RangeSet.fromState([1, 2, [10, 20]]);
    r.add("x", a);
    expect(among(r, "x", [2, 3, 15])).toEqual([2, 15]);
    expect(among(r, "y", [2])).toEqual([]); // another node's ticks
    now = 1500; // the next generation: still remembered
    using b = RangeSet.fromState([3]);
    r.add("x", b);
    expect(among(r, "x", [2, 3])).toEqual([2, 3]);
    now = 2600; // a window after the rotation: the first generation is gone, the second stays
    expect(among(r, "x", [2, 3])).toEqual([3]);
    now = 10_000; // both older than two windows
    expect(among(r, "x", [2, 3])).toEqual([]);
    r.dispose();
  });

  it("never forgets a tick within one window of adding it, and always after two (against a model)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 2500 }), tick: fc.integer({ min: 1, max: 40 }), add: fc.boolean() }), { maxLength: 60 }),
        (steps) => {
          let now = 0;
          const r = new RecentTicks(1000, () => now);
          const added = new Map<number, number>(); // tick -> when last added
          try {
            for (const s of steps) {
              now += s.dt;
              if (s.add) {
                using t = RangeSet.fromState([s.tick]);
                r.add("n", t);
                added.set(s.tick, now);
              } else {
                const seen = among(r, "n", [s.tick]).length === 1;
                const at = added.get(s.tick);
                if (at !== undefined && now - at < 1000) expect(seen).toBe(true);
                if (at === undefined || now - at >= 2000) expect(seen).toBe(false);
              }
            }
          } finally {
            r.dispose();
          }
        },
      ),
      // found by CI: a lazy rotation restarted the generations at the late look, keeping a tick 2 windows
      { numRuns: 300, examples: [[[{ dt: 0, tick: 27, add: true }, { dt: 1136, tick: 1, add: false }, { dt: 864, tick: 27, add: false }]]] },
    );
  });
});
