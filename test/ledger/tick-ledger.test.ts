import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../../src/core/range-set.js";
import { MessageError } from "../../src/core/errors.js";
import { TickLedger } from "../../src/ledger/tick-ledger.js";

beforeAll(async () => {
  await init();
});

const ALL = { nodes: true, known: true, present: true, deleted: true, missing: true, remote_missing: true, node_drop: true };

function ledgerWith(name = "me"): TickLedger {
  return new TickLedger(name);
}

describe("applyUpdate", () => {
  it("makes the new tick present, supersedes the node's older tick for the entry, raises tick and tock", () => {
    const l = ledgerWith();
    l.applyUpdate({ node: "a", tick: 1, prev: null, value: 1, tock: 5 });
    const eff = l.applyUpdate({ node: "a", tick: 2, prev: null, value: 2, tock: 9 }, { node: "a", tick: 1, prev: null });
    expect(eff).toEqual({ deleted: false, superseded: { a: [1] } });
    const s = l.getState(ALL);
    expect(s.nodes).toEqual({ a: 2 });
    expect(s.present).toEqual({ a: [2] });
    expect(s.known).toEqual({ a: [1] });
    expect(s.missing).toEqual({});
    expect(s.tock).toBe(10); // raised to 9, plus one for the reply
  });

  it("keeps ticks the new chain repeats and supersedes those it drops", () => {
    const l = ledgerWith();
    const old = { node: "b", tick: 4, prev: { node: "a", tick: 2, prev: null } };
    l.applyUpdate({ node: "b", tick: 4, prev: { node: "a", tick: 2, prev: null }, value: 1 });
    // c changes the entry; the chain was truncated to c and b, so a:2 drops out
    const eff = l.applyUpdate({ node: "c", tick: 1, prev: { node: "b", tick: 4 }, value: 2 }, old);
    expect(eff.superseded).toEqual({ a: [2] });
    expect(l.getState({ present: true }).present).toEqual({ b: [4], c: [1] });
  });

  it("records a deletion's tick as deleted and leaves it present", () => {
    const l = ledgerWith();
    l.applyUpdate({ node: "a", tick: 1, prev: null, value: "x" });
    const eff = l.applyUpdate({ node: "a", tick: 2, prev: null }, { node: "a", tick: 1, prev: null });
    expect(eff.deleted).toBe(true);
    const s = l.getState(ALL);
    expect(s.deleted).toEqual({ a: [2] });
    expect(s.present).toEqual({ a: [2] });
    expect(s.known).toEqual({ a: [1] });
  });

  it("supersedes a stale update's own ticks and makes none present", () => {
    const l = ledgerWith();
    l.applyUpdate({ node: "a", tick: 5, prev: null, value: 1 });
    l.applyUpdate({ node: "b", tick: 1, prev: null, value: 0 }, { node: "a", tick: 5, prev: null }, false);
    const s = l.getState(ALL);
    expect(s.present).toEqual({ a: [5] });
    expect(s.known).toEqual({ b: [1] });
    expect(s.missing).toEqual({ a: [[1, 5]] });
  });

  it("reads a re-sent update's chain and raises the sender's tick", () => {
    const l = ledgerWith();
    l.applyInfo({ node: "x", missing: { a: [[1, 4]] } });
    l.applyUpdate({ chain: { node: "a", tick: 2, prev: null }, value: 1, tock: 3, node: "s", tick: 7 });
    const s = l.getState(ALL);
    expect(s.nodes).toEqual({ a: 2, s: 7 });
    expect(s.remote_missing).toEqual({ a: [1, 3] });
    expect(s.missing).toEqual({ a: [1], s: [[1, 8]] });
  });

  it("rejects a malformed chain naming the field, and changes nothing", () => {
    const l = ledgerWith();
    const bad = [
      [{ node: "a", tick: -1, prev: null, value: 1 }, /update\.tick -1 is not a tick/],
      [{ node: 7, tick: 1, prev: null, value: 1 }, /update\.node 7 is not a string/],
      [{ node: "a", tick: 2, prev: { node: "a", tick: 1 }, value: 1 }, /update\.prev\.node "a" appears twice/],
      [{ node: "a", tick: 0, prev: null, value: 1 }, /update\.tick 0 is not a change/],
      [{ node: "a", tick: 2, prev: "nope", value: 1 }, /update\.prev "nope" is not a chain link/],
      [{ chain: { node: "a", tick: 1.5 }, value: 1 }, /chain\.tick 1\.5 is not a tick/],
    ] as const;
    for (const [msg, re] of bad) {
      expect(() => l.applyUpdate(msg as never)).toThrow(re);
      expect(() => l.applyUpdate(msg as never)).toThrow(MessageError);
    }
    expect(l.nodeNames).toEqual([]);
  });

  it("handles ticks above 2^53 exactly", () => {
    const l = ledgerWith();
    const big = 2n ** 62n + 3n;
    l.applyUpdate({ node: "a", tick: big, prev: null, value: 1 });
    const s = l.getState(ALL);
    expect(s.nodes).toEqual({ a: big });
    expect(s.present).toEqual({ a: [big] });
    expect(s.missing).toEqual({ a: [[1, big]] });
  });
});

describe("applyInfo", () => {
  it("ignores the server's own messages", () => {
    const l = ledgerWith("me");
    expect(l.applyInfo({ node: "me", missing: { a: [1] } })).toEqual({ ignored: true, requested: {}, dropped: [] });
    expect(l.getState(ALL).remote_missing).toEqual({});
  });

  it("raises ticks from `ticks` and `nodes`, and the sender's own tick", () => {
    const l = ledgerWith();
    l.applyInfo({ node: "s", tick: 2, tock: 40, ticks: { a: 3 }, nodes: { b: 5, c: null } });
    const s = l.getState({ nodes: true, missing: true });
    expect(s.nodes).toEqual({ s: 2, a: 3, b: 5, c: null });
    expect(s.missing).toEqual({ s: [[1, 3]], a: [[1, 4]], b: [[1, 6]] });
    expect(s.tock).toBe(41);
  });

  it("puts `missing` into remote_missing and returns it as requested", () => {
    const l = ledgerWith();
    const eff = l.applyInfo({ node: "s", missing: { a: [2, [5, 7]], b: [] } });
    expect(eff).toEqual({ ignored: false, requested: { a: [2, [5, 7]] }, dropped: [] });
    expect(l.getState({ remote_missing: true }).remote_missing).toEqual({ a: [2, [5, 7]] });
  });

  it("adds known/superseded minus present ticks to superseded and clears them from remote_missing", () => {
    const l = ledgerWith();
    l.applyUpdate({ node: "a", tick: 3, prev: null, value: 1 });
    l.applyInfo({ node: "s", missing: { a: [[1, 5]] } });
    l.applyInfo({ node: "t", known: { a: [[1, 4]] } });
    l.applyInfo({ node: "t", superseded: { a: [4] } });
    const s = l.getState(ALL);
    expect(s.known).toEqual({ a: [[1, 3], 4] });
    expect(s.present).toEqual({ a: [3] });
    expect(s.remote_missing).toEqual({ a: [3] });
  });

  it("makes deleted ticks superseded and no longer present; deleted unless they were present (purged, as upstream)", () => {
    const l = ledgerWith();
    l.applyUpdate({ node: "a", tick: 2, prev: null, value: 1 });
    l.applyInfo({ node: "t", deleted: { a: [[1, 3]] } });
    const s = l.getState(ALL);
    expect(s.deleted).toEqual({ a: [1] });
    expect(s.known).toEqual({ a: [[1, 3]] });
    expect(s.present).toEqual({});
  });

  it("adds remote_missing and drops nodes", () => {
    const l = ledgerWith();
    l.applyInfo({ node: "t", ticks: { a: 2, b: 1 }, remote_missing: { a: [1] } });
    l.applyInfo({ node: "t", node_drop: ["b"] });
    const s = l.getState(ALL);
    expect(s.nodes).toEqual({ a: 2 });
    expect(s.remote_missing).toEqual({ a: [1] });
    expect(s.node_drop).toEqual(["b"]);
  });

  it("reads upstream's [name, null] node_drop pairs as names", () => {
    const l = ledgerWith();
    l.applyInfo({ node: "up", ticks: { a: 2, gone: 3 } });
    // upstream 0.70.22 announces its dropped nodes as the tuples its node cache recorded
    const eff = l.applyInfo({ node: "up", ticks: { a: 2 }, node_drop: [["gone", null]] as never });
    expect(eff.dropped).toEqual(["gone"]);
    expect(l.getState(ALL).nodes).toEqual({ a: 2 });
    expect(() => l.applyInfo({ node: "up", node_drop: [["gone", 1]] as never })).toThrow(/node_drop\.0 \["gone", 1\] is not a string/);
  });

  it("keeps a dropped node that `keep` vetoes, remembers unknown ones, and forgets a drop when the node reappears", () => {
    const l = ledgerWith();
    l.applyInfo({ node: "t", ticks: { a: 2, b: 3 } });
    const eff = l.applyInfo({ node: "t", node_drop: ["a", "b", "never"] }, (n) => n === "a");
    expect(eff.dropped).toEqual(["b"]);
    expect(l.getState(ALL).nodes).toEqual({ a: 2 });
    expect(l.getState(ALL).missing).toEqual({ a: [[1, 3]] });
    expect([...l.nodeDrop].sort()).toEqual(["b", "never"]);
    // another server naming b (an announcement sent before it heard the drop) does not bring it
    // back: this server would ask for every tick of b's the drop took away
    const stale = l.applyInfo({ node: "t", ticks: { b: 4 }, missing: { b: [[1, 2]] }, known: { b: [[2, 3]] } });
    expect(stale.requested).toEqual({});
    expect(l.get("b")).toBeUndefined();
    expect(l.getState(ALL).missing).toEqual({ a: [[1, 3]] });
    expect([...l.nodeDrop].sort()).toEqual(["b", "never"]);
    // b speaks again: it is a member once more (as upstream's node cache does)
    l.applyInfo({ node: "b", tick: 4 });
    expect([...l.nodeDrop]).toEqual(["never"]);
    expect(l.getState(ALL).nodes).toEqual({ a: 2, b: 4 });
    // ticks and node_drop in one message: the drop comes last and wins
    expect(l.applyInfo({ node: "t", ticks: { b: 5 }, node_drop: ["b"] }).dropped).toEqual(["b"]);
    expect(l.get("b")).toBeUndefined();
  });

  it("rejects a message with any bad field whole, naming it", () => {
    const l = ledgerWith();
    l.applyInfo({ node: "t", ticks: { a: 2 } });
    const before = l.getState(ALL);
    const bad = [
      [{ node: "t", missing: { a: [[3, 1]] }, ticks: { a: 9 } }, /missing\.a: item 0 \[3, 1\] is not a range: start 3 must be < end 1/],
      [{ node: "t", ticks: { a: "9" } }, /ticks\.a "9" is not a tick/],
      [{ node: "t", known: [1, 2] }, /known \[1, 2\] is not a map/],
      [{ node: "t", deleted: { a: [-1] } }, /deleted\.a: item 0 -1 is not a tick/],
      [{ node: "t", node_drop: "a" }, /node_drop "a" is not a list/],
      [{ node: "t", tock: -3 }, /tock -3 is not a tick/],
      [{ node: 5 }, /node 5 is not a string/],
    ] as const;
    for (const [msg, re] of bad) expect(() => l.applyInfo(msg as never)).toThrow(re);
    const after = l.getState(ALL);
    expect({ ...after, tock: 0 }).toEqual({ ...before, tock: 0 });
  });

  it("takes the nulls upstream sends: a fresh server's tick, unknown ticks in `ticks`, a null tock", () => {
    const l = ledgerWith();
    // what a fresh upstream server announces, and what one sends for nodes it knows only by name
    l.applyInfo({ node: "fresh", tick: null, tock: 3, ticks: {} });
    l.applyInfo({ node: "old", tick: 4, tock: null, ticks: { old: 4, fresh: null } } as never);
    l.applyUpdate({ chain: { node: "old", tick: 4, prev: null }, value: 1, tock: null, node: "fresh", tick: null } as never);
    const s = l.getState({ nodes: true, missing: true });
    expect(s.nodes).toEqual({ old: 4, fresh: null });
    expect(s.missing).toEqual({ old: [[1, 4]] });
    // null where upstream never sends it is still refused
    expect(() => l.applyInfo({ node: "t", missing: { a: null } } as never)).toThrow(/missing\.a/);
    expect(() => l.applyUpdate({ node: "a", tick: null, prev: null, value: 1 } as never)).toThrow(/update\.tick null is not a tick/);
  });
});

describe("getState", () => {
  it("answers in upstream's key order with only the requested keys", () => {
    const l = ledgerWith("n1");
    l.applyUpdate({ node: "n1", tick: 1, prev: null, value: 1 });
    expect(Object.keys(l.getState({ node_drop: true, missing: true, superseded: true, nodes: true, present: true, deleted: true, remote_missing: true }))).toEqual(
      ["nodes", "known", "present", "deleted", "missing", "remote_missing", "node_drop", "node", "tock"],
    );
    expect(Object.keys(l.getState({}))).toEqual(["node", "tock"]);
    expect(Object.keys(l.getState({ known: true }))).toEqual(["known", "node", "tock"]);
  });

  it("costs one tock per reply", () => {
    const l = ledgerWith();
    const a = l.getState({}).tock as number;
    expect(l.getState({}).tock).toBe(a + 1);
  });

  it("lists nodes in the order first seen and leaves tick-0 nodes out of missing", () => {
    const l = ledgerWith();
    l.applyInfo({ node: "", missing: { z: [1] } });
    l.applyInfo({ node: "", ticks: { y: 2 } });
    const s = l.getState({ nodes: true, missing: true });
    expect(Object.keys(s.nodes!)).toEqual(["z", "y"]);
    expect(s.nodes).toEqual({ z: null, y: 2 });
    expect(s.missing).toEqual({ y: [[1, 3]] });
  });
});

describe("mark", () => {
  it("marks ticks superseded but never present ones, and reports what changed", () => {
    const l = ledgerWith();
    l.applyUpdate({ node: "a", tick: 2, prev: null, value: 1 });
    l.applyInfo({ node: "", ticks: { a: 4 } });
    const r = l.mark("a", [[1, 4]]);
    expect(r.message).toEqual({ superseded: { a: [[1, 4]] }, node: "", tick: 0 });
    expect(r.changed).toEqual({ a: [1, 3] });
    const s = l.getState(ALL);
    expect(s.known).toEqual({ a: [1, 3] });
    expect(s.missing).toEqual({ a: [4] });
  });

  it("takes the node's missing list with 'missing', and every node's with the empty name", () => {
    const l = ledgerWith();
    l.applyInfo({ node: "", ticks: { a: 2, b: 3 } });
    expect(l.mark("a", "missing").changed).toEqual({ a: [[1, 3]] });
    expect(l.getState({ missing: true }).missing).toEqual({ b: [[1, 4]] });
    const r = l.mark("", "missing", { deleted: true });
    expect(r.message).toEqual({ deleted: { b: [[1, 4]] }, node: "", tick: 0 });
    const s = l.getState(ALL);
    expect(s.missing).toEqual({});
    expect(s.deleted).toEqual({ b: [[1, 4]] });
  });

  it("says nothing changed when the node has nothing missing", () => {
    const l = ledgerWith();
    l.applyUpdate({ node: "a", tick: 1, prev: null, value: 1 });
    expect(l.mark("a", "missing")).toEqual({ message: { superseded: {}, node: "", tick: 0 }, changed: {} });
    expect(l.mark("nobody", "missing").changed).toEqual({});
  });

  it("changes nothing on a dry run", () => {
    const l = ledgerWith();
    l.applyInfo({ node: "", ticks: { a: 2 } });
    expect(l.mark("a", "missing", { dryRun: true }).changed).toEqual({ a: [[1, 3]] });
    expect(l.getState({ missing: true }).missing).toEqual({ a: [[1, 3]] });
  });

  it("refuses ticks for the empty node name and bad ticks", () => {
    const l = ledgerWith();
    expect(() => l.mark("", [1])).toThrow(/ticks need a node name/);
    expect(() => l.mark("a", [[5, 2]])).toThrow(/ticks\.a: item 0 \[5, 2\] is not a range/);
  });
});
