// The node memory benchmark: what one node costs in memory, per entry and idle, and against
// upstream MoaT-KV 0.70.22 holding the same data in the same run.
//
//   node --import tsx bench/node-memory.ts     (also part of npm run bench; --no-memory skips it)
//
// Per entry. A child process (bench/node-memory-child.mjs, the built code without a TypeScript
// loader) feeds one node 10k, 100k and 1M `update` messages to distinct paths through a transport
// that only hands them over; heap and RSS after a full gc, before and after. "Beyond its strings":
// the heap per entry less the V8 size of its path's own string, the last element, which no other
// entry shares (values are small integers, which take no heap of their own; the parent element
// "bench" is the same for all, and a node holds it once).
//
// Idle. Three of the CLI's nodes (`ticktock node idleN --mqtt URL`, no embedded broker) 12 s
// after they serve (and at 1.5 s); the median is the figure (one reading in four or five lands
// ~1.3 MB above the others, V8 having kept another heap page or so). Beside them, in the same
// run: `node -e` doing nothing, what Node itself takes; and the floor (bench/idle-floor.ts):
// mqtt.js connected and subscribed, the WebAssembly core and a listening port, bundled and started
// as the command is, what an idle node holds that is not ticktock's own.
//
// Against upstream. Mosquitto, one upstream server (`kv server -I`) and one ticktock node (the
// CLI), both on the same broker; a publisher sends 20,000 updates to distinct paths; once both
// have seen the last one (get_state), the RSS of each process (/proc/PID/status) 12 s after the
// publisher is done (and at 1 s). Skipped, with a line saying why, where the upstream server is
// not shipped (../shared/upstream-moat-kv).

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { connectTcp } from "../src/client/tcp.js";
import { bundleForNode } from "../scripts/build-cli.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const UPSTREAM_SETUP = resolve(ROOT, "../shared/upstream-moat-kv/setup.sh");
const UPSTREAM_DEST = join(ROOT, ".cache/upstream-moat-kv");
const MOSQUITTO = "/usr/sbin/mosquitto";
/**
 * When a process's memory is read: this long after it serves (idle) or after the last update
 * (against upstream). V8's memory reducer collects what start-up or a burst left behind about 8 s
 * after allocation stops; before that, an idle node's RSS holds 2-3 MB of garbage. The earlier
 * reading is printed beside it.
 */
const SETTLE_MS = 12_000;

export interface EntryMemory {
  entries: number;
  /** Heap per entry, bytes; and less the entry's path strings. */
  heapPerEntry: number;
  heapBeyondStrings: number;
  rssPerEntry: number;
  /** The child's RSS and heap with all entries held, bytes. */
  rss: number;
  heap: number;
  /** Time to apply the updates (encoding them included), ms. */
  ms: number;
}

export interface ProcessMemory {
  rss: number;
  anon: number;
  file: number;
}

export interface NodeMemoryResults {
  perEntry: EntryMemory[];
  /**
   * The median of IDLE_NODES nodes SETTLE_MS after they serve (`nodes`, each), and 1.5 s after
   * (`early`, the median), before V8 has collected start-up's garbage; `node -e` and the floor
   * (bench/idle-floor.ts) read at the same moment.
   */
  idle: { node: ProcessMemory; nodes: ProcessMemory[]; early: ProcessMemory; bareNode: ProcessMemory; floor: ProcessMemory };
  upstream: {
    /** Both SETTLE_MS after the publisher is done; `early`, 1 s after. */
    entries: number; ticktock: ProcessMemory; upstream: ProcessMemory; early: { ticktock: ProcessMemory; upstream: ProcessMemory };
    /** When each had seen the last update, ms after the publisher started; and how many it lacks (lost in the broker). */
    ticktockMs: number; upstreamMs: number; ticktockMissing: number; upstreamMissing: number;
  } | { skipped: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

async function listening(port: number, ms: number, proc: ChildProcess, what: string): Promise<void> {
  const until = performance.now() + ms;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`node memory: ${what} exited (${proc.exitCode ?? proc.signalCode}) before it listened on ${port}`);
    const ok = await new Promise<boolean>((res) => {
      const c = createConnection({ port, host: "127.0.0.1" }, () => {
        c.destroy();
        res(true);
      });
      c.once("error", () => res(false));
    });
    if (ok) return;
    if (performance.now() > until) throw new Error(`node memory: ${what} did not listen on 127.0.0.1:${port} within ${ms} ms`);
    await sleep(100);
  }
}

/** RSS of a process from /proc (Linux): all, anonymous (heaps), file-backed (the binary's pages). */
function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile") };
}

function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((res) => proc.once("exit", () => res()));
  proc.kill("SIGKILL");
  return exited;
}

function perEntry(n: number): Promise<EntryMemory> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ["--expose-gc", fileURLToPath(new URL("./node-memory-child.mjs", import.meta.url)), String(n)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d));
    child.on("exit", (code) => {
      if (code !== 0) return rej(new Error(`node memory: the child for ${n} entries exited ${code}`));
      const r = JSON.parse(out) as { entries: number; ms: number; before: { heap: number; rss: number }; after: { heap: number; rss: number }; pathStrings: number };
      const heapPer = (r.after.heap - r.before.heap) / n;
      res({ entries: n, heapPerEntry: heapPer, heapBeyondStrings: heapPer - r.pathStrings / n, rssPerEntry: (r.after.rss - r.before.rss) / n, rss: r.after.rss, heap: r.after.heap, ms: r.ms });
    });
  });
}

async function startMosquitto(): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const conf = join(mkdtempSync(join(tmpdir(), "ticktock-bench-mem-")), "m.conf");
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n`);
  const proc = spawn(MOSQUITTO, ["-c", conf], { stdio: "ignore" });
  await listening(port, 5000, proc, "mosquitto");
  return { url: `mqtt://127.0.0.1:${port}`, proc };
}

/** The CLI's node on a broker, serving its client port. */
async function startTicktock(name: string, url: string): Promise<{ proc: ChildProcess; port: number }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(ROOT, "bin/ticktock.js"), "node", name, "--mqtt", url, "--port", String(port), "--startup-wait", "0"], { stdio: "ignore" });
  await listening(port, 20_000, proc, `ticktock node ${name}`);
  return { proc, port };
}

/** How many idle nodes are read; the median is the figure. */
const IDLE_NODES = 3;

const medianByRss = (ms: ProcessMemory[]) => [...ms].sort((a, b) => a.rss - b.rss)[ms.length >> 1]!;

/** The floor under an idle node (bench/idle-floor.ts), bundled as the command is, listening on its port. */
async function startFloor(url: string): Promise<ChildProcess> {
  const js = join(ROOT, "dist/bench/idle-floor.js");
  await bundleForNode(join(ROOT, "bench/idle-floor.ts"), js);
  const port = await freePort();
  const proc = spawn(process.execPath, [js, url, String(port)], { stdio: ["ignore", "ignore", "inherit"] });
  await listening(port, 20_000, proc, "the idle floor (bench/idle-floor.ts)");
  return proc;
}

async function idle(url: string): Promise<NodeMemoryResults["idle"]> {
  const procs: ChildProcess[] = [];
  try {
    const kept = (p: ChildProcess) => (procs.push(p), p);
    const [floor, ...nodes] = await Promise.all([startFloor(url).then(kept), ...Array.from({ length: IDLE_NODES }, (_, i) => startTicktock(`idle${i}`, url).then((t) => kept(t.proc)))]);
    const bare = kept(spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" }));
    await sleep(1500);
    const early = medianByRss(nodes.map((p) => processMemory(p.pid!)));
    await sleep(SETTLE_MS - 1500);
    const each = nodes.map((p) => processMemory(p.pid!));
    return { node: medianByRss(each), nodes: each, early, bareNode: processMemory(bare.pid!), floor: processMemory(floor.pid!) };
  } finally {
    await Promise.all(procs.map(stop));
  }
}

/**
 * Until the server at `port` has seen node "src"'s tick `last` (get_state): updates are applied
 * in order, so it has then applied every one that reached it. Gives up 30 s after the tick last
 * moved. Returns the time since `since` and how many of the ticks it lacks (lost on the way).
 */
async function caughtUp(port: number, last: number, since: number): Promise<{ ms: number; missing: number; tick: number }> {
  const c = await connectTcp(`127.0.0.1:${port}`);
  try {
    let tick = 0, moved = performance.now(), ms = 0;
    for (;;) {
      const r = await c.request("get_state", { nodes: true });
      const t = Number((r.nodes as Record<string, unknown> | undefined)?.src ?? 0);
      if (t !== tick) (tick = t), (moved = performance.now()), (ms = moved - since);
      if (tick >= last || performance.now() - moved > 30_000) break;
      await sleep(50);
    }
    const m = await c.request("get_state", { missing: true });
    const ranges = ((m.missing as Record<string, [number, number][]> | undefined)?.src ?? []);
    return { ms, tick, missing: ranges.reduce((n, [a, b]) => n + (b - a), 0) + (last - tick) };
  } finally {
    c.close();
  }
}

async function againstUpstream(url: string, entries: number): Promise<NodeMemoryResults["upstream"]> {
  if (!existsSync(UPSTREAM_SETUP)) return { skipped: `${UPSTREAM_SETUP} not found (a clone on its own)` };
  execFileSync("bash", [UPSTREAM_SETUP, UPSTREAM_DEST], { stdio: ["ignore", "ignore", "inherit"] });
  const upPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "ticktock-bench-upstream-"));
  const config = join(dir, "up1.yaml");
  writeFileSync(config, stringify({
    kv: {
      conn: { host: "127.0.0.1", port: upPort },
      server: { backend: "mqtt", mqtt: { uri: url }, bind: [{}], bind_default: { host: "127.0.0.1", port: upPort, ssl: false } },
      hostmap: { up1: ["127.0.0.1", upPort] },
    },
  }));
  const up = spawn(join(UPSTREAM_DEST, "kv"), ["-c", config, "server", "-I", "Testing", "up1"], { stdio: "ignore" });
  let tt: { proc: ChildProcess; port: number } | undefined;
  try {
    await listening(upPort, 30_000, up, "the upstream server");
    tt = await startTicktock("tt1", url);
    await sleep(1000);
    const go = performance.now();
    const pub = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./publisher.ts", import.meta.url)), url, String(entries), "distinct"], { stdio: ["ignore", "ignore", "inherit"] });
    const [ticktockSeen, upstreamSeen] = await Promise.all([caughtUp(tt.port, entries, go), caughtUp(upPort, entries, go)]);
    await new Promise((res) => (pub.exitCode === null ? pub.once("exit", res) : res(undefined)));
    await sleep(1000);
    const early = { ticktock: processMemory(tt.proc.pid!), upstream: processMemory(up.pid!) };
    await sleep(SETTLE_MS - 1000);
    return {
      entries, ticktock: processMemory(tt.proc.pid!), upstream: processMemory(up.pid!), early,
      ticktockMs: ticktockSeen.ms, upstreamMs: upstreamSeen.ms, ticktockMissing: ticktockSeen.missing, upstreamMissing: upstreamSeen.missing,
    };
  } finally {
    await Promise.all([stop(up), tt ? stop(tt.proc) : undefined]);
  }
}

export async function benchNodeMemory(opts: { sizes?: number[]; upstreamEntries?: number } = {}): Promise<NodeMemoryResults> {
  const sizes = opts.sizes ?? [10_000, 100_000, 1_000_000];
  const per: EntryMemory[] = [];
  for (const n of sizes) per.push(await perEntry(n));
  if (!existsSync(MOSQUITTO)) throw new Error(`node memory: ${MOSQUITTO} is not installed (the idle and upstream figures need a broker of their own)`);
  const broker = await startMosquitto();
  try {
    const idleMem = await idle(broker.url);
    const upstream = await againstUpstream(broker.url, opts.upstreamEntries ?? 20_000);
    return { perEntry: per, idle: idleMem, upstream };
  } finally {
    await stop(broker.proc);
  }
}

const MB = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

export function printNodeMemory(r: NodeMemoryResults): void {
  console.log("\nNode memory (heap and RSS after a full gc; values are small integers)");
  for (const e of r.perEntry) {
    console.log(`  ${e.entries.toLocaleString("en").padStart(9)} entries: heap ${e.heapPerEntry.toFixed(0)} B/entry (${e.heapBeyondStrings.toFixed(0)} beyond its path strings), RSS ${e.rssPerEntry.toFixed(0)} B/entry; process RSS ${MB(e.rss)}, heap ${MB(e.heap)}; applied in ${(e.ms / 1000).toFixed(1)} s`);
  }
  const i = r.idle;
  const range = i.nodes.map((m) => m.rss).sort((a, b) => a - b);
  console.log(`  idle node (CLI, --mqtt, no embedded broker), ${SETTLE_MS / 1000} s after it serves, median of ${i.nodes.length}: RSS ${MB(i.node.rss)} (anonymous ${MB(i.node.anon)}, file-backed ${MB(i.node.file)}; the ${i.nodes.length}: ${range.map(MB).join(", ")}); at 1.5 s ${MB(i.early.rss)}`);
  console.log(`          floor (mqtt.js subscribed, the wasm core, a listening port; bench/idle-floor.ts): ${MB(i.floor.rss)} (${MB(i.floor.anon)} + ${MB(i.floor.file)}), so ticktock's own ${MB(i.node.rss - i.floor.rss)}; node -e doing nothing: ${MB(i.bareNode.rss)} (${MB(i.bareNode.anon)} + ${MB(i.bareNode.file)})`);
  if ("skipped" in r.upstream) console.log(`  against upstream: skipped (${r.upstream.skipped})`);
  else {
    const u = r.upstream;
    console.log(`  after ${u.entries.toLocaleString("en")} gossip updates to distinct paths: ticktock RSS ${MB(u.ticktock.rss)} (anonymous ${MB(u.ticktock.anon)}), upstream ${MB(u.upstream.rss)} (anonymous ${MB(u.upstream.anon)}); ticktock/upstream = ${(u.ticktock.rss / u.upstream.rss).toFixed(2)} (${SETTLE_MS / 1000} s after the last update; at 1 s: ${MB(u.early.ticktock.rss)} vs ${MB(u.early.upstream.rss)})`);
    console.log(`          caught up ${(u.ticktockMs / 1000).toFixed(2)} s (ticktock) and ${(u.upstreamMs / 1000).toFixed(2)} s (upstream) after the publisher started; updates lacking: ${u.ticktockMissing} and ${u.upstreamMissing}`);
  }
}

/** The memory targets of issue 13, goal 4. */
export function nodeMemoryTargets(r: NodeMemoryResults): { target: string; pass: boolean; detail: string }[] {
  const out = [];
  if (!("skipped" in r.upstream)) {
    const u = r.upstream;
    out.push({ target: `node RSS after ${u.entries.toLocaleString("en")} entries <= upstream's`, pass: u.ticktock.rss <= u.upstream.rss, detail: `${MB(u.ticktock.rss)} vs ${MB(u.upstream.rss)}` });
  }
  out.push({ target: "idle node (no embedded broker) < 50 MB RSS", pass: r.idle.node.rss < 50e6, detail: `${MB(r.idle.node.rss)}, median of ${r.idle.nodes.length} (floor: mqtt.js, the core and a port ${MB(r.idle.floor.rss)}; Node itself ${MB(r.idle.bareNode.rss)})` });
  for (const e of r.perEntry) out.push({ target: `node heap < 200 B/entry beyond its path strings at ${e.entries.toLocaleString("en")} entries`, pass: e.heapBeyondStrings < 200, detail: `${e.heapBeyondStrings.toFixed(0)} B` });
  const million = r.perEntry.find((e) => e.entries === 1_000_000);
  if (million) out.push({ target: "a node holding 1,000,000 entries fits in 512 MB", pass: million.rss <= 512 * 2 ** 20, detail: `RSS ${MB(million.rss)}` });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const r = await benchNodeMemory(sizes.length ? { sizes } : {});
  printNodeMemory(r);
  for (const t of nodeMemoryTargets(r)) console.log(`${t.pass ? "PASS" : "MISS"}  ${t.target}: ${t.detail}`);
  console.log(JSON.stringify(r, null, 2));
}
