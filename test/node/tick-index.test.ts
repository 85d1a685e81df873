// A node's tick index (tick-index.ts) against a Map: small ticks live in an array's slots (holey,
// and sparse once V8 turns it into a dictionary), others (2^31 and above, bigints) in a Map; get,
// size and the ticks listed agree with the model whatever is set and deleted.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Tick } from "../../src/core/tick.js";
import { TickIndex } from "../../src/node/tick-index.js";

const tick: fc.Arbitrary<Tick> = fc.oneof(
  fc.integer({ min: 0, max: 40 }),
  fc.integer({ min: 0, max: 5000 }), // far apart: a sparse array
  fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER),
  fc.constantFrom(2n ** 53n, 2n ** 64n),
);

describe("TickIndex", () => {
  it("agrees with a Map for get, size and its ticks", () => {
    fc.assert(fc.property(fc.array(fc.record({ del: fc.boolean(), t: tick, v: fc.nat(9) }), { maxLength: 80 }), (ops) => {
      const index = new TickIndex<string>(), model = new Map<Tick, string>();
      for (const { del, t, v } of ops) {
        if (del) {
          index.delete(t);
          model.delete(t);
        } else {
          index.set(t, `e${v}`);
          model.set(t, `e${v}`);
        }
        expect(index.size).toBe(model.size);
        expect(index.get(t)).toBe(model.get(t));
      }
      const listed = [...index.entries()];
      expect(new Map(listed)).toEqual(model);
      expect(listed.length).toBe(model.size);
      expect([...index.keys()]).toEqual(listed.map(([t]) => t));
    }), { numRuns: 300 });
  });

  it("lists the ticks of a sparse array, ascending", () => {
    const index = new TickIndex<number>();
    for (const t of [1_000_000, 7, 2 ** 31 - 1, 3]) index.set(t, t);
    expect([...index.keys()]).toEqual([3, 7, 1_000_000, 2 ** 31 - 1]);
  });
});
