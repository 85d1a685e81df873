// check_deleted (upstream's cmd_check_deleted): of the ticks asked about, those no entry here
// holds are reported deleted; a held tick (any link of an entry's chain) is not.
import { beforeAll, expect, it } from "vitest";
import { init } from "../../src/core/range-set.js";
import { deletedAmong } from "../../src/node/check-deleted.js";
import { offlineNode } from "../../src/node/offline.js";
import { Path } from "../../src/wire/path.js";

beforeAll(async () => {
  await init();
});

function node() {
  const n = offlineNode([], "me");
  n.importUpdate({ node: "b", tick: 1, prev: null, path: Path.of("a", "x"), value: 1, tock: 5 });
  n.importUpdate({ node: "a", tick: 3, prev: { node: "b", tick: 1, prev: null }, path: Path.of("a", "x"), value: 2, tock: 6 });
  n.importUpdate({ node: "a", tick: 4, prev: null, path: Path.of("keep"), value: 3, tock: 7 });
  return n;
}

it("reports the asked ticks that no entry holds, per node", () => {
  const n = node();
  expect(deletedAmong({ a: [[1, 6]], b: [1, 2], c: [7] }, n.store)).toEqual({ a: [[1, 3], 5], b: [2], c: [7] });
  expect(n.checkDeleted({ a: [3, 4], b: [1] })).toEqual({});
});

it("costs the entries held, not the length of a huge range", () => {
  const n = node();
  const t0 = performance.now();
  expect(deletedAmong({ a: [[1, 2 ** 50]] }, n.store)).toEqual({ a: [[1, 3], [5, 2 ** 50]] });
  expect(performance.now() - t0).toBeLessThan(1000);
});

it("names the malformed part of a request and changes nothing", () => {
  const n = node();
  expect(() => n.checkDeleted({ a: "x" })).toThrow(/check_deleted: nodes\.a/);
  expect(() => n.checkDeleted(7)).toThrow(/check_deleted: nodes 7 is not a map/);
  expect(n.store.get(Path.of("keep"))?.value).toBe(3);
});
