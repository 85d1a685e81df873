// info {deleted} for a change held here purges its entry, as upstream's report_deleted does:
// the value is gone and every link of the entry's chain is superseded, neither present nor
// deleted. Ticks not held here stay deleted. (Checked against upstream in gossip-replay.)
import { beforeAll, expect, it } from "vitest";
import { init } from "../../src/core/range-set.js";
import { offlineNode } from "../../src/node/offline.js";
import { Path } from "../../src/wire/path.js";

beforeAll(async () => {
  await init();
});

it("purges an entry whose change an info names as deleted, with every link of its chain", () => {
  const n = offlineNode([], "me");
  n.importUpdate({ node: "b", tick: 1, prev: null, path: Path.of("a", "x"), value: 1, tock: 5 });
  n.importUpdate({ node: "a", tick: 3, prev: { node: "b", tick: 1, prev: null }, path: Path.of("a", "x"), value: 2, tock: 6 });
  n.importUpdate({ node: "a", tick: 4, prev: null, path: Path.of("keep"), value: 3, tock: 7 });
  expect(n.getState({ present: true }).present).toEqual({ b: [1], a: [[3, 5]] });
  n.fakeInfo({ node: "?", deleted: { a: [3, 9] } });
  const s = n.getState({ present: true, known: true, deleted: true, missing: true });
  expect(s).toMatchObject({ present: { a: [4] }, known: { b: [1], a: [3, 9] }, deleted: { a: [9] } });
  expect(n.store.get(Path.of("a", "x"))).toBeUndefined();
  // as upstream, which cut the entry: a re-send of the purged change is taken as new
  n.importUpdate({ chain: { node: "a", tick: 3, prev: { node: "b", tick: 1, prev: null } }, path: Path.of("a", "x"), value: 2, tock: 6 } as never);
  expect(n.store.get(Path.of("a", "x"))?.value).toBe(2);
  expect(n.store.get(Path.of("keep"))?.value).toBe(3);
});

it("changes nothing when the info is malformed", () => {
  const n = offlineNode([], "me");
  n.importUpdate({ node: "a", tick: 1, prev: null, path: Path.of("k"), value: 1, tock: 5 });
  expect(() => n.fakeInfo({ node: "?", deleted: { a: [1] }, missing: { a: "x" } } as never)).toThrow(/missing\.a/);
  expect(n.store.get(Path.of("k"))?.value).toBe(1);
  expect(n.getState({ present: true }).present).toEqual({ a: [1] });
});
