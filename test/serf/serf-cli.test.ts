// `ticktock node --serf` and `ticktock watch --serf` as a user runs them: two nodes on two real
// agents with rpc_auth (the key read with --serf-auth-file) share data with no broker; a wrong
// key is one clear line; the flags' usage errors name what is wrong.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, runToEnd, type Running } from "../support/cli.js";
import { startSerfAgents, stopSerfAgents, type SerfAgent } from "../support/serf-agents.js";

const KEY = "ticktock-serf-test-key";
let agents: SerfAgent[] = [];
const dir = mkdtempSync(join(tmpdir(), "ticktock-serf-cli-"));
const keyFile = join(dir, "serf.key");
const procs: Running[] = [];

beforeAll(async () => {
  writeFileSync(keyFile, `${KEY}\n`);
  agents = await startSerfAgents(2, 17300, { authKey: KEY });
});
afterAll(async () => {
  for (const p of procs) if (p.proc.exitCode === null) p.proc.kill("SIGTERM");
  await Promise.all(procs.map((p) => p.exited));
  await stopSerfAgents(agents);
});

describe("ticktock node and watch with --serf", () => {
  it("two nodes on two agents share data, and watch follows them", async () => {
    const a = run(["node", "cli-a", "--serf", agents[0]!.rpc, "--serf-auth-file", keyFile, "--port", "0", "--startup-wait", "200"]);
    const b = run(["node", "cli-b", "--serf", agents[1]!.rpc, "--serf-auth-file", keyFile, "--port", "0", "--startup-wait", "200"]);
    const w = run(["watch", "--serf", agents[1]!.rpc, "--serf-auth-file", keyFile, "--json"]);
    procs.push(a, b, w);
    const [, portA] = await a.waitFor(/client protocol on 127\.0\.0\.1:(\d+)/);
    const [, portB] = await b.waitFor(/client protocol on 127\.0\.0\.1:(\d+)/);
    expect(a.stderr()).toContain(`connecting to the Serf agent at ${agents[0]!.rpc}`);
    await a.waitFor(/serving/);
    await b.waitFor(/serving/);
    const set = await runToEnd(["data", "via.serf", "set", "-v", ":", "hello", "--server", `127.0.0.1:${portA}`]);
    expect(set.code, set.stderr).toBe(0);
    const deadline = Date.now() + 10_000;
    let got = "";
    while (Date.now() < deadline) {
      got = (await runToEnd(["data", "via.serf", "get", "--server", `127.0.0.1:${portB}`])).stdout;
      if (got.includes("hello")) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(got).toContain("hello");
    await w.waitFor(/"name": ?"cli-a", ?"tick": ?1/);
  });

  it("says in one line that the agent refused a wrong key", async () => {
    const bad = join(dir, "bad.key");
    writeFileSync(bad, "not-the-key");
    const n = run(["node", "cli-bad", "--serf", agents[0]!.rpc, "--serf-auth-file", bad, "--port", "0"]);
    procs.push(n);
    await n.waitFor(/refused auth: Invalid authentication token; retrying with backoff/);
    n.proc.kill("SIGTERM");
    expect(await n.exited).toBe(0);
    expect(n.stderr().match(/refused auth/g)).toHaveLength(1);
  });

  const usage: [string[], string][] = [
    [["node", "x", "--serf", "127.0.0.1:7373", "--mqtt", "mqtt://127.0.0.1:1883"], "--serf and --mqtt exclude each other: gossip goes through a Serf agent or an MQTT broker, not both"],
    [["watch", "--serf", "127.0.0.1:7373", "--mqtt", "mqtt://127.0.0.1:1883"], "--serf and --mqtt exclude each other"],
    [["node", "x", "--serf", "localhost"], '--serf: agent address "localhost" is not HOST:PORT (the agent\'s -rpc-addr, e.g. 127.0.0.1:7373)'],
    [["node", "x", "--serf-auth-file", "k"], "--serf-auth-file is the key of a Serf agent's RPC: give --serf HOST:PORT too"],
    [["node", "x", "--serf", "127.0.0.1:7373", "--serf-auth-file", "/nonexistent/k"], "--serf-auth-file /nonexistent/k: cannot read it (ENOENT)"],
    [["node", "x", "--serf", "127.0.0.1:7373", "--split-over", "0"], "--split-over 0 with --serf: a Serf agent refuses events over ~480 bytes, so messages must be split at 1..450 bytes"],
  ];
  it("refuses contradicting or malformed flags with a usage error naming them", async () => {
    const results = await Promise.all(usage.map(([args]) => runToEnd(args))); // all at once: each is a process start
    for (const [i, r] of results.entries()) {
      expect(r.code, usage[i]![0].join(" ")).toBe(2);
      expect(r.stderr).toContain(usage[i]![1]);
    }
  });
});
