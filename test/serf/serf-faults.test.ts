// What goes wrong on a Serf cluster, on real agents: a publisher that skips a tick (events sent
// straight to an agent) is seen as missing by every node and repaired with the seed's
// `ticktock internal mark -b`; garbage on every event name never crashes a node and the piece
// cache stays bounded; an event the agent refuses is logged naming the event.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { converged, describeCluster, waitFor } from "../support/cluster.js";
import { runToEnd } from "../support/cli.js";
import { sendEvents, startSerfAgents, startSerfNode, stopSerfAgents, type SerfAgent, type SerfTestNode } from "../support/serf-agents.js";
import { serveTcp, type ClientServer } from "../../src/server/tcp-server.js";
import { encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";
import { ACTIONS } from "../../src/transport/transport.js";

let agents: SerfAgent[] = [];
let nodes: SerfTestNode[] = [];
let server: ClientServer;
/** The test nodes' read limit: the piece cache holds at most this many bytes. */
const MAX_MESSAGE = 32 * 1024;

beforeAll(async () => {
  agents = await startSerfAgents(3, 17100);
  nodes = await Promise.all(agents.map((a, i) => startSerfNode(a, `f${i + 1}`, { maxMessage: MAX_MESSAGE })));
  server = await serveTcp(nodes[0]!.node, { host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await server?.close();
  await Promise.all(nodes.map((n) => n.node.stop()));
  await stopSerfAgents(agents);
});

const asTest = (ns: SerfTestNode[]) => ns.map((n) => ({ node: n.node, transport: undefined as never, logs: n.logs }));

describe("faults on a Serf cluster", () => {
  it("sees a publisher's skipped tick on every node and clears it with `ticktock internal mark -b`", async () => {
    await sendEvents(agents[2]!, [
      ["moat.kv.update", encodeValue({ node: "ghost", tick: 1, prev: null, path: Path.of("ghost", "a"), value: "g1", tock: 1 })],
      ["moat.kv.update", encodeValue({ node: "ghost", tick: 3, prev: null, path: Path.of("ghost", "c"), value: "g3", tock: 2 })],
    ]);
    await waitFor(() => nodes.every((n) => JSON.stringify(n.node.ledger.missing()) === '{"ghost":[2]}'), 10_000, () => describeCluster(asTest(nodes)));
    expect(nodes.map((n) => n.node.mode)).toEqual(["serving", "serving", "serving"]);
    const r = await runToEnd(["internal", "mark", "-b", "ghost", "--server", `127.0.0.1:${server.port}`]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => nodes.every((n) => Object.keys(n.node.ledger.missing()).length === 0), 10_000, () => describeCluster(asTest(nodes)));
    for (const n of nodes) expect(n.node.getState({ known: true }).known).toEqual({ ghost: [2] });
  });

  it("survives garbage on every event name, and keeps the piece cache bounded", async () => {
    const garbage: Uint8Array[] = [
      new Uint8Array([0xc1]), // never used in msgpack
      new TextEncoder().encode("hello, not msgpack"),
      new Uint8Array([0x92, 0x01]), // a list cut short
      encodeValue([1, 2, 3]),
      encodeValue("a string"),
      encodeValue({ node: 7, tick: "x", path: "not a path", value: 1 }),
      encodeValue({ node: "ghost", tick: -1, prev: null, path: Path.of("bad"), tock: 1 }),
      encodeValue({ missing: { ghost: "all" }, node: "ghost", tick: 0, tock: 1 }),
      encodeValue({ t: "ping", node: 3, value: "x" }),
      encodeValue({ _p0: ["forger", 1, 0, new Uint8Array(3)] }),
      encodeValue({ _p0: ["forger", 2, -1, "not bytes"] }),
      encodeValue({ _p0: ["forger", 3, -1, encodeValue([1])] }),
      encodeValue({ _p0: [1, 2] }),
      encodeValue({ _p0: ["forger", 4, 1, new Uint8Array(10)] }),
      encodeValue({ _p0: ["forger", 4, 1, new Uint8Array(11)] }), // contradicts the one before
    ];
    // a flood of first pieces of messages that never complete: 100 x ~420 bytes, over MAX_MESSAGE
    const flood = Array.from({ length: 100 }, (_, i) => encodeValue({ _p0: ["flooder", i + 10, 1, new Uint8Array(420).fill(i)] }));
    // sent to f1's agent, which hands them to f1 at once (the others get them by gossip, later)
    const [f1] = nodes;
    const events = [...ACTIONS.flatMap((action) => garbage.map((p) => [`moat.kv.${action}`, p] as [string, Uint8Array])), ...flood.map((p) => ["moat.kv.update", p] as [string, Uint8Array])];
    const before = f1!.serf.stats.received;
    await sendEvents(agents[0]!, events);
    let peak = 0;
    await waitFor(() => {
      peak = Math.max(peak, f1!.node.pieceCache.bytes);
      return f1!.serf.stats.received - before >= events.length;
    }, 10_000, () => `f1 received ${f1!.serf.stats.received - before} of ${events.length}`);
    expect(f1!.node.mode).toBe("serving");
    for (const action of ACTIONS) expect(f1!.logs.filter((l) => l.startsWith(`ticktock f1: dropped ${action}`)).length, action).toBeGreaterThanOrEqual(4);
    expect(f1!.logs.some((l) => l.includes("dropped update: not msgpack"))).toBe(true);
    expect(f1!.logs.some((l) => l.includes("dropped info from forger: piece index 0"))).toBe(true);
    expect(f1!.logs.some((l) => /message pieces: dropped incomplete message "flooder"/.test(l))).toBe(true);
    for (const n of nodes) expect(n.node.pieceCache.bytes).toBeLessThanOrEqual(MAX_MESSAGE);
    expect(peak).toBeLessThanOrEqual(MAX_MESSAGE);
    // and the cluster still works
    nodes[1]!.node.set(Path.of("after", "garbage"), "ok");
    await waitFor(() => nodes.every((n) => n.node.get(Path.of("after", "garbage"))?.value === "ok") && converged(asTest(nodes)), 10_000, () => describeCluster(asTest(nodes)));
  });

  it("logs an event the agent refuses, naming it", async () => {
    const n = nodes[0]!;
    n.serf.publishEvent("moat.kv.update", new Uint8Array(600));
    await waitFor(() => n.logs.some((l) => l.includes("refused")), 5000, () => n.logs.join("\n"));
    expect(n.logs.filter((l) => l.includes("refused"))).toEqual([
      `serf: the agent at ${agents[0]!.rpc} refused event "moat.kv.update" (600 bytes of payload): user event exceeds configured limit of 512 bytes before encoding`,
    ]);
    expect(n.serf.stats.refused).toBe(1);
    expect(n.serf.state).toBe("connected");
  });
});
