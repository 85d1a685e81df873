// A node whose Serf agent is SIGKILLed and restarted reconnects, says so in one line, and
// catches up without losing anything written meanwhile on either side.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { converged, dataOf, describeCluster, waitFor } from "../support/cluster.js";
import { startSerfAgents, startSerfNode, stopSerfAgents, waitForMembers, type SerfAgent, type SerfTestNode } from "../support/serf-agents.js";
import { Path } from "../../src/wire/path.js";

let agents: SerfAgent[] = [];
let nodes: SerfTestNode[] = [];

beforeAll(async () => {
  agents = await startSerfAgents(3, 17400);
  nodes = await Promise.all(agents.map((a, i) => startSerfNode(a, `crash${i + 1}`)));
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.node.stop()));
  await stopSerfAgents(agents);
});

const asTest = (ns: SerfTestNode[]) => ns.map((n) => ({ node: n.node, transport: undefined as never, logs: n.logs }));

describe("a Serf agent's crash", () => {
  it("survives an agent's crash: the node says so once, reconnects, and nothing written meanwhile is lost", async () => {
    const [a, b] = [nodes[0]!, nodes[1]!];
    await agents[1]!.kill();
    await waitFor(() => b.node.connection === "reconnecting", 5000, () => b.logs.join("\n"));
    // writes on both sides of the outage: b's are held or re-sent, a's reach b after its return
    for (let k = 0; k < 5; k++) {
      a.node.set(Path.of("outage", "a", k), `a${k}`);
      b.node.set(Path.of("outage", "b", k), `b${k}`);
    }
    b.node.set(Path.of("outage", "big"), "x".repeat(5000));
    await new Promise((r) => setTimeout(r, 600)); // a few failed reconnects (backoff 100 ms up to 1 s)
    await agents[1]!.restart();
    await waitForMembers(agents, 3);
    await waitFor(() => b.node.connection === "connected", 5000, () => b.logs.join("\n"));
    const all = asTest(nodes);
    await waitFor(() => converged(all) && Object.keys(dataOf(a.node)).length === 11, 20_000, () => describeCluster(all));
    for (const n of nodes) {
      for (let k = 0; k < 5; k++) expect([n.node.get(Path.of("outage", "a", k))?.value, n.node.get(Path.of("outage", "b", k))?.value]).toEqual([`a${k}`, `b${k}`]);
      expect(n.node.get(Path.of("outage", "big"))?.value).toBe("x".repeat(5000));
    }
    // one line for the loss (not one per failed attempt), one for the return
    expect(b.logs.filter((l) => /serf agent at .* lost/.test(l))).toHaveLength(1);
    expect(b.logs.filter((l) => /retrying with backoff/.test(l))).toEqual([]);
    expect(b.logs.filter((l) => /reconnected; announcing ticks/.test(l))).toHaveLength(1);
  });

});
