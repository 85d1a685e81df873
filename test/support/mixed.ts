// Mixed clusters: upstream MoaT-KV servers and ticktock nodes on one Mosquitto, looked at through
// the client protocol only (get_tree, get_state), so that every server is judged the same way.
import { afterEach, beforeEach } from "vitest";
import { connectTcp } from "../../src/client/tcp.js";
import { serveTcp, type ClientServer } from "../../src/server/tcp-server.js";
import { startMosquitto, type Broker } from "./mosquitto.js";
import { upstreamFixture, type UpstreamOptions, type UpstreamServer } from "./upstream.js";
import { startNode, type TestNode } from "./cluster.js";
import { run, type Running } from "./cli.js";
import type { Msg } from "../../src/client/client.js";
import { Path } from "../../src/wire/path.js";
import { PathExpander } from "../../src/wire/relative-path.js";

/** A server of either kind, reachable on a loopback client port. */
export interface Member {
  name: string;
  port: number;
  /** Its log, for failure messages. */
  log(): string;
}

/** Run `fn` with a client connected to a member's client port. */
export async function withClient<T>(port: number, fn: (c: Awaited<ReturnType<typeof connectTcp>>) => Promise<T>): Promise<T> {
  const c = await connectTcp(`127.0.0.1:${port}`, { timeout: 15_000 });
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** One request to a member; a failure names the member and carries its log. */
export async function request(m: Member, action: string, fields: Msg): Promise<Msg> {
  try {
    return await withClient(m.port, (c) => c.request(action, fields));
  } catch (e) {
    throw new Error(`${action} on ${m.name} (port ${m.port}) failed: ${(e as Error).message}\n--- ${m.name} log:\n${m.log()}`);
  }
}

/** path text -> value of every entry below `root` (internal paths left out). */
export async function treeOf(port: number, root: Path = new Path()): Promise<Record<string, unknown>> {
  return withClient(port, async (c) => {
    const out: Record<string, unknown> = {};
    const paths = new PathExpander(root);
    for await (const item of c.stream("get_tree", { path: root, nchain: 0 })) {
      const p = paths.expand(item.path, item.depth as number);
      if ("value" in item) out[String(p)] = item.value;
    }
    return out;
  });
}

export async function stateOf(port: number, flags: Msg = { nodes: true, known: true, deleted: true, missing: true }): Promise<Msg> {
  return withClient(port, (c) => c.request("get_state", flags));
}

/** A value of exactly `size` bytes of UTF-8 text, different per label. */
export function valueOf(label: string, size: number): string {
  const head = `${label}:${size}:`;
  if (size <= head.length) return head.slice(0, size);
  let body = "";
  for (let i = 0; body.length < size - head.length; i++) body += String.fromCharCode(97 + ((i * 7 + label.length) % 26));
  return head + body.slice(0, size - head.length);
}

/** Describe how each member's data differs from `want`, for failure messages. */
export function diffData(want: Record<string, unknown>, got: Record<string, unknown>): string {
  const out: string[] = [];
  for (const k of Object.keys(want)) {
    if (!(k in got)) out.push(`lacks ${k}`);
    else if (got[k] !== want[k]) out.push(`${k} differs (${String(got[k]).length} vs ${String(want[k]).length} chars)`);
  }
  for (const k of Object.keys(got)) if (!(k in want)) out.push(`extra ${k}`);
  return out.join(", ");
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Poll `check` (a description of what is still wrong, "" when all is well) until it holds;
 * fail with the last description and the members' logs after `ms`.
 */
export async function eventually(check: () => Promise<string>, ms: number, members: Member[] = []): Promise<void> {
  const until = Date.now() + ms;
  let last = "";
  for (;;) {
    try {
      last = await check();
    } catch (e) {
      last = `check failed: ${(e as Error).message}`;
    }
    if (last === "") return;
    if (Date.now() > until) {
      const logs = members.map((m) => `--- ${m.name} (port ${m.port}) log:\n${m.log()}`).join("\n");
      throw new Error(`not reached within ${ms} ms: ${last}\n${logs}`);
    }
    await sleep(250);
  }
}

/** A ticktock node in this process with a TCP client port. */
export interface TtMember extends Member {
  t: TestNode;
  server: ClientServer;
}

/** A `ticktock node` process. */
export interface ProcMember extends Member {
  p: Running;
}

/** The actor timings of every member of a mixed cluster (upstream's default cycle is 10 s, gap 2 s). */
export const TEST_PING = { cycle: 3, gap: 1 } as const;

export const upMember = (s: UpstreamServer): Member => ({ name: s.name, port: s.port, log: () => s.log(40) });

/** Every member holds exactly `want` (below `root`) and misses no tick. */
export async function allHold(members: Member[], want: Record<string, unknown>, root: Path, ms = 60_000): Promise<void> {
  await eventually(async () => {
    const wrong: string[] = [];
    for (const m of members) {
      const d = diffData(want, await treeOf(m.port, root));
      const missing = JSON.stringify((await stateOf(m.port, { missing: true })).missing ?? {});
      if (d) wrong.push(`${m.name}: ${d}`);
      if (missing !== "{}") wrong.push(`${m.name} misses ${missing}`);
    }
    return wrong.join("; ");
  }, ms, members);
}

/** Each member's get_state `missing` equals `want`. */
export async function allMiss(members: Member[], want: Record<string, unknown>, ms = 30_000): Promise<void> {
  await eventually(async () => {
    const wrong: string[] = [];
    for (const m of members) {
      const got = JSON.stringify((await stateOf(m.port, { missing: true })).missing ?? {});
      if (got !== JSON.stringify(want)) wrong.push(`${m.name} misses ${got}`);
    }
    return wrong.join("; ");
  }, ms, members);
}

/**
 * A fresh Mosquitto per test (no gossip of one test reaches the next), upstream servers, ticktock
 * nodes in this process and `ticktock node` processes; everything is stopped after each test.
 */
export function mixedFixture() {
  const up = upstreamFixture();
  const tts: TtMember[] = [];
  const procs: Running[] = [];
  const f = {
    broker: undefined as unknown as Broker,
    up,
    /**
     * An upstream server on the test's broker with a quicker actor (pings every 3 s instead of
     * 10 s): a server that joins is ready as soon as it hears a live server's ping.
     */
    upstream(o: Omit<UpstreamOptions, "mqtt">): Promise<UpstreamServer> {
      return up.start({ ...o, mqtt: f.broker.url, server: { ping: { ...TEST_PING }, ...o.server } });
    },
    /** A ticktock node in this process, serving the client protocol on a free port, pinging as the upstream servers do. */
    async ticktock(name: string, opts: Parameters<typeof startNode>[2] = {}): Promise<TtMember> {
      const t = await startNode(f.broker.url, name, { startupWait: 1500, actor: { ...TEST_PING }, ...opts });
      const server = await serveTcp(t.node, { port: 0 });
      const m: TtMember = { name, port: server.port, t, server, log: () => t.logs.slice(-40).join("\n") };
      tts.push(m);
      return m;
    },
    /** A `ticktock node` process on the broker; resolves once it serves (or is maintainer-only). */
    async ticktockProcess(name: string, args: string[] = [], port = 0): Promise<ProcMember> {
      const ping = ["--ping-cycle", String(TEST_PING.cycle), "--ping-gap", String(TEST_PING.gap)];
      const p = run(["node", name, "--mqtt", f.broker.url, "--port", String(port), "--startup-wait", "1500", ...ping, ...args]);
      procs.push(p);
      const m = await p.waitFor(/client protocol on 127\.0\.0\.1:(\d+)/, 20_000);
      await p.waitFor(/serving|maintainer-only/, 30_000);
      return { name, port: Number(m[1]), p, log: () => p.stderr().split("\n").slice(-40).join("\n") };
    },
    /** up1 (-I), tt1 and tt2 in this process, then up2 joining with all three in its hostmap. */
    async fourServers() {
      const up1 = await f.upstream({ name: "up1", init: true });
      const tt1 = await f.ticktock("tt1");
      const tt2 = await f.ticktock("tt2");
      const up2 = await f.upstream({ name: "up2", hostmap: { up1: up1.port, tt1: tt1.port, tt2: tt2.port }, readyMs: 40_000 });
      return { up1, up2, tt1, tt2, members: [upMember(up1), upMember(up2), tt1, tt2] as Member[] };
    },
  };
  beforeEach(async () => {
    f.broker = await startMosquitto();
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) {
      if (p.proc.exitCode === null && p.proc.signalCode === null) {
        p.proc.kill("SIGKILL");
        await p.exited;
      }
    }
    for (const m of tts.splice(0)) {
      await m.server.close();
      await m.t.node.stop();
    }
    await f.broker.stop();
  });
  return f;
}
