// An upstream MoaT-KV server recovers ticks of a node that is gone from a ticktock node that holds
// them, on a real Mosquitto. Upstream asks for a tick once and then stays quiet about it (its
// `seen_missing` keeps what it asked for until a split recovery ends), since every upstream
// server that holds a tick answers the first request. So a ticktock holder must answer an
// upstream server's first request too, whether or not it is the origin's backup by name.
import { expect, it } from "vitest";
import mqtt from "mqtt";
import { describeUpstream } from "../support/upstream.js";
import { Path } from "../../src/wire/path.js";
import { encodeValue } from "../../src/wire/codec.js";
import { allHold, mixedFixture, request, upMember, type TtMember } from "../support/mixed.js";
import { waitFor } from "../support/cluster.js";

describeUpstream("an upstream server recovering a dead origin's ticks from a ticktock node", () => {
  const f = mixedFixture();

  /**
   * Ghost publishers (node names that publish updates and are gone) write to `holder` only:
   * nobody else runs yet. Returns the data written.
   */
  async function ghostWrites(holder: TtMember, ghosts: Record<string, number>, held = 0): Promise<Record<string, unknown>> {
    const want: Record<string, unknown> = {};
    const c = await mqtt.connectAsync(f.broker.url);
    try {
      for (const [ghost, n] of Object.entries(ghosts)) {
        for (let tick = 1; tick <= n; tick++) {
          const path = Path.of("g", ghost, `t${tick}`);
          await c.publishAsync("moat/kv/update", Buffer.from(encodeValue({ node: ghost, tick, prev: null, path, value: `${ghost}${tick}`, tock: tick })));
          want[String(path)] = `${ghost}${tick}`;
        }
      }
    } finally {
      await c.endAsync();
    }
    await waitFor(() => holder.t.node.store.size === held + Object.keys(want).length, 10_000, () => `${holder.name} holds ${holder.t.node.store.size} entries`);
    return want;
  }

  // The backup for an origin's ticks is the next node by name after it, other than the one
  // asking: "ghost" -> "ghost2" (gone as well) when ghost2 is known, else "tt1" (the holder).
  for (const [what, ghosts] of [
    ["is not the origin's backup (the backup is gone too)", { ghost: 4, ghost2: 1 }],
    ["is the origin's backup", { ghost: 4 }],
  ] as const) {
    it(`recovers them when the ticktock holder ${what}`, async () => {
      const tt1 = await f.ticktock("tt1");
      const want = await ghostWrites(tt1, ghosts);
      // up1 starts a cluster of its own and learns the ghosts' ticks from tt1's announcements
      const started = Date.now();
      const up1 = await f.upstream({ name: "up1", init: true });
      const up = upMember(up1);
      await allHold([up, tt1], want, Path.of("g"), 45_000);
      // up1 got them as re-sends from tt1: nobody else held them
      expect(tt1.t.node.stats.resent).toBeGreaterThanOrEqual(Object.keys(want).length);
      console.log(`up1 recovered ${Object.keys(want).length} ghost entries ${Date.now() - started} ms after it started`);
    }, 120_000);
  }

  it("recovers them when the origin was an upstream server killed for good and the ticktock holder is not its backup", async () => {
    const tt1 = await f.ticktock("tt1");
    const up0 = await f.upstream({ name: "up0", init: true });
    const want: Record<string, unknown> = {};
    const paths: Path[] = [];
    for (let i = 0; i < 5; i++) {
      const path = Path.of("g", "up0", `w${i}`);
      paths.push(path);
      await request(upMember(up0), "set_value", { path, value: `up0.${i}` });
      want[String(path)] = `up0.${i}`;
    }
    // tt1 holds all of up0's ticks (the first, up0's -I value, up0 re-sends when tt1 asks)
    await waitFor(() => paths.every((p) => tt1.t.node.store.get(p)) && Object.keys(tt1.t.node.ledger.missing()).length === 0, 20_000,
      () => `${tt1.name} lacks some of up0's ticks: ${JSON.stringify(tt1.t.node.ledger.missing())}\n${up0.log()}`);
    // the backup for up0's ticks (asked for by up1) is up0x, which wrote once and is gone too
    Object.assign(want, await ghostWrites(tt1, { up0x: 1 }, tt1.t.node.store.size));
    await up0.kill();
    const started = Date.now();
    const up1 = await f.upstream({ name: "up1", init: true });
    await allHold([upMember(up1), tt1], want, Path.of("g"), 45_000);
    expect(tt1.t.node.stats.resent).toBeGreaterThanOrEqual(Object.keys(want).length);
    console.log(`up1 recovered ${Object.keys(want).length} entries of dead nodes ${Date.now() - started} ms after it started`);
  }, 120_000);
});
