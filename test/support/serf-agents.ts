// Real Serf agents for a test: on loopback with -profile=local, gossip and RPC ports from
// 17000-17999 (never Serf's defaults, where Debian's package may run a service), joined into
// one cluster, polled until every member is alive; stopped with SIGINT to each agent's own PID.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerfRpcClient } from "../../src/transport/serf/rpc-client.js";
import { SerfTransport, type SerfTransportOptions } from "../../src/transport/serf/serf-transport.js";
import { TicktockNode, type NodeOptions } from "../../src/node/node.js";
import { init } from "../../src/core/range-set.js";
import { fsStorage } from "../../src/node/state-file-fs.js";
import { FAST } from "./cluster.js";

/** The agent binary (test/setup/global.ts installs it from Debian when missing). */
export const SERF = "/usr/bin/serf";

export interface SerfAgent {
  name: string;
  /** The RPC address, 127.0.0.1:PORT (what --serf takes). */
  rpc: string;
  rpcPort: number;
  bindPort: number;
  /** Crash it (SIGKILL) and return once it is gone. */
  kill(): Promise<void>;
  /** Start it again on the same ports, rejoining the others; resolves once its RPC answers. */
  restart(): Promise<void>;
  /** SIGINT, as an operator would (leaves the cluster). */
  stop(): Promise<void>;
  log(): string;
}

export interface SerfAgentOptions {
  /** rpc_auth key. */
  authKey?: string;
  /** user_event_size_limit (default Serf's 512). */
  eventSizeLimit?: number;
}

/** Ports free on 127.0.0.1 in [from, to), `count` of them (a test file's own slice of the range). */
async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

async function freePorts(from: number, to: number, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let p = from; p < to && out.length < count; p++) if (await isFree(p)) out.push(p);
  if (out.length < count) throw new Error(`serf agents: fewer than ${count} free ports in ${from}-${to - 1} on 127.0.0.1`);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll an agent's RPC until it answers (connects and handshakes). */
async function waitForRpc(host: string, port: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const c = await SerfRpcClient.connect({ host, port, connectTimeout: 1000 });
      c.close();
      return;
    } catch (e) {
      if (Date.now() > until) throw new Error(`serf agent RPC on ${host}:${port} did not answer within ${ms} ms: ${(e as Error).message}`);
      await sleep(50);
    }
  }
}

/**
 * Start `count` agents, each joined to the first, on ports from `base` (each test file takes its
 * own 100-port slice of 17000-17999: gossip ports base.., RPC ports base+50..). Resolves once every
 * agent sees every other alive.
 */
export async function startSerfAgents(count: number, base: number, opts: SerfAgentOptions = {}): Promise<SerfAgent[]> {
  const binds = await freePorts(base, base + 50, count);
  const rpcs = await freePorts(base + 50, base + 100, count);
  const dir = mkdtempSync(join(tmpdir(), "ticktock-serf-"));
  const config: Record<string, unknown> = {};
  if (opts.authKey !== undefined) config.rpc_auth = opts.authKey;
  if (opts.eventSizeLimit !== undefined) config.user_event_size_limit = opts.eventSizeLimit;
  const configFile = join(dir, "agent.json");
  writeFileSync(configFile, JSON.stringify(config));
  const agents: SerfAgent[] = [];
  for (let i = 0; i < count; i++) {
    const name = `agent${i + 1}-${binds[i]}`;
    const bindPort = binds[i]!, rpcPort = rpcs[i]!;
    const args = [
      "agent", `-node=${name}`, `-bind=127.0.0.1:${bindPort}`, `-rpc-addr=127.0.0.1:${rpcPort}`, "-profile=local", `-config-file=${configFile}`, "-log-level=warn",
    ];
    let proc: ChildProcess | undefined;
    let log = "";
    const launch = async (join: number[]) => {
      proc = spawn(SERF, [...args, ...join.map((p) => `-join=127.0.0.1:${p}`)], { stdio: ["ignore", "pipe", "pipe"] });
      proc.stdout!.on("data", (d) => (log = (log + d).slice(-20_000)));
      proc.stderr!.on("data", (d) => (log = (log + d).slice(-20_000)));
      await waitForRpc("127.0.0.1", rpcPort);
    };
    const signal = async (sig: NodeJS.Signals) => {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        p.once("exit", () => resolve());
        p.kill(sig);
      });
    };
    // the first agent starts alone, each next one joins those before it; a restarted one joins the others
    agents.push({
      name, rpc: `127.0.0.1:${rpcPort}`, rpcPort, bindPort,
      kill: () => signal("SIGKILL"),
      restart: () => launch(binds.filter((_, j) => j !== i)),
      stop: () => signal("SIGINT"),
      log: () => log,
    });
    await launch(binds.slice(0, i));
  }
  await waitForMembers(agents, count, opts.authKey);
  return agents;
}

/** Poll every agent's members until each sees `alive` members alive. */
export async function waitForMembers(agents: SerfAgent[], alive: number, authKey?: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  for (const a of agents) {
    for (;;) {
      const c = await SerfRpcClient.connect({ host: "127.0.0.1", port: a.rpcPort, authKey });
      const members = await c.members().finally(() => c.close());
      const n = members.filter((m) => m.Status === "alive").length;
      if (n >= alive) break;
      if (Date.now() > until) throw new Error(`serf agent ${a.name} sees ${n} of ${alive} members alive after ${ms} ms: ${members.map((m) => `${m.Name} ${m.Status}`).join(", ")}`);
      await sleep(50);
    }
  }
}

export async function stopSerfAgents(agents: SerfAgent[]): Promise<void> {
  await Promise.all(agents.map((a) => a.stop()));
}

/**
 * A ticktock node on an agent, with the quick timings of cluster.ts except the missing delay:
 * that stays the Serf transport's own (SERF_GOSSIP), which is what keeps reordering from
 * looking like loss.
 */
export async function startSerfNode(agent: SerfAgent, name: string, opts: Partial<NodeOptions> = {}, transportOpts: Partial<SerfTransportOptions> = {}): Promise<SerfTestNode> {
  await init();
  const logs: string[] = [];
  const serf = new SerfTransport({ address: agent.rpc, backoff: { initial: 100, max: 1000 }, log: (l) => logs.push(l), ...transportOpts });
  const { missingDelay: _fastDelay, ...fast } = { ...FAST, maxMissingDelay: 5000 };
  const node = new TicktockNode({ ...fast, storage: fsStorage, ...opts, name, transport: serf, log: (_level, line) => logs.push(line) });
  await node.start();
  return { node, serf, logs };
}

export interface SerfTestNode {
  node: TicktockNode;
  serf: SerfTransport;
  logs: string[];
}

/** Send raw user events straight to an agent (a publisher that is no ticktock node, or garbage). */
export async function sendEvents(agent: SerfAgent, events: [name: string, payload: Uint8Array][]): Promise<void> {
  const c = await SerfRpcClient.connect({ host: "127.0.0.1", port: agent.rpcPort });
  try {
    await Promise.all(events.map(([n, p]) => c.event(n, p)));
  } finally {
    c.close();
  }
}
