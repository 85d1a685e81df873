// Real upstream MoaT-KV 0.70.22 servers (Python) for interoperability tests.
//
// The global set-up (test/setup/global.ts) unpacks ../shared/upstream-moat-kv into the git-ignored
// .cache/upstream-moat-kv and provides its `kv` launcher here; in a clone on its own it provides
// the reason instead and these tests are skipped (with CI set, the set-up fails the run instead).
//
//   const up = upstreamFixture();               // servers started in a test are killed after it
//   const s1 = await up.start({ name: "test1", mqtt: broker.url, init: true });
//   await s1.kv(["data", "a", "set", "-e", ":", "1"]);
//
// Every server gets its own YAML config and log file in a temporary folder. A server is ready
// when its client port accepts connections; one that exits first, or is not ready in time,
// fails the test with its last log lines. Servers are stopped by PID, and any left when the
// test process exits are killed.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, describe, inject } from "vitest";
import { stringify } from "yaml";
import { freePort } from "./mosquitto.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The upstream `kv` launcher, or why upstream servers cannot run here. */
    upstream: { kv: string } | { skip: string };
  }
}

export interface UpstreamOptions {
  name: string;
  /** mqtt://127.0.0.1:PORT of the broker. */
  mqtt: string;
  /** Client port (default: a free one). */
  port?: number;
  /** `-I Testing`: the first server of a new cluster initialises it. */
  init?: boolean;
  /** Where the other servers' client ports are (upstream's `hostmap`, used to copy data). */
  hostmap?: Record<string, number>;
  /**
   * Load this state file at start (`-l`), save to this one (`-s`), incrementally (`-i`).
   * Upstream 0.70.22's `-s` crashes at start-up (IndexError in run_saver: it looks for the saver
   * before the saver's task has run); start saving with `kv log dest FILE` once ready instead.
   */
  load?: string;
  save?: string;
  incremental?: boolean;
  /** More `kv.server` config (merged). */
  server?: Record<string, unknown>;
  /** The MQTT root path (default moat.kv). */
  root?: string;
  /** Wait for the client port this long, ms (default 20,000). */
  readyMs?: number;
  /** Do not wait for the client port (a server that joins and is still waiting for pings). */
  noWait?: boolean;
  /** Python loggers to write to the log at DEBUG level (e.g. `moat.kv.server.NAME`). */
  debugLoggers?: string[];
}

export interface KvResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface UpstreamServer {
  name: string;
  port: number;
  pid: number;
  /** Its YAML config file. */
  config: string;
  proc: ChildProcess;
  /** The last `n` lines of its log. */
  log(n?: number): string;
  /** Resolves when the client port accepts connections; rejects with the log if it exits first. */
  ready(ms?: number): Promise<void>;
  /** The upstream CLI against this server: `kv -c CONFIG -p PORT ARGS...`. */
  kv(args: string[], opts?: { timeout?: number; input?: string }): Promise<KvResult>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after a second. */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

export const UPSTREAM = inject("upstream");
export const UPSTREAM_VERSION = "0.70.22";

// Python compiles upstream's sources at every start unless it may keep the bytecode, and this
// machine's environment forbids that (PYTHONDONTWRITEBYTECODE=1): 0.7 s per CLI call instead of
// 0.4 s, and the CLI test makes ~200 of them. Every upstream process started from a test (they
// inherit this environment) keeps its bytecode beside the unpacked sources, out of the tree.
if ("kv" in UPSTREAM) {
  delete process.env.PYTHONDONTWRITEBYTECODE;
  process.env.PYTHONPYCACHEPREFIX ??= join(dirname(dirname(UPSTREAM.kv)), "upstream-pycache");
}

/** `describe` that runs only where upstream servers can run (the reason is printed once by the set-up). */
export function describeUpstream(name: string, fn: () => void): void {
  describe.skipIf("skip" in UPSTREAM)(`${name} (upstream MoaT-KV ${UPSTREAM_VERSION})`, fn);
}

function kvPath(): string {
  if ("skip" in UPSTREAM) throw new Error(`upstream MoaT-KV is not available: ${UPSTREAM.skip}`);
  return UPSTREAM.kv;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of running) if (p.exitCode === null) p.kill("SIGKILL");
});

function tail(file: string, n: number): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-n - 1).join("\n");
  } catch {
    return "(no log)";
  }
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ port, host: "127.0.0.1" }, () => {
      c.destroy(); // sends nothing: upstream logs a client error for any stray byte
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });
}

/** Run the upstream CLI with a timeout; a hang is killed and reported with what it printed. */
export function runKv(args: string[], opts: { timeout?: number; input?: string } = {}): Promise<KvResult> {
  const ms = opts.timeout ?? 20_000;
  return new Promise((resolve, reject) => {
    const p = spawn(kvPath(), args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    p.stdout!.on("data", (d) => (stdout += d));
    p.stderr!.on("data", (d) => (stderr += d));
    p.stdin!.end(opts.input ?? "");
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      reject(new Error(`upstream kv ${args.join(" ")} hung for ${ms} ms; stdout:\n${stdout}\nstderr:\n${stderr.split("\n").slice(-20).join("\n")}`));
    }, ms);
    p.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A `logging` config (Python's dictConfig) that writes these loggers at DEBUG to stderr. */
function debugLogging(loggers: string[]): Record<string, unknown> {
  return {
    version: 1,
    formatters: { plain: { format: "%(asctime)s %(name)s %(levelname)s %(message)s" } },
    handlers: { stderr: { class: "logging.StreamHandler", formatter: "plain", level: "DEBUG" } },
    loggers: Object.fromEntries(loggers.map((l) => [l, { level: "DEBUG", handlers: ["stderr"], propagate: false }])),
  };
}

export async function startUpstream(o: UpstreamOptions): Promise<UpstreamServer> {
  const kv = kvPath();
  const dir = mkdtempSync(join(tmpdir(), `ticktock-upstream-${o.name}-`));
  const port = o.port ?? (await freePort());
  const config = join(dir, `${o.name}.yaml`);
  const hostmap: Record<string, [string, number]> = { [o.name]: ["127.0.0.1", port] };
  for (const [n, p] of Object.entries(o.hostmap ?? {})) hostmap[n] = ["127.0.0.1", p];
  writeFileSync(config, stringify({
    kv: {
      conn: { host: "127.0.0.1", port },
      server: {
        backend: "mqtt",
        mqtt: { uri: o.mqtt },
        bind: [{}],
        bind_default: { host: "127.0.0.1", port, ssl: false },
        ...(o.root ? { root: o.root } : {}),
        ...o.server,
      },
      hostmap,
    },
    ...(o.debugLoggers?.length ? { logging: debugLogging(o.debugLoggers) } : {}),
  }));
  const logFile = join(dir, `${o.name}.log`);
  const args = ["-c", config, "server"];
  if (o.init) args.push("-I", "Testing");
  if (o.load) args.push("-l", o.load);
  if (o.save) args.push("-s", o.save);
  if (o.incremental) args.push("-i", "1"); // upstream's -i takes a value (any text turns it on)
  args.push(o.name);
  const fd = openSync(logFile, "a");
  const proc = spawn(kv, args, { stdio: ["ignore", fd, fd] });
  running.add(proc);
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => {
    running.delete(proc);
    resolve(code);
  }));
  const log = (n = 30) => tail(logFile, n);
  const s: UpstreamServer = {
    name: o.name, port, pid: proc.pid!, config, proc, log, exited,
    async ready(ms = o.readyMs ?? 20_000) {
      const until = Date.now() + ms;
      for (;;) {
        if (proc.exitCode !== null || proc.signalCode !== null) {
          throw new Error(`upstream server ${o.name} exited (${proc.exitCode ?? proc.signalCode}) before it listened on ${port}; its log:\n${log()}`);
        }
        if (await listening(port)) return;
        if (Date.now() > until) throw new Error(`upstream server ${o.name} did not listen on 127.0.0.1:${port} within ${ms} ms; its log:\n${log()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    kv: (a, opts) => runKv(["-c", config, "-p", String(port), ...a], opts),
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 1000);
      await exited;
      clearTimeout(t);
    },
  };
  if (!o.noWait) {
    try {
      await s.ready();
    } catch (e) {
      await s.kill();
      throw e;
    }
  }
  return s;
}

/** Upstream servers for a test file: `start()` them in a test; they are killed after it. */
export function upstreamFixture() {
  const started: UpstreamServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.kill()));
  });
  afterAll(async () => {
    await Promise.all(started.splice(0).map((s) => s.kill()));
  });
  return {
    servers: started,
    async start(o: UpstreamOptions): Promise<UpstreamServer> {
      const s = await startUpstream({ ...o, noWait: true });
      started.push(s);
      if (!o.noWait) await s.ready();
      return s;
    },
  };
}
