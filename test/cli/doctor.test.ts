// `ticktock doctor` with real processes: on the demo cluster (ghost's tick 2 lost everywhere),
// on a gap a server can still fill (it says wait, and recovery does fill it), and with a server
// that cannot be reached.
import { describe, expect, it } from "vitest";
import { run, runToEnd } from "../support/cli.js";
import { freePort } from "../support/mosquitto.js";
import mqtt from "mqtt";
import { mosquittoFixture, sleep, startNodes, waitFor } from "../support/cluster.js";
import { encodeValue } from "../../src/wire/codec.js";
import { serveTcp } from "../../src/server/tcp-server.js";
import { Path } from "../../src/wire/path.js";

describe("ticktock doctor on the demo", () => {
  it("names ghost's tick 2 as lost everywhere with the mark to run, exits 1, and exits 0 after that mark", async () => {
    const demo = run(["demo", "--port", "0", "--inspector-port", "0", "--no-inspector"]);
    try {
      await demo.waitFor(/Press Ctrl-C to stop\./, 20_000);
      // the demo's first suggestion is the doctor, with every server and the broker
      const suggested = /Ask the doctor first.*\n {2}\.\/bin\/ticktock\.js (doctor .*)\n/.exec(demo.stdout());
      expect(suggested, demo.stdout()).not.toBeNull();
      const args = suggested![1]!.split(" ");
      expect(args.filter((a) => a === "--server")).toHaveLength(3);
      await demo.waitFor(/demo3: gap: missing ticks ghost \[2\]/, 10_000);

      const sick = await runToEnd([...args, "--listen", "1"]);
      expect(sick.code, sick.stderr).toBe(1);
      expect(sick.stdout).toContain("ghost: 1 tick missing");
      expect(sick.stdout).toMatch(/ghost's tick 2 is missing on every server asked: demo1, demo2 and demo3/);
      expect(sick.stdout).toContain("No server asked holds it: lost everywhere; recovery cannot bring it back.");
      expect(sick.stdout).toContain("ghost looks gone: not heard in the gossip");
      expect(sick.stdout).toContain("If marked: ghost.t1 (tick 1) could keep an older value");
      const mark = /Run: ticktock (internal mark ghost 2 --broadcast --server 127\.0\.0\.1:\d+)\n/.exec(sick.stdout);
      expect(mark, sick.stdout).not.toBeNull();

      const marked = await runToEnd(mark![1]!.split(" "));
      expect(marked.code, marked.stderr).toBe(0);
      await demo.waitFor(/demo3: recovered: nothing missing/, 10_000);
      const well = await runToEnd(args.filter((a, i) => a !== "--mqtt" && args[i - 1] !== "--mqtt"));
      expect([well.code, well.stdout], well.stderr).toEqual([0, expect.stringContaining("Healthy: no server asked misses any tick.")]);
    } finally {
      demo.proc.kill("SIGINT");
    }
    expect(await demo.exited).toBe(0);
  });
});

describe("ticktock doctor on a cluster", () => {
  const f = mosquittoFixture();

  it("says to wait when a server holds the missing ticks, and recovery then fills them", async () => {
    // b hears no updates (first-hand or re-sent), only a's announcements: it misses a's ticks
    f.nodes = await startNodes(f.broker.url, ["a", "b"]);
    const [a, b] = f.nodes as [typeof f.nodes[0], typeof f.nodes[0]];
    b.transport.options.dropIn = 1;
    b.transport.options.actions = ["update"];
    const servers = await Promise.all(f.nodes.map((n) => serveTcp(n.node, { port: 0 })));
    f.servers.push(...servers);
    a.node.set(Path.of("x"), 1);
    a.node.set(Path.of("y"), 2);
    await waitFor(() => JSON.stringify(b.node.ledger.missing()) === JSON.stringify({ a: [[1, 3]] }), 10_000, () => JSON.stringify(b.node.ledger.missing()));

    const at = servers.map((s) => `127.0.0.1:${s.port}`);
    const r = await runToEnd(["doctor", "--server", at[0]!, "--server", at[1]!]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("a's ticks 1-2 are missing on b");
    expect(r.stdout).toContain("a holds ticks 1-2 with their data, so recovery can bring them to the others.");
    expect(r.stdout).toContain("a is alive: it answered the doctor");
    expect(r.stdout).toMatch(/Wait: server a holds ticks 1-2 and /);
    expect(r.stdout).not.toContain("internal mark");

    const json = await runToEnd(["doctor", "--json", "--server", at[0]!, "--server", at[1]!]);
    const found = JSON.parse(json.stdout);
    expect(found.status).toBe(1);
    expect(found.diagnoses.map((d: { actions: { kind: string }[] }) => d.actions.map((x) => x.kind))).toEqual([["wait"]]);

    // the doctor was right: once b hears again, recovery fills the gap, and the doctor agrees
    b.transport.enabled = false;
    await waitFor(() => Object.keys(b.node.ledger.missing()).length === 0, 10_000, () => JSON.stringify(b.node.ledger.missing()));
    const well = await runToEnd(["doctor", "--server", at[0]!, "--server", at[1]!]);
    expect(well.code, well.stdout).toBe(0);
  });

  it("sees re-sends arriving while it watches, and still names the tick nobody has", async () => {
    // publisher p sends ticks 1, 2, 3 and 5 (never 4); b hears no updates until the doctor watches
    f.nodes = await startNodes(f.broker.url, ["a", "b"]);
    const [, b] = f.nodes as [typeof f.nodes[0], typeof f.nodes[0]];
    b.transport.options.dropIn = 1;
    b.transport.options.actions = ["update"];
    const servers = await Promise.all(f.nodes.map((n) => serveTcp(n.node, { port: 0 })));
    f.servers.push(...servers);
    const p = await mqtt.connectAsync(f.broker.url);
    for (const tick of [1, 2, 3, 5]) {
      await p.publishAsync("moat/kv/update", Buffer.from(encodeValue({ node: "p", tick, prev: null, path: Path.of("p", tick), value: tick, tock: 1 })));
    }
    await p.endAsync();
    await waitFor(() => JSON.stringify(b.node.ledger.missing()) === JSON.stringify({ p: [[1, 6]] }), 10_000, () => JSON.stringify(b.node.ledger.missing()));

    const doctor = run(["doctor", "--watch", "3", ...servers.flatMap((s) => ["--server", `127.0.0.1:${s.port}`])]);
    await doctor.waitFor(/watching for 3 s/);
    await sleep(1200);
    b.transport.enabled = false;
    expect(await doctor.exited).toBe(1);
    const out = doctor.stdout();
    expect(out).toContain("p's tick 4 is missing on every server asked: a and b");
    expect(out).toContain("Re-sends are arriving: the missing count shrank while watched.");
    expect(out).toContain("Run: ticktock internal mark p 4 --broadcast --server 127.0.0.1:");
  });

  it("exits 2 naming a server it could not reach, and still diagnoses the others", async () => {
    f.nodes = await startNodes(f.broker.url, ["c"]);
    const s = await serveTcp(f.nodes[0]!.node, { port: 0 });
    f.servers.push(s);
    const nobody = `127.0.0.1:${await freePort()}`;
    const r = await runToEnd(["doctor", "--server", `127.0.0.1:${s.port}`, "--server", nobody]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`Asked 1 server: c (127.0.0.1:${s.port}).`);
    expect(r.stdout).toContain(`Could not reach ${nobody}: cannot reach a MoaT-KV server at ${nobody} (ECONNREFUSED).`);
  });

  it("names a server heard in the gossip whose address it does not know (exit 2)", async () => {
    f.nodes = await startNodes(f.broker.url, ["d", "e"]);
    const s = await serveTcp(f.nodes[0]!.node, { port: 0 });
    f.servers.push(s);
    const r = await runToEnd(["doctor", "--server", `127.0.0.1:${s.port}`, "--mqtt", f.broker.url, "--listen", "2"]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain("Could not reach e: heard in the gossip, but no address is known: give --server HOST:PORT for it.");
    expect(r.stdout).not.toContain("Could not reach d");
  });
});
