// Recovery under faults on a real Mosquitto broker: message loss (as upstream's own recovery
// test), a node killed and restarted from its state file, the broker restarted, and garbage.
import { describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { converged, dataOf, describeCluster, sleep, startNode, startNodes, waitFor, mosquittoFixture, type TestNode } from "../support/cluster.js";
import { encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

const f = mosquittoFixture();

describe("recovery", () => {
  it("converges with 5 to 20 percent of messages lost on ten nodes", async () => {
    const names = Array.from({ length: 10 }, (_, i) => `node${i}`);
    f.nodes = await startNodes(f.broker.url, names, { dropIn: (i) => 0.05 + (0.15 * i) / 9 });
    let written = 0;
    for (let round = 0; round < 30; round++) {
      for (const n of f.nodes) {
        n.node.set(Path.of("k", `${round % 13}`, n.node.name), round);
        written++;
      }
      await sleep(5);
    }
    await waitFor(() => converged(f.nodes), 30_000, () => describeCluster(f.nodes));
    const data = dataOf(f.nodes[0]!.node);
    expect(Object.keys(data).length).toBe(13 * 10);
    expect(f.nodes.reduce((n, x) => n + x.transport.dropped, 0)).toBeGreaterThan(written * 0.3);
    for (const n of f.nodes) expect(n.node.getState({ nodes: true }).nodes![n.node.name]).toBe(30);
    expect(f.nodes.some((n) => n.node.stats.resent > 0)).toBe(true);
  });

  it("restarts a killed node from its state file without losing a value", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ticktock-kill-")), "b.dkv");
    f.nodes = [await startNode(f.broker.url, "a"), await startNode(f.broker.url, "b", { save: file })];
    const [a, b] = f.nodes as [TestNode, TestNode];
    for (let i = 0; i < 40; i++) (i % 2 ? a : b).node.set(Path.of("v", `${i}`), i);
    await waitFor(() => converged(f.nodes), 5000, () => describeCluster(f.nodes));
    // kill b mid-stream: its connection drops, nothing is closed or flushed
    const stream = (async () => {
      for (let i = 40; i < 80; i++) {
        a.node.set(Path.of("v", `${i}`), i);
        if (i === 60) await b.transport.inner.close(); // b is gone from the broker
        await sleep(2);
      }
    })();
    await stream;
    const before = Object.keys(dataOf(b.node)).length;
    expect(before).toBeLessThan(80);
    // a new process would start from the same file: a new node object with --load/--save
    const b2 = await startNode(f.broker.url, "b", { load: file, save: file });
    f.nodes.push(b2);
    await waitFor(() => converged([a, b2]), 10_000, () => describeCluster([a, b2]));
    expect(Object.keys(dataOf(b2.node)).length).toBe(80);
    expect(b2.logs.some((l) => l.includes(`loaded ${file}`))).toBe(true);
    // b's own ticks came back from the file: its next change continues its tick sequence
    expect(b2.node.set(Path.of("after"), 1).tick).toBe(21);
  });

  it("reconnects after the broker restarts and recovers what it missed", async () => {
    f.nodes = await startNodes(f.broker.url, ["a", "b"]);
    const [a, b] = f.nodes as [TestNode, TestNode];
    a.node.set(Path.of("before"), 1);
    await waitFor(() => converged(f.nodes), 5000);
    await f.broker.kill();
    await waitFor(() => a.node.connection === "reconnecting" && b.node.connection === "reconnecting", 5000);
    a.node.set(Path.of("during"), 2); // nowhere to go but the client's queue
    await sleep(300);
    await f.broker.restart();
    await waitFor(() => a.node.connection === "connected" && b.node.connection === "connected", 10_000);
    b.node.set(Path.of("after"), 3);
    await waitFor(() => converged(f.nodes) && Object.keys(dataOf(b.node)).length === 3, 10_000, () => describeCluster(f.nodes));
    expect(a.logs.some((l) => l.includes("reconnected; announcing ticks to rejoin"))).toBe(true);
  });

  it("logs and drops garbage on every topic and keeps serving", async () => {
    f.nodes = await startNodes(f.broker.url, ["a", "b"]);
    const [a, b] = f.nodes as [TestNode, TestNode];
    a.node.set(Path.of("k"), "v");
    await waitFor(() => converged(f.nodes), 5000);
    const before = JSON.stringify(dataOf(b.node));
    const c = await mqtt.connectAsync(f.broker.url);
    const garbage: [string, Uint8Array | string][] = [];
    for (const topic of ["moat/kv/update", "moat/kv/info", "moat/kv/ping", "moat/kv/del"]) {
      garbage.push([topic, "not msgpack at all \xff"], [topic, encodeValue([1, 2, 3])], [topic, encodeValue("a string")], [topic, new Uint8Array([0xc1])]);
    }
    garbage.push(
      ["moat/kv/update", encodeValue({ node: 5, tick: "x", path: Path.of("k"), value: 1 })],
      ["moat/kv/update", encodeValue({ node: "a", tick: -4, prev: null, path: Path.of("k"), value: "evil" })],
      ["moat/kv/update", encodeValue({ node: "a", tick: 2n ** 63n, prev: null, path: Path.of("k"), value: "evil" })],
      ["moat/kv/update", encodeValue({ node: "a", tick: 9, prev: null, path: ["not", "a", "path"], value: "evil" })],
      ["moat/kv/info", encodeValue({ node: "x", missing: { a: [[5, 1]] } })],
      ["moat/kv/info", encodeValue({ node: "x", known: { a: [[1, 2n ** 64n]] } })],
      ["moat/kv/info", encodeValue({ node: "x", ticks: { a: -1 } })],
      ["moat/kv/info", encodeValue({ node: "x", deleted: "everything" })],
      ["moat/kv/ping", encodeValue({ t: "ping", node: "x", value: ["a", "b"] })],
    );
    for (const [topic, payload] of garbage) await c.publishAsync(topic, typeof payload === "string" ? payload : Buffer.from(payload));
    await c.endAsync();
    await waitFor(() => b.node.stats.dropped >= 20, 5000, () => `dropped ${b.node.stats.dropped}`);
    expect(JSON.stringify(dataOf(b.node))).toBe(before);
    expect(b.node.mode).toBe("serving");
    expect(b.node.ledger.missing()).toEqual({});
    const lines = b.logs.filter((l) => l.includes("dropped"));
    expect(lines.some((l) => /dropped update: not msgpack/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes("dropped update from a: update.tick -4 is not a tick"))).toBe(true);
    expect(lines.some((l) => l.includes("dropped info from x: missing.a: item 0 [5, 1] is not a range"))).toBe(true);
    expect(lines.some((l) => l.includes("dropped update from a: update.path is not a Path"))).toBe(true);
    // and the cluster still works
    a.node.set(Path.of("k2"), "v2");
    await waitFor(() => converged(f.nodes) && dataOf(b.node)["k2"] === "v2", 5000);
  });
});
