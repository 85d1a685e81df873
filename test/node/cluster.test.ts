// ticktock f.nodes on a real Mosquitto broker: writes everywhere converge, a skipped tick is seen
// everywhere and repaired by a mark, a node's own gap puts it in maintainer-only mode.
import { describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { converged, dataOf, describeCluster, startNodes, waitFor, mosquittoFixture } from "../support/cluster.js";
import { encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";
import { NotServingError } from "../../src/core/errors.js";

const f = mosquittoFixture();

/** A hand-made publisher, like the recordings' `ghost`. */
async function publishAs(updates: Record<string, unknown>[], topic = "moat/kv/update"): Promise<void> {
  const c = await mqtt.connectAsync(f.broker.url);
  for (const u of updates) await c.publishAsync(topic, Buffer.from(encodeValue(u)));
  await c.endAsync();
}

describe("a cluster on Mosquitto", () => {
  it("converges after writes and deletions on every node", async () => {
    f.nodes = await startNodes(f.broker.url, ["n1", "n2", "n3"]);
    expect(f.nodes.map((n) => n.node.mode)).toEqual(["serving", "serving", "serving"]);
    const changes: Record<string, number> = { n1: 0, n2: 0, n3: 0 };
    for (let i = 0; i < 90; i++) {
      const n = f.nodes[i % 3]!.node;
      const path = Path.of("data", `k${i % 17}`);
      // every request spends a tick, a delete of what is gone already too (as upstream)
      const r = i % 11 === 10 ? n.delete(path) : n.set(path, { i, by: n.name });
      if (r.tick !== undefined) changes[n.name]!++;
    }
    await waitFor(() => converged(f.nodes), 10_000, () => describeCluster(f.nodes));
    const data = dataOf(f.nodes[0]!.node);
    expect(Object.keys(data).length).toBeGreaterThan(10);
    for (const n of f.nodes) {
      // every change took one tick of its node
      const ticks = n.node.getState({ nodes: true }).nodes!;
      expect({ n1: ticks.n1, n2: ticks.n2, n3: ticks.n3 }).toEqual(changes);
      expect(n.node.ledger.missing()).toEqual({});
    }
  });

  it("sees a publisher's skipped tick on every node and clears it with a broadcast mark", async () => {
    f.nodes = await startNodes(f.broker.url, ["a", "b", "c"]);
    await publishAs([
      { node: "ghost", tick: 1, prev: null, path: Path.of("ghost", "a"), value: "g1", tock: 1 },
      { node: "ghost", tick: 3, prev: null, path: Path.of("ghost", "c"), value: "g3", tock: 1 },
    ]);
    await waitFor(() => f.nodes.every((n) => JSON.stringify(n.node.ledger.missing()) === '{"ghost":[2]}'), 5000, () => describeCluster(f.nodes));
    // somebody else's gap: every node keeps serving, and asks the cluster for the tick
    expect(f.nodes.map((n) => n.node.mode)).toEqual(["serving", "serving", "serving"]);
    await waitFor(() => f.nodes.some((n) => n.logs.some((l) => l.includes("gap: missing ticks ghost [2]"))), 3000);
    const r = f.nodes[0]!.node.mark("ghost", "missing", { broadcast: true });
    expect(r.changed).toEqual({ ghost: [2] });
    await waitFor(() => f.nodes.every((n) => Object.keys(n.node.ledger.missing()).length === 0), 5000, () => describeCluster(f.nodes));
    for (const n of f.nodes) expect(n.node.getState({ known: true }).known).toEqual({ ghost: [2] });
  });

  it("resolves a deletion and a concurrent change by tock, whichever arrives first", async () => {
    f.nodes = await startNodes(f.broker.url, ["a", "b"]);
    // base versions by `base`; then per path a deletion by `del` and a change by `chg`, both
    // based on the base version (concurrent, as after a split), in both orders of arrival
    const base = (tick: number, k: string) => ({ node: "base", tick, prev: null, path: Path.of("c", k), value: `base ${k}`, tock: 10 });
    const on = (who: "del" | "chg", tick: number, k: string, baseTick: number, tock: number) => ({
      node: who, tick, prev: { node: "base", tick: baseTick, prev: null }, path: Path.of("c", k), ...(who === "chg" ? { value: `chg ${k}` } : {}), tock,
    });
    await publishAs([
      base(1, "p1"), base(2, "p2"), base(3, "p3"), base(4, "p4"),
      on("del", 1, "p1", 1, 50), on("chg", 1, "p1", 1, 20), // the newer deletion first: it stays
      on("chg", 2, "p2", 2, 20), on("del", 2, "p2", 2, 50), // the newer deletion last: it wins
      on("del", 3, "p3", 3, 20), on("chg", 3, "p3", 3, 50), // the newer change last: it wins
      on("chg", 4, "p4", 4, 50), on("del", 4, "p4", 4, 20), // the newer change first: it stays
    ]);
    await waitFor(() => converged(f.nodes) && "c.p3" in dataOf(f.nodes[0]!.node), 5000, () => describeCluster(f.nodes));
    for (const n of f.nodes) expect(dataOf(n.node)).toEqual({ "c.p3": "chg p3", "c.p4": "chg p4" });
  });

  it("puts a node whose own ticks are missing into maintainer-only mode until they are marked", async () => {
    f.nodes = await startNodes(f.broker.url, ["a", "b"]);
    f.nodes[0]!.node.set(Path.of("x"), 1); // a: tick 1
    // a publisher claims a's tick 4: a's ticks 2 and 3 are missing, here and everywhere
    await publishAs([{ node: "a", tick: 4, prev: null, path: Path.of("y"), value: "forged", tock: 9 }]);
    const a = f.nodes[0]!.node;
    await waitFor(() => a.mode === "maintainer", 5000, () => describeCluster(f.nodes));
    expect(() => a.get(Path.of("x"))).toThrow(NotServingError);
    expect(() => a.set(Path.of("x"), 2)).toThrow("maintainer-only: missing ticks a [[2, 4]]");
    expect(a.getState({ missing: true }).missing).toEqual({ a: [[2, 4]] }); // maintenance still answers
    expect(f.nodes[1]!.node.mode).toBe("serving"); // b's own ticks are complete
    a.mark("a", "missing", { broadcast: true });
    await waitFor(() => a.mode === "serving" && converged(f.nodes), 5000, () => describeCluster(f.nodes));
    expect(a.set(Path.of("x"), 2).tick).toBe(5);
    expect(f.nodes[0]!.logs.some((l) => l.includes("maintainer-only mode: this node's own ticks are missing: a [[2, 4]]"))).toBe(true);
  });
});
