// A node's Delete actor: its messages on <root>/del are upstream's to the byte, it follows the
// deleter-list entry (None, "actor", "del") however that arrives, and it marks deletions.
import { beforeAll, expect, it } from "vitest";
import { init } from "../../src/core/range-set.js";
import { Log } from "../../src/node/log.js";
import { DELETER_PATH, NodeDeleter, deleterNodes } from "../../src/node/node-deleter.js";
import { offlineNode } from "../../src/node/offline.js";
import { Path } from "../../src/wire/path.js";
import { mqttMessages } from "../support/captures.js";

beforeAll(async () => {
  await init();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

it("starts with upstream's init and vers on del, byte for byte, and pings not while listening", () => {
  const recorded = mqttMessages().filter((m) => m.topic.endsWith("/del") && m.msg.node === "test1").map((m) => m.hex);
  expect(recorded.length).toBe(2);
  const sent: string[] = [];
  const d = new NodeDeleter({ name: "test1", publish: (p) => sent.push(hex(p)), log: new Log("t", () => {}), tock: () => 1, purge: () => {}, resync: () => {} });
  d.start();
  d.stop();
  expect(sent).toEqual(recorded);
  expect(d.actor.enabled).toBe(false);
});

it("reads the deleter list as upstream's CLI writes it, and old bare lists", () => {
  expect(deleterNodes({ nodes: ["a", "b"] })).toEqual(["a", "b"]);
  expect(deleterNodes(["a"])).toEqual(["a"]);
  expect(deleterNodes({ nodes: "x" })).toEqual([]);
  expect(deleterNodes(7)).toEqual([]);
});

it("follows the deleter-list entry and marks deletions of a node", () => {
  const n = offlineNode([], "me");
  const d = n.deleter!;
  n.importUpdate({ node: "up1", tick: 1, prev: null, path: DELETER_PATH, value: { nodes: ["me", "up1"] }, tock: 3 });
  expect(d.nodes).toEqual(["me", "up1"]);
  expect(d.rules.nNodes).toBe(2);
  expect(d.rules.enabled).toBe(true);
  n.importUpdate({ node: "a", tick: 1, prev: null, path: Path.of("x"), value: 1, tock: 4 });
  n.importUpdate({ node: "b", tick: 1, prev: { node: "a", tick: 1, prev: null }, path: Path.of("x"), tock: 5 });
  d.rules.flush();
  expect(d.rules.backlog).toEqual({ batches: 1, ticks: 2 });
  n.importUpdate({ node: "up1", tick: 2, prev: null, path: DELETER_PATH, value: { nodes: ["up1"] }, tock: 6 });
  expect(d.rules.enabled).toBe(false);
  expect(d.rules.nNodes).toBe(1);
  // the internal entry stays out of the data tree
  expect(n.store.walk(new Path()).filter((w) => w.path.elements[0] === null).map((w) => w.path.length)).toEqual([1]); // only the `:n` node upstream lists
  d.stop();
});
