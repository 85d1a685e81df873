// The entry store against a brute-force model (a map by path key): whatever is set, replaced,
// deleted or watched, in any order, get/size/values agree with the model, and a walk of the
// root lists every held entry exactly once, parents before children. The store keeps its
// entries inside the tree (tree-order.ts), leaves as bare entries, so this covers the turns
// between the two forms: a leaf that gets a child, a watched leaf, a purged parent.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EntryStore, type Entry } from "../../src/node/entry-store.js";
import { Path } from "../../src/wire/path.js";

const universe = ["", "a", "a.b", "a.b.c", "a.d", "x", "x.y", "1"].map((s) => (s === "" ? new Path() : new Path(s.split(".").map((e) => (e === "1" ? 1 : e)))));

type Op = { kind: "set" | "delete" | "touch"; at: number; tick: number };

describe("EntryStore", () => {
  it("agrees with a map by path for get, size and values, and walks every entry once", () => {
    const op: fc.Arbitrary<Op> = fc.record({ kind: fc.constantFrom("set", "set", "delete", "touch"), at: fc.nat(universe.length - 1), tick: fc.integer({ min: 1, max: 50 }) });
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const store = new EntryStore();
      const model = new Map<string, Entry>();
      let tick = 0;
      for (const o of ops) {
        const path = universe[o.at]!;
        if (o.kind === "set") {
          const e: Entry = { path, value: o.tick, deleted: false, links: [{ node: "n", tick: ++tick }], ended: true, tock: o.tick };
          store.set(e);
          model.set(path.key, e);
        } else if (o.kind === "delete") {
          store.delete(path);
          model.delete(path.key);
        } else store.touch(path);
        expect(store.size).toBe(model.size);
        for (const p of universe) expect(store.get(p)).toBe(model.get(p.key));
        expect(new Set(store.values())).toEqual(new Set(model.values()));
        expect([...store.values()].length).toBe(model.size);
        const walked = store.walk(new Path()).flatMap((w) => (w.entry ? [w.entry] : []));
        expect(walked.length).toBe(model.size);
        expect(new Set(walked)).toEqual(new Set(model.values()));
        for (const e of model.values()) {
          expect(store.hasNode(e.path)).toBe(true);
          expect(store.byTick("n", e.links[0]!.tick)).toBe(e);
        }
        const order = store.walk(new Path()).map((w) => w.path.key);
        for (const [i, k] of order.entries()) {
          const p = store.walk(new Path())[i]!.path;
          if (p.length > 0) expect(order.indexOf(p.slice(0, p.length - 1).key)).toBeLessThan(i); // parent first
          expect(order.indexOf(k)).toBe(i); // once
        }
      }
    }), { numRuns: 300 });
  });
});
