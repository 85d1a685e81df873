// The Serf benchmark: a node's ingest and a 3-node recovery on real Serf agents against the
// same on Mosquitto, in one run (contention hits both alike), with their ratios.
//
//   node --import tsx bench/serf.ts    (also part of npm run bench; --no-serf skips it)
//
// Ingest. N `update` messages (node "src", ticks 1..N) sent in-process as fast as the medium
// takes them: on Serf as user events to the node's own agent (its RPC, then the agent's stream
// to the node), on Mosquitto as QoS 0 publishes. Rate = N / time until the node applied all.
// Also: how fast events cross from one agent to another (the gossip itself), for scale.
//
// Recovery. Three nodes, each dropping 10 % of the messages it receives (LossyTransport);
// W writes spread over them; the time from the last write until all hold the same data and miss
// nothing, and the most `info {missing}` rounds one node needed. On Serf each node has its own
// agent; on Mosquitto all share the broker. (The ingest uses an agent outside that cluster.)

import { Path } from "../src/wire/path.js";
import { encodeValue } from "../src/wire/codec.js";
import { init } from "../src/core/range-set.js";
import { TicktockNode } from "../src/node/node.js";
import { MqttTransport } from "../src/transport/mqtt-transport.js";
import { LossyTransport } from "../src/transport/lossy-transport.js";
import { SerfTransport } from "../src/transport/serf/serf-transport.js";
import { SerfRpcClient } from "../src/transport/serf/rpc-client.js";
import type { GossipTransport } from "../src/transport/transport.js";
import mqtt from "mqtt";
import { startSerfAgents, stopSerfAgents, type SerfAgent } from "../test/support/serf-agents.js";
import { startBroker } from "./node.js";

export interface SerfBenchResults {
  ingest: { messages: number; serf: number; mqtt: number; ratio: number; runs: { serf: number[]; mqtt: number[] }; crossAgent: number };
  recovery: { nodes: number; writes: number; loss: number; serf: Recovery; mqtt: Recovery; ratio: number };
}

interface Recovery {
  recoverMs: number;
  maxRounds: number;
  resent: number;
  dropped: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const update = (tick: number) => encodeValue({ node: "src", tick, prev: null, path: Path.of("in", tick % 1000), value: tick, tock: tick });

async function until(ok: () => boolean, ms: number, what: string, state: () => string = () => ""): Promise<void> {
  const end = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`bench serf: ${what} not within ${ms} ms ${state()}`);
    await sleep(1);
  }
}

async function sink(transport: GossipTransport): Promise<TicktockNode> {
  const node = new TicktockNode({ name: "sink", transport, startupWait: 0, announceInterval: 0, missingDelay: 60_000, log: () => {} });
  await node.start();
  return node;
}

async function ingestSerf(agent: SerfAgent, n: number): Promise<number> {
  const node = await sink(new SerfTransport({ address: agent.rpc, log: () => {} }));
  const c = await SerfRpcClient.connect({ host: "127.0.0.1", port: agent.rpcPort });
  try {
    const payloads = Array.from({ length: n }, (_, i) => update(i + 1));
    const go = performance.now();
    // a window of events in flight: an agent's stream holds 512, beyond that it drops
    for (let i = 0; i < n; i += 200) {
      await Promise.all(payloads.slice(i, i + 200).map((p) => c.event("moat.kv.update", p)));
      await until(() => node.stats.updatesApplied >= Math.min(n, i + 200) - 200, 30_000, "serf ingest window");
    }
    await until(() => node.stats.updatesApplied >= n, 60_000, `serf ingest of ${n} (applied ${node.stats.updatesApplied})`);
    return n / ((performance.now() - go) / 1000);
  } finally {
    c.close();
    await node.stop();
  }
}

async function ingestMqtt(url: string, n: number): Promise<number> {
  const node = await sink(new MqttTransport({ url }));
  const c = await mqtt.connectAsync(url);
  try {
    const payloads = Array.from({ length: n }, (_, i) => Buffer.from(update(i + 1)));
    const go = performance.now();
    for (let i = 0; i < n; i += 200) {
      for (const p of payloads.slice(i, i + 200)) c.publish("moat/kv/update", p, { qos: 0 });
      await until(() => node.stats.updatesApplied >= Math.min(n, i + 200) - 200, 30_000, "mqtt ingest window");
    }
    await until(() => node.stats.updatesApplied >= n, 60_000, `mqtt ingest of ${n} (applied ${node.stats.updatesApplied})`);
    return n / ((performance.now() - go) / 1000);
  } finally {
    await c.endAsync();
    await node.stop();
  }
}

/** Events per second from one agent's RPC to another agent's stream (Serf's gossip alone). */
async function crossAgent(from: SerfAgent, to: SerfAgent, n: number): Promise<number> {
  const tx = await SerfRpcClient.connect({ host: "127.0.0.1", port: from.rpcPort });
  const rx = await SerfRpcClient.connect({ host: "127.0.0.1", port: to.rpcPort });
  let got = 0;
  try {
    await rx.stream("user:bench.cross", () => got++);
    const go = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => tx.event("bench.cross", new Uint8Array(400).fill(i & 0xff))));
    await until(() => got >= n, 60_000, `${n} events across agents (got ${got})`);
    return n / ((performance.now() - go) / 1000);
  } finally {
    tx.close();
    rx.close();
  }
}

async function recovery(transports: GossipTransport[], writes: number, loss: number): Promise<Recovery> {
  const nodes = transports.map((inner, i) => {
    const t = new LossyTransport(inner, { dropIn: loss });
    const logs: string[] = [];
    const node = new TicktockNode({ name: `r${i}`, transport: t, startupWait: 300, resendDelay: 50, announceInterval: 1000, idleAnnounce: 100, log: (_l, line) => void logs.push(`${Math.round(performance.now())} ${line}`) });
    return { node, t, logs };
  });
  await Promise.all(nodes.map((x) => x.node.start()));
  const before = nodes.map((x) => x.node.stats.missingRequests);
  for (let w = 0; w < writes; w++) {
    nodes[w % nodes.length]!.node.set(Path.of("r", `${w}`), "v".repeat(w % 7 === 0 ? 1200 : 20)); // every 7th in pieces on Serf
    if (w % 20 === 19) await sleep(1);
  }
  const end = performance.now();
  const key = (n: TicktockNode) => JSON.stringify(n.store.sorted().map((e) => [String(e.path), e.value]));
  await until(() => {
    const first = key(nodes[0]!.node);
    return nodes.every((x) => Object.keys(x.node.ledger.missing()).length === 0 && x.node.store.size === writes && key(x.node) === first);
  }, 120_000, "recovery", () => nodes.map((x) => `\n${x.node.name}: ${x.node.store.size} entries, missing ${JSON.stringify(x.node.ledger.missing())}, pieces ${JSON.stringify(x.node.pieceCache)}\n  ${x.logs.slice(-12).join("\n  ")}`).join(""));
  const r = {
    recoverMs: performance.now() - end,
    maxRounds: Math.max(...nodes.map((x, i) => x.node.stats.missingRequests - before[i]!)),
    resent: nodes.reduce((s, x) => s + x.node.stats.resent, 0),
    dropped: nodes.reduce((s, x) => s + x.t.dropped, 0),
  };
  await Promise.all(nodes.map((x) => x.node.stop()));
  return r;
}

export async function benchSerf(opts: { messages?: number; runs?: number; writes?: number } = {}): Promise<SerfBenchResults> {
  await init();
  // the ingest on an agent of its own: the cluster's agents would go on gossiping its thousands
  // of events (a dozen a second) into the recovery, whose nodes would then miss "src" ticks
  const [lone] = await startSerfAgents(1, 17600);
  const agents = await startSerfAgents(3, 17500);
  const broker = await startBroker();
  try {
    const n = opts.messages ?? 5000;
    const runs = { serf: [] as number[], mqtt: [] as number[] };
    for (let r = 0; r < (opts.runs ?? 3); r++) {
      runs.serf.push(await ingestSerf(lone!, n));
      runs.mqtt.push(await ingestMqtt(broker.url, n));
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const writes = opts.writes ?? 90, loss = 0.1;
    const mq = await recovery([0, 1, 2].map(() => new MqttTransport({ url: broker.url })), writes, loss);
    const sf = await recovery(agents.map((a) => new SerfTransport({ address: a.rpc, log: () => {} })), writes, loss);
    const cross = await crossAgent(agents[1]!, agents[2]!, 200);
    return {
      ingest: { messages: n, serf: med(runs.serf), mqtt: med(runs.mqtt), ratio: med(runs.serf) / med(runs.mqtt), runs, crossAgent: cross },
      recovery: { nodes: 3, writes, loss, serf: sf, mqtt: mq, ratio: sf.recoverMs / mq.recoverMs },
    };
  } finally {
    await broker.stop();
    await stopSerfAgents([lone!, ...agents]);
  }
}

export function printSerf(r: SerfBenchResults): void {
  const k = (x: number) => `${Math.round(x).toLocaleString("en")}`;
  const i = r.ingest, c = r.recovery;
  console.log(`\nSerf against Mosquitto (same run)`);
  console.log(`  ingest: ${k(i.serf)} updates/s through the node's own Serf agent, ${k(i.mqtt)} through Mosquitto; serf/mosquitto = ${i.ratio.toFixed(2)}`);
  console.log(`          runs serf ${i.runs.serf.map(k).join(", ")}; mosquitto ${i.runs.mqtt.map(k).join(", ")} (${k(i.messages)} updates each)`);
  console.log(`          between two agents Serf's gossip carried ${k(i.crossAgent)} events/s (400-byte payloads)`);
  console.log(`  recovery: ${c.nodes} nodes, ${c.writes} writes (every 7th in pieces), ${c.loss * 100}% loss`);
  for (const [name, x] of [["serf", c.serf], ["mosquitto", c.mqtt]] as const) {
    console.log(`            ${name}: converged ${k(x.recoverMs)} ms after the last write, at most ${x.maxRounds} info/missing requests on one node, ${k(x.resent)} re-sent, ${k(x.dropped)} dropped`);
  }
  console.log(`            serf/mosquitto recovery time = ${c.ratio.toFixed(1)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchSerf();
  printSerf(r);
  console.log(JSON.stringify(r, null, 2));
}
