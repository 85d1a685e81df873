// Node lifecycle on a real Mosquitto broker: a node that left the cluster long ago (here `ghost`,
// whose tick 2 is lost everywhere) is dropped with kill_node once none of its changes is the
// newest of an entry; every server forgets it, stops asking for its ticks, and keeps the drop
// across a restart from its state file.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { dataOf, describeCluster, mosquittoFixture, sleep, startNode, startNodes, waitFor, type TestNode } from "../support/cluster.js";
import { record } from "../support/gossip-recorder.js";
import { encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

const f = mosquittoFixture();

async function publishAs(action: string, msgs: Record<string, unknown>[]): Promise<void> {
  const c = await mqtt.connectAsync(f.broker.url);
  for (const m of msgs) await c.publishAsync(`moat/kv/${action}`, Buffer.from(encodeValue(m)));
  await c.endAsync();
}

/** ghost writes ticks 1 and 3; its tick 2 never reaches anyone. */
async function ghostWithAGap(nodes: TestNode[]): Promise<void> {
  await publishAs("update", [
    { node: "ghost", tick: 1, prev: null, path: Path.of("ghost", "a"), value: "g1", tock: 1 },
    { node: "ghost", tick: 3, prev: null, path: Path.of("ghost", "c"), value: "g3", tock: 1 },
  ]);
  await waitFor(() => nodes.every((n) => JSON.stringify(n.node.ledger.missing()) === '{"ghost":[2]}'), 5000, () => describeCluster(nodes));
}

const chainsName = (n: TestNode, node: string) => n.node.store.sorted().some((e) => e.links.some((l) => l.node === node));

describe("dropping a node that left the cluster", () => {
  it("is refused while the node has current data, then forgets it on every server, which stop asking for its ticks", async () => {
    f.nodes = await startNodes(f.broker.url, ["a", "b", "c"]);
    const [a, b, c] = f.nodes as [TestNode, TestNode, TestNode];
    await ghostWithAGap(f.nodes);
    expect(() => a.node.killNode("ghost")).toThrow(/^Node ghost has entry [13]$/);
    expect(a.node.enumNode("ghost", true)).toEqual([1, 3]);

    // b rewrites ghost's entries: ghost's changes stay in their chains, no longer the newest
    b.node.set(Path.of("ghost", "a"), "b1");
    b.node.set(Path.of("ghost", "c"), "b3");
    await waitFor(() => f.nodes.every((n) => dataOf(n.node)["ghost.a"] === "b1" && dataOf(n.node)["ghost.c"] === "b3"), 5000, () => describeCluster(f.nodes));
    expect(a.node.enumNode("ghost")).toEqual([1, 3]);
    expect(a.node.enumNode("ghost", true)).toEqual([]);
    for (const n of f.nodes) expect(n.node.ledger.missing()).toEqual({ ghost: [2] });

    const rec = await record(f.broker.url);
    a.node.killNode("ghost");
    await waitFor(() => f.nodes.every((n) => n.node.ledger.get("ghost") === undefined && !chainsName(n, "ghost")), 5000, () => describeCluster(f.nodes));
    for (const n of f.nodes) {
      expect(n.node.ledger.missing()).toEqual({});
      expect(n.node.getState({ node_drop: true }).node_drop).toEqual(["ghost"]);
      expect(n.node.mode).toBe("serving");
      // The first drop takes ghost out of 2 chains. An announcement another server sent before it
      // heard the drop names ghost again (a node seen again is no longer dropped, as upstream's
      // node cache), and that server's next info drops it once more: a second line, no chains left.
      const drops = n.logs.filter((l) => l.includes("dropped node ghost"));
      expect(drops[0]).toMatch(/dropped node ghost from the cluster; it left 2 entries' chains$/);
      for (const l of drops.slice(1)) expect(l).toMatch(/dropped node ghost from the cluster$/);
    }
    expect(() => a.node.enumNode("ghost")).toThrow(/unknown node "ghost"/);

    // several announce rounds later nobody has asked for ghost's ticks, and the drop rides along
    await sleep(1500);
    const recorded = rec.decoded("info");
    await rec.stop();
    // The recording may begin with announcements sent before a server heard of the drop (a's own
    // included: the recorder subscribes before killNode runs). Count each server's infos from its
    // first one that carries the drop.
    const carriesDrop = (m: Record<string, unknown>) => Array.isArray(m.node_drop) && m.node_drop.includes("ghost");
    const heard = new Set<unknown>();
    const infos = recorded.filter((m) => (carriesDrop(m) && heard.add(m.node), heard.has(m.node)));
    expect(infos[0]).toMatchObject({ node_drop: ["ghost"], node: "a" });
    expect([...heard].sort()).toEqual(["a", "b", "c"]);
    const askedForGhost = infos.filter((m) => m.missing && "ghost" in (m.missing as object));
    expect(askedForGhost).toEqual([]);
    const announces = infos.filter((m) => m.ticks);
    expect(announces.length).toBeGreaterThan(2);
    for (const m of announces) expect(m).toMatchObject({ node_drop: ["ghost"] });
    for (const m of announces) expect(m.ticks).not.toHaveProperty("ghost");
    expect(dataOf(c.node)).toMatchObject({ "ghost.a": "b1", "ghost.c": "b3" });
  });

  it("is kept by a server where one of the node's changes is still the newest of an entry", async () => {
    f.nodes = await startNodes(f.broker.url, ["a", "b"]);
    await ghostWithAGap(f.nodes);
    // a server elsewhere dropped ghost (upstream writes its own drops as [name, null] pairs)
    await publishAs("info", [{ node_drop: [["ghost", null]], node: "far", tick: 0, tock: 99 }]);
    await publishAs("info", [{ node_drop: ["ghost"], node: "far2", tick: 0, tock: 100 }]);
    await sleep(500);
    for (const n of f.nodes) {
      expect(n.node.ledger.get("ghost")?.tick).toBe(3);
      expect(n.node.enumNode("ghost", true)).toEqual([1, 3]);
      expect(n.node.ledger.missing()).toEqual({ ghost: [2] });
      expect(n.logs.filter((l) => /refus|not a string/.test(l))).toEqual([]);
    }
  });

  it("stays dropped after a restart from the state file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ticktock-drop-")), "a.dkv");
    f.nodes = [await startNode(f.broker.url, "a", { save: file }), await startNode(f.broker.url, "b")];
    const [a, b] = f.nodes as [TestNode, TestNode];
    await ghostWithAGap(f.nodes);
    b.node.set(Path.of("ghost", "a"), "b1");
    b.node.set(Path.of("ghost", "c"), "b3");
    await waitFor(() => a.node.enumNode("ghost", true).length === 0, 5000, () => describeCluster(f.nodes));
    a.node.killNode("ghost");
    await waitFor(() => b.node.ledger.get("ghost") === undefined, 5000, () => describeCluster(f.nodes));
    await a.node.stop();
    await b.node.stop();
    f.nodes = [];

    // a alone, from its file: ghost's ticks were in the file's records before the drop
    const a2 = await startNode(f.broker.url, "a", { load: file, save: file });
    f.nodes.push(a2);
    expect(a2.node.ledger.get("ghost")).toBeUndefined();
    expect(a2.node.ledger.missing()).toEqual({});
    expect(a2.node.getState({ node_drop: true }).node_drop).toEqual(["ghost"]);
    expect(chainsName(a2, "ghost")).toBe(false);
    expect(dataOf(a2.node)).toMatchObject({ "ghost.a": "b1", "ghost.c": "b3" });
    expect(a2.node.mode).toBe("serving");
  });
});
