// Three ticktock nodes, each on its own real Serf agent, no broker: they converge after writes
// through all of them (values from 1 byte to 64 KB, which Serf's ~480-byte events can carry
// only in `_p0` pieces), and Serf's reordered, duplicated and late events cost no requests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { converged, dataOf, describeCluster, waitFor } from "../support/cluster.js";
import { sendEvents, startSerfAgents, startSerfNode, stopSerfAgents, type SerfAgent, type SerfTestNode } from "../support/serf-agents.js";
import { Path } from "../../src/wire/path.js";
import { encodeValue } from "../../src/wire/codec.js";
import { rng } from "../support/prng.js";

let agents: SerfAgent[] = [];
let nodes: SerfTestNode[] = [];

beforeAll(async () => {
  agents = await startSerfAgents(3, 17000);
  nodes = await Promise.all(agents.map((a, i) => startSerfNode(a, `serf${i + 1}`)));
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.node.stop()));
  await stopSerfAgents(agents);
});

const asTest = (ns: SerfTestNode[]) => ns.map((n) => ({ node: n.node, transport: undefined as never, logs: n.logs }));
/** Sizes each node writes; node 0 adds a 64 KB value (~150 events: Serf carries about 20 a second between two agents). */
const SIZES = [1, 100, 449, 450, 451, 1000, 4096];
const BIG = 65_536;

describe("a ticktock cluster on three Serf agents", () => {
  it("converges after writes through every node, values from 1 byte to 64 KB", async () => {
    expect(nodes.map((n) => n.node.mode)).toEqual(["serving", "serving", "serving"]);
    for (const [i, n] of nodes.entries()) for (const size of SIZES) n.node.set(Path.of("n", i, size), String(i).repeat(size));
    nodes[0]!.node.set(Path.of("n", 0, BIG), "0".repeat(BIG));
    const all = asTest(nodes);
    await waitFor(() => converged(all) && Object.keys(dataOf(nodes[2]!.node)).length === 3 * SIZES.length + 1, 30_000, () => describeCluster(all));
    for (const n of nodes) for (let i = 0; i < 3; i++) for (const size of SIZES) expect(n.node.get(Path.of("n", i, size))?.value).toBe(String(i).repeat(size));
    for (const n of nodes) expect(n.node.get(Path.of("n", 0, BIG))?.value).toBe("0".repeat(BIG));
    // every event went out in one piece the agent accepted
    for (const n of nodes) expect(n.serf.stats.refused).toBe(0);
    for (const n of nodes) expect(n.logs.filter((l) => /refused|dropped/.test(l))).toEqual([]);
  });

  it("takes reordered, duplicated and late events without a storm of requests (a hasty node asks more)", async () => {
    // a fourth node with MQTT's quick missing delay, for contrast
    const hasty = await startSerfNode(agents[0]!, "hasty", { missingDelay: 60 });
    try {
      const before = nodes.map((n) => n.node.stats.missingRequests);
      const update = (tick: number) => ["moat.kv.update", encodeValue({ node: "ghost2", tick, prev: null, path: Path.of("ghost2", tick), value: tick, tock: 1000 + tick })] as [string, Uint8Array];
      const random = rng(12);
      const ticks = Array.from({ length: 30 }, (_, i) => i + 1);
      const burst = [...ticks, ...ticks.filter(() => random() < 0.5)].sort(() => random() - 0.5).map(update); // shuffled, half twice
      await sendEvents(agents[2]!, burst);
      await new Promise((r) => setTimeout(r, 500)); // ticks 31-33 come half a second after 34-36
      await sendEvents(agents[2]!, [34, 35, 36].map(update));
      await new Promise((r) => setTimeout(r, 500));
      await sendEvents(agents[2]!, [31, 32, 33].map(update));
      const all = asTest([...nodes, hasty]);
      await waitFor(() => all.every((n) => n.node.ledger.get("ghost2")?.tick === 36 && Object.keys(n.node.ledger.missing()).length === 0), 15_000, () => describeCluster(all));
      // usually none; on a loaded machine Serf may hold an event back past the 1 s delay: then one
      // or two requests, not a storm (the ghost cannot answer, so a node asks until it arrives)
      const asked = nodes.map((n, i) => n.node.stats.missingRequests - before[i]!);
      expect(Math.max(...asked), `requests per node ${asked}, hasty ${hasty.node.stats.missingRequests}`).toBeLessThanOrEqual(2);
      expect(hasty.node.stats.missingRequests).toBeGreaterThan(Math.max(...asked));
    } finally {
      await hasty.node.stop();
    }
  });
});
