// Mixed clusters on a real Mosquitto: two upstream MoaT-KV servers (the first initialises the
// cluster, the second joins it) and two ticktock nodes (in-process, serving the client protocol
// on TCP, or real `ticktock node` processes). Every server is judged the same way, through
// get_tree and get_state.
import { expect, it } from "vitest";
import mqtt from "mqtt";
import { describeUpstream } from "../support/upstream.js";
import { Path } from "../../src/wire/path.js";
import { encodeValue } from "../../src/wire/codec.js";
import { runToEnd } from "../support/cli.js";
import { allHold, allMiss, mixedFixture, stateOf, treeOf, upMember, valueOf, request } from "../support/mixed.js";

describeUpstream("a mixed cluster of upstream servers and ticktock nodes", () => {
  const f = mixedFixture();

  // Upstream splits gossip over 450 bytes into `_p0` pieces: values from 400 bytes on travel in pieces.
  it("ends with every value on every server: writes of 1 byte to 64 KB through all four", async () => {
    const { up1, up2, tt1, tt2, members } = await f.fourServers();
    const want: Record<string, unknown> = {};
    for (const size of [1, 2, 10, 100, 300, 400, 1000, 4096, 65536]) {
      // upstream: its CLI on up1, the raw client protocol on up2; ticktock: its client on tt1,
      // node.set on tt2
      const v1 = valueOf("up1", size);
      const cli = await up1.kv(["data", `d.up1.s${size}`, "set", "-v", ":", v1]);
      expect(cli.code, cli.stderr + up1.log()).toBe(0);
      want[`d.up1.s${size}`] = v1;
      const v2 = valueOf("up2", size);
      await request(upMember(up2), "set_value", { path: Path.of("d", "up2", `s${size}`), value: v2 });
      want[`d.up2.s${size}`] = v2;
      const v3 = valueOf("tt1", size);
      await request(tt1, "set_value", { path: Path.of("d", "tt1", `s${size}`), value: v3 });
      want[`d.tt1.s${size}`] = v3;
      const v4 = valueOf("tt2", size);
      tt2.t.node.set(Path.of("d", "tt2", `s${size}`), v4);
      want[`d.tt2.s${size}`] = v4;
    }
    await allHold(members, want, Path.of("d"));
  }, 180_000);

  it("lets a ticktock node join an upstream-held cluster with --join and without it", async () => {
    const up1 = await f.upstream({ name: "up1", init: true });
    const up2 = await f.upstream({ name: "up2", hostmap: { up1: up1.port }, readyMs: 40_000 });
    const want: Record<string, unknown> = {};
    for (const [s, n] of [[up1, 1], [up2, 2], [up1, 3], [up2, 4]] as const) {
      const v = valueOf(s.name, 20 * n);
      await request(s, "set_value", { path: Path.of("j", s.name, n), value: v });
      want[`j.${s.name}.${n}`] = v;
    }
    const big = valueOf("big", 5000); // gossiped in pieces
    await request(upMember(up2), "set_value", { path: Path.of("j", "big"), value: big });
    want["j.big"] = big;
    await request(upMember(up1), "delete_value", { path: Path.of("j", "up1", 1) });
    delete want["j.up1.1"];
    // with --join: the real command, copying from up2 over the client protocol
    const joined = await f.ticktockProcess("ttj", ["--join", `127.0.0.1:${up2.port}`]);
    expect(joined.p.stderr()).toMatch(/copied \d+ entries and the tick state from up2/);
    // without: from gossip alone
    const gossiped = await f.ticktock("ttg");
    const members = [upMember(up1), upMember(up2), joined, gossiped];
    await allHold(members, want, Path.of("j"));
    // both serve and their writes reach the upstream servers
    for (const m of [joined, gossiped]) {
      const v = valueOf(m.name, 50);
      await request(m, "set_value", { path: Path.of("j", m.name), value: v });
      want[`j.${m.name}`] = v;
    }
    await allHold(members, want, Path.of("j"));
  }, 180_000);

  it("sees a publisher's skipped tick on all four; a mark with either CLI clears it everywhere", async () => {
    const { up1, up2, tt1, tt2, members } = await f.fourServers();
    const ghost = await mqtt.connectAsync(f.broker.url);
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
