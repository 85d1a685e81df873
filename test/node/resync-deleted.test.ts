// resync_deleted's request (head ticks of every entry, at most 100 a request) and the deleter
// list edits of `internal deleter`, as upstream's CLI makes them.
import { beforeAll, expect, it } from "vitest";
import { init } from "../../src/core/range-set.js";
import { headTickBatches } from "../../src/client/resync-deleted.js";
import { changedList } from "../../src/cli/commands/deleter.js";
import { offlineNode } from "../../src/node/offline.js";
import { Path } from "../../src/wire/path.js";

beforeAll(async () => {
  await init();
});

it("batches the head tick of every entry, tombstones included, 100 at most", () => {
  const n = offlineNode([], "me");
  for (let i = 1; i <= 150; i++) n.importUpdate({ node: "a", tick: i, prev: null, path: Path.of("k", i), value: i, tock: i });
  n.importUpdate({ node: "b", tick: 1, prev: { node: "a", tick: 1, prev: null }, path: Path.of("k", 1), tock: 200 });
  const batches = headTickBatches(n.store);
  expect(batches.length).toBe(2);
  expect(batches[0]).toEqual({ b: [1], a: [[2, 101]] });
  expect(batches[1]).toEqual({ a: [[101, 151]] });
});

it("edits the deleter list as upstream's `internal deleter [-d] NODE…`", () => {
  expect(changedList(undefined, ["a"], false)).toEqual(["a"]);
  expect(changedList({ nodes: ["a"] }, ["b", "a"], false)).toEqual(["a", "b"]);
  expect(changedList(["a", "b"], ["a"], true)).toEqual(["b"]); // an old bare list
  expect(changedList({ nodes: ["a", "b"] }, [], true)).toEqual([]); // -d alone clears it
});
