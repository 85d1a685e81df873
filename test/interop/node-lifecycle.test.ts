// Retiring nodes that left the cluster, in a mixed cluster on a real Mosquitto: two upstream
// MoaT-KV servers and two ticktock nodes. Two publishers that are gone for good each left a tick
// that no server holds; the operator rewrites their entries (`internal enum -C`) and drops them
// (`internal kill`), one with upstream's CLI against an upstream server, one with ticktock's
// against a ticktock node. Every server forgets both and stops asking for their ticks.
import { expect, it } from "vitest";
import mqtt from "mqtt";
import { describeUpstream } from "../support/upstream.js";
import { record } from "../support/gossip-recorder.js";
import { Path } from "../../src/wire/path.js";
import { encodeValue } from "../../src/wire/codec.js";
import { runToEnd } from "../support/cli.js";
import { allMiss, eventually, mixedFixture, request, sleep, stateOf, treeOf, type Member } from "../support/mixed.js";

describeUpstream("retiring nodes that left a mixed cluster (enum_node, kill_node, node_drop)", () => {
  const f = mixedFixture();

  it("drops two gone publishers with either CLI; no server asks for their ticks again", async () => {
    const { up1, up2, tt1, tt2, members } = await f.fourServers();
    const pub = await mqtt.connectAsync(f.broker.url);
    const publish = async (node: string, tick: number, path: string) => {
      await pub.publishAsync("moat/kv/update", Buffer.from(encodeValue({ node, tick, prev: null, path: Path.of(node, path), value: `${node}-${tick}`, tock: 1 })));
    };
    // each writes ticks 1 and 3 and is gone; its tick 2 never reached anyone
    for (const g of ["gone1", "gone2"]) {
      await publish(g, 1, "a");
      await publish(g, 3, "c");
    }
    await pub.endAsync();
    await allMiss(members, { gone1: [2], gone2: [2] });

    // refused while their changes are the newest of entries: the same error text from both
    const upRefused = await up1.kv(["internal", "kill", "gone1"]);
    expect(upRefused.code).not.toBe(0);
    expect(upRefused.stderr + upRefused.stdout).toMatch(/Node gone1 has entry [13]/);
    const ttRefused = await runToEnd(["internal", "kill", "gone2", "--server", `127.0.0.1:${tt1.port}`]);
    expect(ttRefused.code).not.toBe(0);
    expect(ttRefused.stderr).toMatch(/Node gone2 has entry [13]/);

    // `internal enum` prints the same ticks with both CLIs, on both kinds of server
    const upEnum = await up1.kv(["internal", "enum", "gone1", "--current"]);
    expect(upEnum.code, upEnum.stderr).toBe(0);
    const ttEnum = await runToEnd(["internal", "enum", "gone1", "--current", "--server", `127.0.0.1:${tt2.port}`]);
    expect(ttEnum.code, ttEnum.stderr).toBe(0);
    expect(ttEnum.stdout.split("\n").sort()).toEqual(upEnum.stdout.split("\n").sort());
    expect(ttEnum.stdout.trim().split("\n")).toEqual(["1", "3"]);

    // rewrite their entries unchanged: gone1's through upstream's CLI on up1, gone2's through ours on tt2
    const upCopy = await up1.kv(["internal", "enum", "gone1", "--copy"]);
    expect(upCopy.code, upCopy.stderr).toBe(0);
    const ttCopy = await runToEnd(["internal", "enum", "gone2", "--copy", "--server", `127.0.0.1:${tt2.port}`]);
    expect(ttCopy.code, ttCopy.stderr).toBe(0);
    expect(ttCopy.stderr).toMatch(/rewrote 2 entries on .*; gone2 has no current data there now/);
    await eventually(async () => {
      const wrong: string[] = [];
      for (const m of members) {
        for (const g of ["gone1", "gone2"]) {
          const r = await request(m, "enum_node", { node: g, current: true });
          if (JSON.stringify(r.result) !== "[]") wrong.push(`${m.name}: ${g} is still current at ${JSON.stringify(r.result)}`);
        }
      }
      return wrong.join("; ");
    }, 30_000, members);

    // drop gone1 with upstream's CLI on up2, gone2 with ticktock's on tt1
    const rec0 = await record(f.broker.url);
    const upKill = await up2.kv(["internal", "kill", "gone1"]);
    expect(upKill.code, upKill.stderr + up2.log()).toBe(0);
    const ttKill = await runToEnd(["internal", "kill", "gone2", "--server", `127.0.0.1:${tt1.port}`]);
    expect(ttKill.code, ttKill.stderr).toBe(0);
    expect(ttKill.stdout).toMatch(/dropped node gone2 on 127\.0\.0\.1:\d+; every server was told/);

    const forgotten = async (m: Member) => {
      const s = await stateOf(m.port, { nodes: true, missing: true });
      return [
        ...["gone1", "gone2"].filter((g) => g in (s.nodes as object)).map((g) => `${m.name} still knows ${g}`),
        ...(JSON.stringify(s.missing) === "{}" ? [] : [`${m.name} misses ${JSON.stringify(s.missing)}`]),
      ];
    };
    await eventually(async () => (await Promise.all(members.map(forgotten))).flat().join("; "), 30_000, members);

    // two actor cycles later: still forgotten everywhere, and nobody asked for their ticks since
    const rec = await record(f.broker.url);
    await sleep(7000);
    expect((await Promise.all(members.map(forgotten))).flat()).toEqual([]);
    const infos = rec.decoded("info");
    await rec.stop();
    const asked = infos.filter((m) => m.missing && Object.keys(m.missing as object).some((n) => n.startsWith("gone")));
    expect(asked).toEqual([]);
    // upstream's kill_node tells the others by name; ticktock's announcements keep carrying the drops
    // (upstream's heartbeats do not; its recovery messages carry [name, null] pairs, read as names)
    const drops = rec0.decoded("info").filter((m) => m.node_drop);
    await rec0.stop();
    const told = (node: string) => drops.filter((m) => m.node === node && !m.ticks && !m.missing).map((m) => m.node_drop);
    expect(told("up2")).toEqual([["gone1"]]);
    expect(told("tt1")).toEqual([["gone2"]]);
    expect(infos.filter((m) => m.ticks && (m.node === "tt1" || m.node === "tt2")).every((m) => JSON.stringify(m.node_drop) === '["gone1","gone2"]')).toBe(true);
    for (const tt of [tt1, tt2]) expect(tt.t.logs.filter((l) => /info.*(not|refus)/i.test(l))).toEqual([]);
    // the values stay, now with the rewriting servers' changes as the newest
    expect(await treeOf(tt2.port, Path.of("gone1"))).toEqual({ "gone1.a": "gone1-1", "gone1.c": "gone1-3" });
    expect(await treeOf(up1.port, Path.of("gone2"))).toEqual({ "gone2.a": "gone2-1", "gone2.c": "gone2-3" });
  }, 240_000);
});
