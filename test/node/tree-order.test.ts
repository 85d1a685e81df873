// Upstream's tree order: creation order, parents before children, empty parents as nodes,
// the internal tree's root (None) first, and purged entries cut out with their empty parents.
import { describe, expect, it } from "vitest";
import { TreeOrder } from "../../src/node/tree-order.js";
import { Path } from "../../src/wire/path.js";

const P = (s: string) => (s === "" ? new Path() : new Path(s.split(".")));
const names = (t: TreeOrder, under = "") => t.walk(P(under)).map((x) => x.path.elements.map(String).join("."));

describe("TreeOrder", () => {
  it("walks depth first in creation order, with empty parents and the internal root", () => {
    const t = new TreeOrder();
    const tocks = new Map([["", 5]]);
    for (const p of ["one.two", "one.three", "a", "one.two.x"]) t.add(P(p), (q) => tocks.get(q.elements.join(".")));
    expect(names(t)).toEqual(["", "null", "one", "one.two", "one.two.x", "one.three", "a"]);
    expect(t.walk(P("one"))[0]).toEqual({ path: P("one"), tock: 5 }); // its parent's tock when created
    expect(names(t, "one.two")).toEqual(["one.two", "one.two.x"]);
    expect(t.walk(P("nope"))).toEqual([]);
    expect([t.has(P("one")), t.has(P("one.four"))]).toEqual([true, false]);
  });

  it("cuts a purged path and the parents it leaves empty, but not a parent with an entry", () => {
    const t = new TreeOrder();
    for (const p of ["a.b.c", "a.d", "x.y.z"]) t.add(P(p), () => undefined);
    t.remove(P("x.y.z"), () => false);
    expect(names(t)).toEqual(["", "null", "a", "a.b", "a.b.c", "a.d"]);
    t.remove(P("a.b.c"), (p) => p.equals(P("a.b")));
    expect(names(t)).toEqual(["", "null", "a", "a.b", "a.d"]);
    t.remove(P("nope.x"), () => false);
    expect(names(t)).toEqual(["", "null", "a", "a.b", "a.d"]);
  });

  it("keeps elements apart that look alike as text: a string and the number, null, or a key it spells", () => {
    const t = new TreeOrder();
    const alike = ["1", 1, "null", null, "\u0000null", "\u0000", "", 1n, true, "true"] as const;
    for (const e of alike) t.add(Path.of("x", e), () => undefined);
    const below = t.walk(Path.of("x")).slice(1).map((x) => x.path.elements[1]);
    expect(below).toEqual([...alike]);
    for (const e of alike) expect(t.has(Path.of("x", e))).toBe(true);
    t.remove(Path.of("x", "\u0000null"), () => false);
    expect(t.has(Path.of("x", "\u0000null"))).toBe(false);
    expect(t.has(Path.of("x", null))).toBe(true);
  });
});
