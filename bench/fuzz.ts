// The long fuzz campaign (the short one is test/node/fuzz.test.ts): two `ticktock node`
// processes on Mosquitto (or the embedded broker), mutations of every recorded upstream message
// and random bytes on every gossip topic and on both client ports. Reported: messages tried,
// crashes (a node process that exits), each node's RSS before, at its peak and 35 s after (when the
// pieces of incomplete split messages have expired), and
// whether the two still converge afterwards.
//
//   node --import tsx bench/fuzz.ts    (also part of npm run bench; --no-fuzz skips it)

import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import mqtt from "mqtt";
import WebSocket from "ws";
import { run, type Running } from "../test/support/cli.js";
import { freePort, startMosquitto } from "../test/support/mosquitto.js";
import { clientCorpus, gossipCorpus, mutate, rng } from "../test/support/fuzz.js";
import { connectTcp } from "../src/client/tcp.js";
import { Path } from "../src/wire/path.js";

export interface FuzzResults {
  seed: number;
  gossip: number;
  client: number;
  crashes: number;
  rssMB: { node: string; before: number; peak: number; after: number }[];
  converged: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssOf = (p: Running) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.proc.pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
};

export async function benchFuzz(seed = 20261201, gossipCount = 50_000, clientCount = 10_000): Promise<FuzzResults> {
  if (!existsSync("/usr/sbin/mosquitto")) throw new Error("bench/fuzz.ts needs Mosquitto (/usr/sbin/mosquitto)");
  const broker = await startMosquitto();
  const nodes: { name: string; p: Running; port: number; ws: number }[] = [];
  try {
    for (const name of ["fz1", "fz2"]) {
      const port = await freePort();
      const ws = await freePort();
      const p = run(["node", name, "--mqtt", broker.url, "--port", String(port), "--ws-port", String(ws), "--startup-wait", "300"]);
      await p.waitFor(/serving/, 20_000);
      nodes.push({ name, p, port, ws });
    }
    const before = nodes.map((n) => rssOf(n.p));
    const peak = [...before];
    const sample = () => nodes.forEach((n, i) => (peak[i] = Math.max(peak[i]!, rssOf(n.p))));

    const r = rng(seed);
    const gossip = gossipCorpus();
    const actions = [...gossip.keys()];
    const all = [...gossip.values()].flat();
    const pub = await mqtt.connectAsync(broker.url);
    for (let i = 0; i < gossipCount; i++) {
      const action = actions[Math.floor(r() * actions.length)]!;
      const corpus = r() < 0.8 ? gossip.get(action)! : all;
      const base = corpus[Math.floor(r() * corpus.length)]!;
      let bytes = mutate(base, all[Math.floor(r() * all.length)]!, r);
      if (r() < 0.3) bytes = mutate(bytes, base, r);
      pub.publish(`moat/kv/${action}`, Buffer.from(bytes));
      if (i % 1000 === 999) {
        await sleep(20);
        sample();
      }
    }
    await pub.endAsync();

    const requests = clientCorpus();
    const req = () => mutate(requests[Math.floor(r() * requests.length)]!, requests[Math.floor(r() * requests.length)]!, r);
    let sent = 0;
    while (sent < clientCount) {
      const n = nodes[sent % 2]!;
      if ((sent / 25) % 2 < 1) {
        const s = connect({ port: n.port, host: "127.0.0.1" });
        s.on("error", () => {});
        s.on("data", () => {});
        await new Promise((res) => s.once("connect", res));
        for (let i = 0; i < 25 && !s.destroyed; i++) s.write(req());
        await sleep(5);
        s.destroy();
      } else {
        const w = new WebSocket(`ws://127.0.0.1:${n.ws}`);
        w.on("error", () => {});
        await new Promise((res) => w.once("open", res));
        for (let i = 0; i < 25 && w.readyState === w.OPEN; i++) w.send(req());
        await sleep(5);
        w.terminate();
      }
      sent += 25;
      if (sent % 1000 === 0) sample();
    }
    // incomplete split messages the fuzz left are let go after 30 s (message-pieces.ts)
    await sleep(35_000);
    sample();
    const crashes = nodes.filter((n) => n.p.proc.exitCode !== null || n.p.proc.signalCode !== null).length;
    const after = nodes.map((n) => rssOf(n.p));

    // afterwards: mark what the fuzz left missing, write through both, both hold both writes
    let converged = false;
    if (crashes === 0) {
      const clients = await Promise.all(nodes.map((n) => connectTcp(`127.0.0.1:${n.port}`)));
      try {
        for (const [i, c] of clients.entries()) {
          await c.request("set_value", { path: Path.of("fuzz", "after", `k${i}`), value: i }).catch(() => {});
        }
        for (let t = 0; t < 100 && !converged; t++) {
          let ok = true;
          for (const c of clients) {
            const st = await c.request("get_state", { missing: true });
            if (Object.keys((st.missing as object) ?? {}).length) {
              ok = false;
              await c.request("fake_info", { known: st.missing }).catch(() => {}); // internal mark
            }
            for (const i of [0, 1]) if ((await c.request("get_value", { path: Path.of("fuzz", "after", `k${i}`) }).catch(() => ({ value: undefined }))).value !== i) ok = false;
          }
          converged = ok;
          if (!ok) await sleep(200);
        }
      } finally {
        for (const c of clients) c.close();
      }
    }
    return { seed, gossip: gossipCount, client: sent, crashes, rssMB: nodes.map((n, i) => ({ node: n.name, before: before[i]!, peak: peak[i]!, after: after[i]! })), converged };
  } finally {
    for (const n of nodes) n.p.proc.kill("SIGKILL");
    await broker.stop();
  }
}

export function printFuzz(f: FuzzResults): void {
  console.log(`\n## fuzz campaign (seed ${f.seed}): ${f.gossip} gossip messages, ${f.client} client messages, 2 node processes on Mosquitto`);
  console.log(`crashes: ${f.crashes}; converged afterwards: ${f.converged ? "yes" : "no"}`);
  for (const r of f.rssMB) console.log(`${r.node}: RSS ${r.before.toFixed(1)} MB before, ${r.peak.toFixed(1)} MB at the peak, ${r.after.toFixed(1)} MB 35 s after (${((r.after / r.before - 1) * 100).toFixed(0)}% above before)`);
}

if (import.meta.url === `file://${process.argv[1]}`) printFuzz(await benchFuzz());
