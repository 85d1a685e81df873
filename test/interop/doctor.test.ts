// `ticktock doctor` against a real upstream MoaT-KV server beside a ticktock node: it reads both
// the same way, finds the ticktock node through upstream's internal hostmap entry, names the
// skipped tick as lost everywhere, and is satisfied once the mark it prints has run; a gap the
// upstream server can fill, it says to wait for, and upstream's re-sends then fill it.
import { expect, it } from "vitest";
import mqtt from "mqtt";
import { describeUpstream } from "../support/upstream.js";
import { runToEnd } from "../support/cli.js";
import { allMiss, eventually, mixedFixture, request, stateOf, upMember } from "../support/mixed.js";
import { encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

describeUpstream("ticktock doctor in a mixed cluster", () => {
  const f = mixedFixture();

  it("diagnoses an upstream server and a ticktock node alike, and its mark repairs both", async () => {
    const up1 = await f.upstream({ name: "up1", init: true });
    const tt1 = await f.ticktock("tt1");
    const members = [upMember(up1), tt1];
    // upstream keeps other servers' addresses as internal entries `hostmap NAME` = [host, port]
    await request(upMember(up1), "set_internal", { path: Path.of("hostmap", "tt1"), value: ["127.0.0.1", tt1.port] });
    const ghost = await mqtt.connectAsync(f.broker.url);
    for (const tick of [1, 3]) {
      await ghost.publishAsync("moat/kv/update", Buffer.from(encodeValue({ node: "ghost", tick, prev: null, path: Path.of("ghost", `t${tick}`), value: `g${tick}`, tock: 1 })));
    }
    await ghost.endAsync();
    await allMiss(members, { ghost: [2] });

    const sick = await runToEnd(["doctor", "--server", `127.0.0.1:${up1.port}`, "--mqtt", f.broker.url, "--listen", "1"]);
    expect(sick.code, sick.stdout + sick.stderr).toBe(1);
    expect(sick.stdout).toMatch(new RegExp(`^Asked 2 servers: tt1 \\(127\\.0\\.0\\.1:${tt1.port}\\), up1 \\(127\\.0\\.0\\.1:${up1.port}\\)\\.`));
    expect(sick.stdout).toContain("ghost's tick 2 is missing on every server asked: tt1 and up1");
    expect(sick.stdout).toContain("No server asked holds it: lost everywhere; recovery cannot bring it back.");
    expect(sick.stdout).toContain("If marked: ghost.t1 (tick 1) could keep an older value");
    const mark = /Run: ticktock (internal mark ghost 2 --broadcast --server 127\.0\.0\.1:\d+)\n/.exec(sick.stdout);
    expect(mark, sick.stdout).not.toBeNull();

    expect((await runToEnd(mark![1]!.split(" "))).code).toBe(0);
    await allMiss(members, {});
    const well = await runToEnd(["doctor", "--server", `127.0.0.1:${up1.port}`, "--server", `127.0.0.1:${tt1.port}`]);
    expect([well.code, well.stdout]).toEqual([0, expect.stringContaining("Healthy: no server asked misses any tick.")]);
  }, 90_000);

  it("says to wait for ticks the upstream server holds, and upstream's re-sends then fill them", async () => {
    const up1 = await f.upstream({ name: "up1", init: true });
    const tt1 = await f.ticktock("tt1");
    const members = [upMember(up1), tt1];
    await allMiss(members, {});
    // from now on tt1 hears no updates (first-hand or re-sent); up1's pings still tell it up1's tick
    tt1.t.transport.options.dropIn = 1;
    tt1.t.transport.options.actions = ["update"];
    await request(upMember(up1), "set_value", { path: Path.of("w", "one"), value: 1 });
    await eventually(async () => {
      const m = (await stateOf(tt1.port, { missing: true })).missing as Record<string, unknown>;
      return m?.up1 ? "" : `tt1 misses ${JSON.stringify(m)}`;
    }, 30_000, members);

    const r = await runToEnd(["doctor", "--server", `127.0.0.1:${up1.port}`, "--server", `127.0.0.1:${tt1.port}`, "--json"]);
    const found = JSON.parse(r.stdout);
    expect(found.status, r.stdout).toBe(1);
    expect(found.diagnoses).toHaveLength(1);
    const d = found.diagnoses[0];
    expect(d).toMatchObject({ node: "up1", lost: [], missingOn: [{ server: "tt1" }], holders: [{ server: "up1" }], publisher: { state: "alive" } });
    expect(d.actions).toEqual([expect.objectContaining({ kind: "wait", servers: ["up1"], text: expect.stringMatching(/^wait: server up1 holds tick/) })]);

    tt1.t.transport.enabled = false;
    await allMiss(members, {});
    const well = await runToEnd(["doctor", "--server", `127.0.0.1:${up1.port}`, "--server", `127.0.0.1:${tt1.port}`]);
    expect(well.code, well.stdout).toBe(0);
  }, 90_000);
});
