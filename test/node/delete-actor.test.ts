// Upstream's Delete actor rules (deletor.py) and its purge (purge_deleted), driven directly.
import { beforeAll, expect, it } from "vitest";
import { init, RangeSet } from "../../src/core/range-set.js";
import { DeleteActor } from "../../src/node/delete-actor.js";
import { purgeDeleted } from "../../src/node/deleted-purge.js";
import { offlineNode } from "../../src/node/offline.js";
import { Path } from "../../src/wire/path.js";

beforeAll(async () => {
  await init();
});

function actor() {
  let tock = 100;
  const purged: Record<string, unknown>[] = [];
  const resyncs: string[][] = [];
  const d = new DeleteActor({
    tock: () => ++tock,
    purge: (m) => purged.push(Object.fromEntries([...m].map(([k, r]) => [k, r.toState()]))),
    resync: (h) => resyncs.push(h),
  });
  return { d, purged, resyncs, setTock: (t: number) => (tock = t) };
}

it("keeps nothing while there are no deleters", () => {
  const { d } = actor();
  d.mark([{ node: "a", tick: 3 }, { node: "b", tick: 1 }]);
  d.flush();
  expect(d.backlog).toEqual({ batches: 0, ticks: 0 });
});

it("purges a batch once a deleter's third turn with the full history passes its tock", () => {
  const { d, purged, setTock } = actor();
  d.configure(2, true);
  d.mark([{ node: "a", tick: 3 }, { node: "b", tick: 1 }]);
  d.flush(); // queued at tock 101
  expect(d.backlog).toEqual({ batches: 1, ticks: 2 });
  d.onTag(1); // history short: no count
  expect(d.value).toBeNull();
  setTock(200);
  d.onTag(2); // tags [201]
  d.onTag(2); // [201, 202]
  expect(d.value).toEqual([201, 202]);
  expect(purged).toEqual([]);
  d.onTag(2); // third turn: purge before 201
  expect(purged).toEqual([{ a: [3], b: [1] }]);
  expect(d.backlog).toEqual({ batches: 0, ticks: 0 });
  for (let i = 0; i < 5; i++) d.onTag(2);
  expect(d.value).toEqual([205, 208]); // the last 4 turns
});

it("purges on the n+1st full ping, up to the pinger's oldest tock; resyncs when it missed a round", () => {
  const { d, purged, resyncs } = actor();
  d.configure(2, false);
  d.mark([{ node: "a", tick: 1 }]);
  d.flush(); // tock 101
  expect(d.onPing([150, 160], ["x", "y"])).toBe("counted");
  expect(d.onPing([150, 160], ["x"])).toBe("reset"); // short history restarts the count
  expect(d.onPing(null, ["x", "y"])).toBe("reset");
  expect(d.onPing([150, 160], ["x", "y"])).toBe("counted");
  expect(d.onPing([150, 160], ["y", "x"])).toBe("counted");
  expect(d.onPing([90, 160], ["x", "y"])).toBe("purged"); // 101 is not before 90
  expect(purged).toEqual([]);
  expect(d.onPing([150, 170], ["y", "x"])).toBe("purged");
  expect(purged).toEqual([{ a: [1] }]);
  // the deleters' oldest tock is beyond anything seen before: we missed their deletions
  expect(d.onPing([500, 600], ["x", "y"])).toBe("resync");
  expect(resyncs).toEqual([["x", "y"]]);
});

it("purge_deleted removes the tombstones and moves their ticks to superseded; a live entry stays", () => {
  const n = offlineNode([], "me");
  n.importUpdate({ node: "a", tick: 1, prev: null, path: Path.of("x"), value: 1, tock: 5 });
  n.importUpdate({ node: "c", tick: 1, prev: { node: "a", tick: 1, prev: null }, path: Path.of("x"), tock: 6 }); // deleted
  n.importUpdate({ node: "b", tick: 1, prev: null, path: Path.of("y"), tock: 7 }); // deleted
  n.importUpdate({ node: "d", tick: 1, prev: { node: "b", tick: 1, prev: null }, path: Path.of("y"), value: 9, tock: 8 }); // set again
  expect(n.store.get(Path.of("x"))?.deleted).toBe(true);
  using a = RangeSet.fromState([1]);
  using b = RangeSet.fromState([1]);
  using c = RangeSet.fromState([1]);
  purgeDeleted(new Map([["a", a], ["b", b], ["c", c]]), n.store, n.ledger);
  expect(n.store.get(Path.of("x"))).toBeUndefined();
  expect(n.store.get(Path.of("y"))?.value).toBe(9);
  const s = n.getState({ present: true, known: true, deleted: true, missing: true });
  expect(s.present).toEqual({ b: [1], d: [1] });
  expect(s.known).toEqual({ a: [1], c: [1] });
  expect(s.deleted ?? {}).toEqual({});
  expect(s.missing ?? {}).toEqual({});
});
