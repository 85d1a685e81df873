// The node benchmark: how fast one node applies updates from a real broker, and how long a
// ten-node cluster with 10 percent message loss needs to recover after 10,000 writes.
//
//   node --import tsx bench/node.ts    (also part of npm run bench; --ingest-only: the ingest part alone)
//
// Ingest. A publisher process (bench/publisher.ts) sends N `update` messages (node "src", ticks
// 1..N, 1,000 paths) through Mosquitto (or the embedded broker when Mosquitto is not installed)
// to one node. Baseline in the same run, alternating with it: a bare MQTT subscriber that only
// counts the same messages, i.e. what broker and mqtt.js deliver at all. Ratio = node / bare.
//
// Recovery. Ten nodes, each dropping 10 % of the messages it receives; 10,000 writes spread
// over the nodes; then the time until every node holds the same data and misses nothing, and
// how many `info {missing}` requests the busiest node sent, and how many of them were retries
// (asking again for ticks asked for before; src/node/request-pacing.ts).

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { init } from "../src/core/range-set.js";
import { TicktockNode } from "../src/node/node.js";
import { MqttTransport } from "../src/transport/mqtt-transport.js";
import { LossyTransport } from "../src/transport/lossy-transport.js";
import { startEmbeddedBroker } from "../src/transport/embedded-broker.js";
import { Path } from "../src/wire/path.js";

export interface NodeBenchResults {
  broker: string;
  ingest: { messages: number; nodeRate: number; bareRate: number; ratio: number; runs: number[] };
  recovery: { nodes: number; writes: number; loss: number; dropped: number; writeMs: number; recoverMs: number; maxRetries: number; maxRequests: number; resent: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Mosquitto when installed (as in the tests), else the embedded aedes broker. */
export async function startBroker(): Promise<{ url: string; name: string; stop(): Promise<void> }> {
  if (existsSync("/usr/sbin/mosquitto")) {
    const port = await freePort();
    const conf = join(mkdtempSync(join(tmpdir(), "ticktock-bench-")), "m.conf");
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n`);
    const proc = spawn("/usr/sbin/mosquitto", ["-c", conf], { stdio: "ignore" });
    await sleep(300);
    return { url: `mqtt://127.0.0.1:${port}`, name: "mosquitto", stop: async () => void proc.kill("SIGKILL") };
  }
  const b = await startEmbeddedBroker(0);
  return { url: b.url, name: "aedes (embedded)", stop: b.close };
}

/** Run the publisher process; resolves with the time it said "go" (just before publishing). */
function publish(url: string, n: number): Promise<{ go: number; done: Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./publisher.ts", import.meta.url)), url, String(n)], { stdio: ["ignore", "pipe", "inherit"] });
  const done = new Promise<void>((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`publisher exited ${code}`)))));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("go")) resolve({ go: performance.now(), done });
    });
    child.on("error", reject);
  });
}

/** Messages per second a consumer gets through, from the publisher's "go" to the n-th message. */
async function rate(url: string, n: number, consumer: { count(): number; ready(): Promise<void>; stop(): Promise<void> }): Promise<number> {
  await consumer.ready();
  const { go, done } = await publish(url, n);
  let end = 0;
  while (consumer.count() < n) {
    if (performance.now() - go > 120_000) throw new Error(`ingest: ${consumer.count()} of ${n} messages after 120 s (lost in the broker?)`);
    await sleep(1);
  }
  end = performance.now();
  await done;
  await consumer.stop();
  return n / ((end - go) / 1000);
}

function nodeConsumer(url: string) {
  const node = new TicktockNode({ name: "sink", transport: new MqttTransport({ url }), startupWait: 0, announceInterval: 0, log: () => {} });
  return { count: () => node.stats.updatesApplied, ready: () => node.start(), stop: () => node.stop() };
}

function bareConsumer(url: string) {
  let c: mqtt.MqttClient | undefined;
  let n = 0;
  return {
    count: () => n,
    ready: async () => {
      c = await mqtt.connectAsync(url);
      c.on("message", () => n++);
      await c.subscribeAsync("moat/kv/update");
    },
    stop: async () => void (await c?.endAsync()),
  };
}

export async function recovery(url: string, writes: number, loss: number, count = 10): Promise<NodeBenchResults["recovery"]> {
  const nodes: { node: TicktockNode; t: LossyTransport }[] = [];
  for (let i = 0; i < count; i++) {
    const t = new LossyTransport(new MqttTransport({ url }), { dropIn: loss });
    nodes.push({
      t,
      node: new TicktockNode({
        name: `r${i}`, transport: t, startupWait: 300, missingDelay: 100, maxMissingDelay: 2000, resendDelay: 50, announceInterval: 500, idleAnnounce: 50, log: () => {},
      }),
    });
  }
  await Promise.all(nodes.map((x) => x.node.start()));
  const start = performance.now();
  for (let w = 0; w < writes; w++) {
    nodes[w % count]!.node.set(Path.of("r", `${w % 2000}`), w);
    if (w % 200 === 199) await sleep(1);
  }
  const writeEnd = performance.now();
  const retriesBefore = nodes.map((x) => x.node.stats.missingRetries);
  const requestsBefore = nodes.map((x) => x.node.stats.missingRequests);
  const key = (n: TicktockNode) => JSON.stringify(n.store.sorted().filter((e) => !e.deleted).map((e) => [String(e.path), e.value]));
  for (;;) {
    const first = key(nodes[0]!.node);
    if (nodes.every((x) => Object.keys(x.node.ledger.missing()).length === 0 && key(x.node) === first)) break;
    if (performance.now() - writeEnd > 120_000) throw new Error("recovery: no convergence within 120 s");
    await sleep(20);
  }
  const recoverMs = performance.now() - writeEnd;
  const result = {
    nodes: count, writes, loss, dropped: nodes.reduce((s, x) => s + x.t.dropped, 0), writeMs: writeEnd - start, recoverMs,
    maxRetries: Math.max(...nodes.map((x, i) => x.node.stats.missingRetries - retriesBefore[i]!)),
    maxRequests: Math.max(...nodes.map((x, i) => x.node.stats.missingRequests - requestsBefore[i]!)), resent: nodes.reduce((s, x) => s + x.node.stats.resent, 0),
  };
  await Promise.all(nodes.map((x) => x.node.stop()));
  return result;
}

/** `recovery: false`: the ingest part alone (its `recovery` figures are then all zero). */
export async function benchNode(opts: { messages?: number; runs?: number; writes?: number; recovery?: boolean } = {}): Promise<NodeBenchResults> {
  await init();
  const broker = await startBroker();
  try {
    const n = opts.messages ?? 50_000;
    const nodeRuns: number[] = [], bareRuns: number[] = [];
    for (let r = 0; r < (opts.runs ?? 3); r++) {
      nodeRuns.push(await rate(broker.url, n, nodeConsumer(broker.url)));
      bareRuns.push(await rate(broker.url, n, bareConsumer(broker.url)));
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const nodeRate = med(nodeRuns), bareRate = med(bareRuns);
    const rec = opts.recovery === false
      ? { nodes: 0, writes: 0, loss: 0, dropped: 0, writeMs: 0, recoverMs: 0, maxRetries: 0, maxRequests: 0, resent: 0 }
      : await recovery(broker.url, opts.writes ?? 10_000, 0.1);
    return {
      broker: broker.name,
      ingest: { messages: n, nodeRate, bareRate, ratio: nodeRate / bareRate, runs: nodeRuns },
      recovery: rec,
    };
  } finally {
    await broker.stop();
  }
}

/** A tick asked for in a first request and at most two retries: the retries bound the rounds any tick needed. */
export const recoveryPass = (r: NodeBenchResults): boolean => r.recovery.maxRetries <= 2;

export function printNode(r: NodeBenchResults): void {
  const k = (x: number) => `${Math.round(x).toLocaleString("en")}`;
  console.log(`\nNode (broker: ${r.broker})`);
  console.log(`  ingest: ${k(r.ingest.nodeRate)} updates/s applied by one node (median of ${r.ingest.runs.length}; runs ${r.ingest.runs.map(k).join(", ")})`);
  console.log(`          ${k(r.ingest.bareRate)} messages/s seen by a bare subscriber (baseline); node/baseline = ${r.ingest.ratio.toFixed(2)}`);
  console.log(`  recovery: ${r.recovery.nodes} nodes, ${k(r.recovery.writes)} writes in ${k(r.recovery.writeMs)} ms, ${r.recovery.loss * 100}% loss (${k(r.recovery.dropped)} messages dropped)`);
  console.log(`            converged ${k(r.recovery.recoverMs)} ms after the last write, after at most ${1 + r.recovery.maxRetries} rounds for any tick (${r.recovery.maxRetries} retries, ${r.recovery.maxRequests} info/missing requests on the busiest node); ${k(r.recovery.resent)} updates re-sent in all`);
  console.log(`  ${r.ingest.nodeRate >= 20_000 ? "PASS" : "MISS"}  ingest >= 20,000 updates/s per node`);
  console.log(`  ${recoveryPass(r) ? "PASS" : "MISS"}  recovery within three rounds (a first request and at most two retries of any tick)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // --ingest-only: the ingest part alone (issue 13's goal 5), without the ten-node recovery
  const r = await benchNode({ recovery: !process.argv.includes("--ingest-only") });
  printNode(r);
  console.log(JSON.stringify(r, null, 2));
}
