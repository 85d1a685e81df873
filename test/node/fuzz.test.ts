// A short, seeded fuzz campaign (a longer one runs in `npm run bench`): mutations of every
// recorded upstream message and random bytes on every gossip topic and on both client ports of a
// three-node cluster on a real Mosquitto. No node may crash (an uncaught error fails the run), the
// piece cache stays bounded, every client port still answers, and afterwards the nodes converge.
import { describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { connect } from "node:net";
import WebSocket from "ws";
import { converged, describeCluster, mosquittoFixture, sleep, startNodes, waitFor } from "../support/cluster.js";
import { clientCorpus, gossipCorpus, mutate, rng } from "../support/fuzz.js";
import { serveTcp } from "../../src/server/tcp-server.js";
import { serveWebSocket } from "../../src/server/ws-server.js";
import { connectTcp } from "../../src/client/tcp.js";
import { Path } from "../../src/wire/path.js";

const f = mosquittoFixture();
const SEED = Number(process.env.TICKTOCK_FUZZ_SEED ?? 20261201);

describe("fuzzing with mutated upstream messages", () => {
  it(`survives 3,000 gossip and 1,200 client messages (seed ${SEED}) and converges afterwards`, async () => {
    f.nodes = await startNodes(f.broker.url, ["fa", "fb", "fc"]);
    const tcp = await serveTcp(f.nodes[0]!.node, { port: 0 });
    const ws = await serveWebSocket(f.nodes[1]!.node, { port: 0 });
    f.servers.push(tcp, ws);
    for (const [i, n] of f.nodes.entries()) n.node.set(Path.of("before", `k${i}`), i);
    await waitFor(() => converged(f.nodes), 10_000, () => describeCluster(f.nodes));

    const r = rng(SEED);
    const gossip = gossipCorpus();
    const actions = [...gossip.keys()];
    const all = [...gossip.values()].flat();
    const pub = await mqtt.connectAsync(f.broker.url);
    for (let i = 0; i < 3000; i++) {
      const action = actions[Math.floor(r() * actions.length)]!;
      const corpus = r() < 0.8 ? gossip.get(action)! : all;
      const base = corpus[Math.floor(r() * corpus.length)]!;
      let bytes = mutate(base, all[Math.floor(r() * all.length)]!, r);
      if (r() < 0.3) bytes = mutate(bytes, base, r); // two mutations
      await pub.publishAsync(`moat/kv/${action}`, Buffer.from(bytes));
      if (i % 500 === 499) await sleep(50);
    }
    await pub.endAsync();

    // client ports: mutated requests, many on one connection (which may be closed on us), then new ones
    const requests = clientCorpus();
    const tcpSend = async (n: number) => {
      const s = connect({ port: tcp.port, host: "127.0.0.1" });
      s.on("error", () => {});
      s.on("data", () => {});
      await new Promise((res) => s.once("connect", res));
      for (let i = 0; i < n && !s.destroyed; i++) {
        const base = requests[Math.floor(r() * requests.length)]!;
        s.write(mutate(base, requests[Math.floor(r() * requests.length)]!, r));
      }
      await sleep(20);
      s.destroy();
    };
    for (let c = 0; c < 30; c++) await tcpSend(20);
    for (let c = 0; c < 20; c++) {
      const sock = new WebSocket(`ws://127.0.0.1:${ws.port}`);
      sock.on("error", () => {});
      await new Promise((res) => sock.once("open", res));
      for (let i = 0; i < 30; i++) {
        const base = requests[Math.floor(r() * requests.length)]!;
        if (sock.readyState === sock.OPEN) sock.send(mutate(base, requests[Math.floor(r() * requests.length)]!, r));
      }
      await sleep(10);
      sock.terminate();
    }
    await sleep(500);

    // nobody crashed or stopped, every port answers
    for (const n of f.nodes) {
      expect(n.node.mode).not.toBe("stopped");
      expect(n.node.pieceCache.messages).toBeLessThanOrEqual(1000);
      expect(n.node.pieceCache.bytes).toBeLessThanOrEqual(16 * 1024 * 1024);
    }
    const c = await connectTcp(`127.0.0.1:${tcp.port}`);
    expect((await c.request("get_state", { nodes: true })).node).toBe("fa");
    c.close();
    const dropped = f.nodes.reduce((s, n) => s + n.node.stats.dropped, 0);
    expect(dropped).toBeGreaterThan(1000); // most mutations are refused, each as one log line

    // Fuzzed messages that were valid may have changed the cluster as any client could (a
    // stranger's update, a mark, two different changes claiming one tick): entries they made can
    // differ between nodes. What must hold: the operator marks what is missing, the data from
    // before is intact everywhere, fresh writes through every node reach every node, and then
    // nothing is missing anywhere.
    await sleep(500);
    for (const [i, n] of f.nodes.entries()) n.node.set(Path.of("after", `k${i}`), `v${i}`);
    const healthy = () =>
      f.nodes.every((n) =>
        [0, 1, 2].every((i) => n.node.store.get(Path.of("before", `k${i}`))?.value === i && n.node.store.get(Path.of("after", `k${i}`))?.value === `v${i}`) &&
        Object.keys(n.node.ledger.missing()).length === 0);
    await waitFor(() => {
      for (const n of f.nodes) if (Object.keys(n.node.ledger.missing()).length) n.node.mark("", "missing", { broadcast: true });
      return healthy();
    }, 20_000, () => describeCluster(f.nodes));
    await sleep(1000); // and it stays so over a few announce rounds
    expect(healthy()).toBe(true);
  }, 120_000);
});
