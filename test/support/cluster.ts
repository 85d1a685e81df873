// Nodes on a real broker for integration tests, with fast timings and captured logs.
import { afterAll, afterEach, beforeAll } from "vitest";
import { init } from "../../src/core/range-set.js";
import { startMosquitto, type Broker } from "./mosquitto.js";
import { TicktockNode, type NodeOptions } from "../../src/node/node.js";
import { MqttTransport } from "../../src/transport/mqtt-transport.js";
import { LossyTransport } from "../../src/transport/lossy-transport.js";
import { fsStorage } from "../../src/node/state-file-fs.js";

/** Timings that make recovery quick enough for tests (defaults are for real clusters). */
export const FAST = { startupWait: 300, missingDelay: 60, maxMissingDelay: 800, resendDelay: 40, announceInterval: 400, idleAnnounce: 50 } as const;

export interface TestNode {
  node: TicktockNode;
  transport: LossyTransport;
  logs: string[];
}

export async function startNode(url: string, name: string, opts: Partial<NodeOptions> & { dropIn?: number } = {}): Promise<TestNode> {
  await init();
  const transport = new LossyTransport(new MqttTransport({ url, backoff: { initial: 100, max: 1000 } }), { dropIn: opts.dropIn ?? 0 });
  const logs: string[] = [];
  const node = new TicktockNode({ ...FAST, storage: fsStorage, ...opts, name, transport, log: (_level, line) => logs.push(line) });
  await node.start();
  return { node, transport, logs };
}

export async function startNodes(url: string, names: string[], opts: Partial<NodeOptions> & { dropIn?: number | ((i: number) => number) } = {}): Promise<TestNode[]> {
  return Promise.all(names.map((n, i) => startNode(url, n, { ...opts, dropIn: typeof opts.dropIn === "function" ? opts.dropIn(i) : opts.dropIn })));
}

export async function stopAll(nodes: TestNode[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.node.stop()));
}

/** Poll until `ok()` holds; fail with `describe()` after `ms`. */
export async function waitFor(ok: () => boolean, ms: number, describe: () => string = () => ""): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** path -> value of every live entry, for comparing nodes. */
export function dataOf(n: TicktockNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of n.store.sorted()) if (!e.deleted) out[String(e.path)] = e.value;
  return out;
}

/** JSON with big integers (values may be any msgpack). */
const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x));

/** Every node holds the same data and misses nothing. */
export function converged(nodes: TestNode[]): boolean {
  const first = json(dataOf(nodes[0]!.node));
  return nodes.every((n) => json(dataOf(n.node)) === first && Object.keys(n.node.ledger.missing()).length === 0);
}

export function describeCluster(nodes: TestNode[]): string {
  return nodes
    .map((n) => `${n.node.name} [${n.node.mode}] entries=${Object.keys(dataOf(n.node)).length} missing=${JSON.stringify(n.node.ledger.missing())}`)
    .join("; ");
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A Mosquitto broker for a test file, and the nodes and servers a test starts (stopped after
 * each test). Use as `const f = mosquittoFixture();` then `f.broker`, `f.nodes`, `f.servers`.
 */
export function mosquittoFixture(opts: { websocketPort?: number } = {}) {
  const f = { broker: undefined as unknown as Broker, nodes: [] as TestNode[], servers: [] as { close(): Promise<void> }[] };
  beforeAll(async () => {
    f.broker = await startMosquitto(opts);
  });
  afterAll(async () => {
    await f.broker.stop();
  });
  afterEach(async () => {
    for (const s of f.servers) await s.close();
    await stopAll(f.nodes);
    f.nodes = [];
    f.servers = [];
  });
  return f;
}
