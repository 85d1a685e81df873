// The entry store against a brute-force model (a map by path key): whatever is set, replaced,
// deleted or watched, in any order, get/size/values agree with the model, and a walk of the
// root lists every held entry exactly once, parents before children. The store keeps its
// entries inside the tree (tree-order.ts), leaves as bare entries, so this covers the turns
// between the two forms: a leaf that gets a child, a watched leaf, a purged parent. The store
// keeps each entry packed (entry-record.ts) and hands back its record, so entries are compared
// by their fields: chains of one to three links, ended or not, deleted entries, non-string elements.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EntryStore, type Entry } from "../../src/node/entry-store.js";
import { Path } from "../../src/wire/path.js";

const universe = ["", "a", "a.b", "a.b.c", "a.d", "x", "x.y", "1"].map((s) => (s === "" ? new Path() : new Path(s.split(".").map((e) => (e === "1" ? 1 : e)))));

type Op = { kind: "set" | "delete" | "touch"; at: number; tick: number; nodes: string[]; ended: boolean; deleted: boolean };

/** An entry's fields, plain (a record's are getters). */
const fields = (e: Entry | undefined) =>
  e && { path: e.path.key, value: e.value, deleted: e.deleted, links: e.links.map((l) => ({ ...l })), ended: e.ended, tock: e.tock };

const l0 = (e: Entry) => e.links[0]!;

describe("EntryStore", () => {
  it("agrees with a map by path for get, size and values, and walks every entry once", () => {
    const op: fc.Arbitrary<Op> = fc.record({
      kind: fc.constantFrom("set", "set", "delete", "touch"), at: fc.nat(universe.length - 1), tick: fc.integer({ min: 1, max: 50 }),
      nodes: fc.uniqueArray(fc.constantFrom("n", "m", "o"), { minLength: 1, maxLength: 3 }), ended: fc.boolean(), deleted: fc.boolean(),
    });
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const store = new EntryStore();
      const model = new Map<string, Entry>();
      let tick = 0;
      for (const o of ops) {
        const path = universe[o.at]!;
        if (o.kind === "set") {
          const e: Entry = {
            path, value: o.deleted ? undefined : o.tick, deleted: o.deleted, links: o.nodes.map((node) => ({ node, tick: ++tick })), ended: o.ended, tock: o.tick,
          };
          store.set(e);
          model.set(path.key, e);
        } else if (o.kind === "delete") {
          store.delete(path);
          model.delete(path.key);
        } else store.touch(path);
        expect(store.size).toBe(model.size);
        for (const p of universe) expect(fields(store.get(p))).toEqual(fields(model.get(p.key)));
        const byKey = (es: Iterable<Entry>) => [...es].map(fields).sort((a, b) => (a!.path < b!.path ? -1 : 1));
        expect(byKey(store.values())).toEqual(byKey(model.values()));
        expect([...store.values()].length).toBe(model.size);
        const walked = store.walk(new Path()).flatMap((w) => (w.entry ? [w.entry] : []));
        expect(walked.length).toBe(model.size);
        expect(byKey(walked)).toEqual(byKey(model.values()));
        for (const e of model.values()) {
          expect(store.hasNode(e.path)).toBe(true);
          for (const l of e.links) expect(fields(store.byTick(l.node, l.tick))).toEqual(fields(e));
          expect(store.byTick(l0(e).node, l0(e).tick)).toBe(store.get(e.path)); // one record, indexed and in the tree
        }
        for (const node of ["n", "m", "o"]) {
          const held = [...model.values()].flatMap((e) => e.links.filter((l) => l.node === node).map((l) => l.tick));
          expect([...store.ticksOf(node)].sort((a, b) => Number(a) - Number(b))).toEqual(held.sort((a, b) => Number(a) - Number(b)));
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
