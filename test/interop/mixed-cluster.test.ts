// Mixed clusters on a real Mosquitto: two upstream MoaT-KV servers (the first initialises the
// cluster, the second joins it) and two ticktock nodes (in-process, serving the client protocol
// on TCP). Every server is judged the same way, through get_tree and get_state.
import { afterEach, beforeEach, expect, it } from "vitest";
import { startMosquitto, type Broker } from "../support/mosquitto.js";
import { describeUpstream, upstreamFixture, type UpstreamServer } from "../support/upstream.js";
import { startNode, type TestNode } from "../support/cluster.js";
import { serveTcp, type ClientServer } from "../../src/server/tcp-server.js";
import { Path } from "../../src/wire/path.js";
import mqtt from "mqtt";
import { encodeValue } from "../../src/wire/codec.js";
import { run, runToEnd, type Running } from "../support/cli.js";
import { diffData, eventually, stateOf, treeOf, valueOf, withClient, type Member } from "../support/mixed.js";

/** A ticktock node in this process with a client port. */
interface TtMember extends Member {
  t: TestNode;
  server: ClientServer;
}

describeUpstream("a mixed cluster of upstream servers and ticktock nodes", () => {
  let broker: Broker;
  const up = upstreamFixture();
  const tts: TtMember[] = [];
  // a broker per test: no gossip of one test reaches the next
  beforeEach(async () => {
    broker = await startMosquitto();
  });
  afterEach(async () => {
    for (const m of tts.splice(0)) {
      await m.server.close();
      await m.t.node.stop();
    }
    await broker.stop();
  });

  async function ticktock(name: string, opts: Parameters<typeof startNode>[2] = {}): Promise<TtMember> {
    const t = await startNode(broker.url, name, { startupWait: 1500, ...opts });
    const server = await serveTcp(t.node, { port: 0 });
    const m: TtMember = { name, port: server.port, t, server, log: () => t.logs.slice(-40).join("\n") };
    tts.push(m);
    return m;
  }

  const upMember = (s: UpstreamServer): Member => ({ name: s.name, port: s.port, log: () => s.log(40) });

  /** up1 (init), tt1, tt2 (in the hostmap), up2 joining up1. */
  async function fourServers() {
    const up1 = await up.start({ name: "up1", mqtt: broker.url, init: true });
    const tt1 = await ticktock("tt1", {});
    const tt2 = await ticktock("tt2", {});
    const up2 = await up.start({ name: "up2", mqtt: broker.url, hostmap: { up1: up1.port, tt1: tt1.port, tt2: tt2.port }, readyMs: 40_000 });
    const members = [upMember(up1), upMember(up2), tt1, tt2];
    return { up1, up2, tt1, tt2, members };
  }

  /** Every member holds exactly `want` (below `root`) and misses no tick. */
  async function allHold(members: Member[], want: Record<string, unknown>, root: Path, ms = 60_000): Promise<void> {
    await eventually(async () => {
      const wrong: string[] = [];
      for (const m of members) {
        const d = diffData(want, await treeOf(m.port, root));
        const st = await stateOf(m.port, { missing: true });
        const missing = JSON.stringify(st.missing ?? {});
        if (d) wrong.push(`${m.name}: ${d}`);
        if (missing !== "{}") wrong.push(`${m.name} misses ${missing}`);
      }
      return wrong.join("; ");
    }, ms, members);
  }

  /** A `ticktock node` process on the test's broker; its client port is read from its log. */
  const procs: Running[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) {
      if (p.proc.exitCode === null && p.proc.signalCode === null) {
        p.proc.kill("SIGKILL");
        await p.exited;
      }
    }
  });
  async function ticktockProcess(name: string, args: string[] = []): Promise<Member & { p: Running }> {
    const p = run(["node", name, "--mqtt", broker.url, "--port", "0", "--startup-wait", "1500", ...args]);
    procs.push(p);
    const m = await p.waitFor(/client protocol on 127\.0\.0\.1:(\d+)/, 20_000);
    await p.waitFor(/serving|maintainer-only/, 30_000);
    return { name, port: Number(m[1]), p, log: () => p.stderr().split("\n").slice(-40).join("\n") };
  }

  /** Each member's get_state `missing` equals `want`. */
  async function allMiss(members: Member[], want: Record<string, unknown>, ms = 30_000): Promise<void> {
    await eventually(async () => {
      const wrong: string[] = [];
      for (const m of members) {
        const got = JSON.stringify((await stateOf(m.port, { missing: true })).missing ?? {});
        if (got !== JSON.stringify(want)) wrong.push(`${m.name} misses ${got}`);
      }
      return wrong.join("; ");
    }, ms, members);
  }

  it("ends with every value on every server: writes of 1 to 300 bytes through all four", async () => {
    const { up1, up2, tt1, tt2, members } = await fourServers();
    const want: Record<string, unknown> = {};
    const sizes = [1, 2, 10, 100, 300];
    const data = Path.of("d");
    for (const size of sizes) {
      // upstream: its CLI on up1, the raw client protocol on up2
      const v1 = valueOf("up1", size);
      const cli = await up1.kv(["data", `d.up1.s${size}`, "set", "-v", ":", v1]);
      expect(cli.code, cli.stderr + up1.log()).toBe(0);
      want[`d.up1.s${size}`] = v1;
      const v2 = valueOf("up2", size);
      await withClient(up2.port, (c) => c.request("set_value", { path: Path.of("d", "up2", `s${size}`), value: v2 }));
      want[`d.up2.s${size}`] = v2;
      // ticktock: its client on tt1, node.set on tt2
      const v3 = valueOf("tt1", size);
      await withClient(tt1.port, (c) => c.request("set_value", { path: Path.of("d", "tt1", `s${size}`), value: v3 }));
      want[`d.tt1.s${size}`] = v3;
      const v4 = valueOf("tt2", size);
      tt2.t.node.set(Path.of("d", "tt2", `s${size}`), v4);
      want[`d.tt2.s${size}`] = v4;
    }
    await allHold(members, want, data);
  }, 180_000);

  // Upstream splits gossip over 450 bytes into `_p0` pieces: these values travel in pieces.
  it("ends with every value on every server: writes of 400 bytes to 64 KB through all four", async () => {
    const { up1, up2, tt1, tt2, members } = await fourServers();
    const want: Record<string, unknown> = {};
    for (const size of [400, 1000, 4096, 65536]) {
      const v1 = valueOf("up1", size);
      const cli = await up1.kv(["data", `d.up1.s${size}`, "set", "-v", ":", v1]);
      expect(cli.code, cli.stderr + up1.log()).toBe(0);
      want[`d.up1.s${size}`] = v1;
      const v2 = valueOf("up2", size);
      await withClient(up2.port, (c) => c.request("set_value", { path: Path.of("d", "up2", `s${size}`), value: v2 }));
      want[`d.up2.s${size}`] = v2;
      const v3 = valueOf("tt1", size);
      await withClient(tt1.port, (c) => c.request("set_value", { path: Path.of("d", "tt1", `s${size}`), value: v3 }));
      want[`d.tt1.s${size}`] = v3;
      const v4 = valueOf("tt2", size);
      tt2.t.node.set(Path.of("d", "tt2", `s${size}`), v4);
      want[`d.tt2.s${size}`] = v4;
    }
    await allHold(members, want, Path.of("d"));
  }, 180_000);

  it("lets a ticktock node join an upstream-held cluster with --join and without it", async () => {
    const up1 = await up.start({ name: "up1", mqtt: broker.url, init: true });
    const up2 = await up.start({ name: "up2", mqtt: broker.url, hostmap: { up1: up1.port }, readyMs: 40_000 });
    const want: Record<string, unknown> = {};
    for (const [s, n] of [[up1, 1], [up2, 2], [up1, 3], [up2, 4]] as const) {
      const v = valueOf(s.name, 20 * n);
      await withClient(s.port, (c) => c.request("set_value", { path: Path.of("j", s.name, n), value: v }));
      want[`j.${s.name}.${n}`] = v;
    }
    await withClient(up1.port, (c) => c.request("delete_value", { path: Path.of("j", "up1", 1) }));
    delete want["j.up1.1"];
    // with --join: the real command, copying from up2 over the client protocol
    const joined = await ticktockProcess("ttj", ["--join", `127.0.0.1:${up2.port}`]);
    expect(joined.p.stderr()).toMatch(/copied \d+ entries and the tick state from up2/);
    // without: from gossip alone
    const gossiped = await ticktock("ttg");
    const members = [upMember(up1), upMember(up2), joined, gossiped];
    await allHold(members, want, Path.of("j"));
    // both serve and their writes reach the upstream servers
    for (const m of [joined, gossiped]) {
      const v = valueOf(m.name, 50);
      await withClient(m.port, (c) => c.request("set_value", { path: Path.of("j", m.name), value: v }));
      want[`j.${m.name}`] = v;
    }
    await allHold(members, want, Path.of("j"));
  }, 180_000);

  it("sees a publisher's skipped tick on all four; a mark with either CLI clears it everywhere", async () => {
    const { up1, up2, tt1, tt2, members } = await fourServers();
    const ghost = await mqtt.connectAsync(broker.url);
    const publish = async (tick: number) => {
      await ghost.publishAsync("moat/kv/update", Buffer.from(encodeValue({ node: "ghost", tick, prev: null, path: Path.of("ghost", `t${tick}`), value: `g${tick}`, tock: 1 })));
    };
    try {
      await publish(1);
      await publish(3);
      await allMiss(members, { ghost: [2] });
      // upstream's CLI against an upstream server
      const marked = await up1.kv(["internal", "mark", "ghost", "-b"]);
      expect(marked.code, marked.stderr + up1.log()).toBe(0);
      await allMiss(members, {});
      // the next gap, repaired with ticktock's CLI against a ticktock node
      await publish(5);
      await allMiss(members, { ghost: [4] });
      const ours = await runToEnd(["internal", "mark", "ghost", "-b", "--server", `127.0.0.1:${tt2.port}`]);
      expect(ours.code, ours.stderr).toBe(0);
      await allMiss(members, {});
      const st = await stateOf(up2.port, { known: true });
      expect(st.known).toEqual({ ghost: [2, 4] });
      expect(await treeOf(tt1.port, Path.of("ghost"))).toEqual({ "ghost.t1": "g1", "ghost.t3": "g3", "ghost.t5": "g5" });
    } finally {
      await ghost.endAsync();
    }
  }, 180_000);
});
