// The doctor beside the inspector's gaps: answers every ask from its latest sample and samples the
// server only every few seconds (slower when a sample is slow), afresh after invalidate; asks a
// healthy server for its missing sets alone, leaves a ws:// address out of the printed command,
// uses the gossip heard in its window for liveness, and reconnects after a failure.
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../../src/core/range-set.js";
import type { KvClient } from "../../src/client/client.js";
import { ServerDoctor } from "../../src/observer/server-doctor.js";
import type { GossipListener } from "../../src/console/doctor/gossip-listener.js";

beforeAll(() => init());

/** A server that misses ghost's tick 2 (or nothing), over a fake client; every action counted. */
function fakeServer(address: string) {
  const s = { missing: { ghost: [2] } as Record<string, unknown>, actions: [] as string[], fail: false, connects: 0, cost: 0 };
  let clock = 0;
  const now = () => clock;
  const connect = async (): Promise<KvClient> => {
    s.connects++;
    return {
      server: address,
      greeting: { node: "alpha" },
      close() {},
      async request(action: string, args: Record<string, unknown> = {}) {
        s.actions.push(action === "get_state" ? (args.present ? "get_state full" : "get_state light") : action);
        if (s.fail) throw new Error("alpha closed the connection");
        clock += s.cost;
        if (action === "get_state" && !args.present) return { node: "alpha", nodes: { ghost: 3 }, missing: s.missing };
        if (action === "get_state") return { node: "alpha", nodes: { ghost: 3 }, present: { ghost: [1, 3] }, known: {}, deleted: {}, missing: s.missing, remote_missing: {} };
        if (action === "enum_node") return { result: [] };
        throw new Error(`unexpected ${action}`);
      },
    } as unknown as KvClient;
  };
  return { s, connect, now, advance: (ms: number) => (clock += ms) };
}

const samples = (s: { actions: string[] }) => s.actions.filter((a) => a === "get_state light").length;

describe("ServerDoctor", () => {
  it("samples every few seconds, not on every ask, and afresh after invalidate", async () => {
    const f = fakeServer("127.0.0.1:27586");
    const d = new ServerDoctor({ connect: f.connect, now: f.now, every: 3000 });
    expect(d.diagnoses()).toEqual([]); // nothing sampled yet: the first sample starts
    const [item] = await d.refresh();
    expect(item).toMatchObject({ node: "ghost", ticks: [2], command: "ticktock internal mark ghost 2 --broadcast --server 127.0.0.1:27586" });
    const n = samples(f.s);
    for (let i = 0; i < 10; i++) {
      f.advance(200);
      expect(d.diagnoses()).toEqual([item]);
    }
    await Promise.resolve();
    expect(samples(f.s)).toBe(n); // 2 s of asks: no new sample
    f.advance(1000);
    d.diagnoses();
    await d.refresh();
    expect(samples(f.s)).toBe(n + 2); // due after 3 s, then refresh's own
    f.s.missing = {};
    d.invalidate();
    d.diagnoses();
    await d.refresh();
    expect(d.diagnoses()).toEqual([]);
    expect(f.s.connects).toBe(1); // one connection throughout
  });

  it("asks a healthy server for its missing sets alone, one with gaps for everything the doctor needs", async () => {
    const f = fakeServer("127.0.0.1:27586");
    const d = new ServerDoctor({ connect: f.connect, now: f.now });
    await d.refresh();
    expect(f.s.actions).toEqual(["get_state light", "get_state full", "enum_node"]);
    f.s.missing = {};
    f.s.actions.length = 0;
    expect(await d.refresh()).toEqual([]);
    expect(f.s.actions).toEqual(["get_state light"]);
  });

  it("samples less often when a sample is slow (ten times its cost)", async () => {
    const f = fakeServer("127.0.0.1:27586");
    f.s.cost = 1000; // each request costs 1 s of the clock
    const d = new ServerDoctor({ connect: f.connect, now: f.now, every: 3000 });
    await d.refresh(); // two get_state and an enum_node: 3 s
    const n = samples(f.s);
    f.advance(15_000);
    d.diagnoses();
    await Promise.resolve();
    expect(samples(f.s)).toBe(n); // due 30 s after it began
    f.advance(16_000);
    d.diagnoses();
    await d.refresh();
    expect(samples(f.s)).toBeGreaterThan(n);
  });

  it("leaves a WebSocket address out of the command, and says where to send it", async () => {
    const f = fakeServer("ws://127.0.0.1:27596");
    const [item] = await new ServerDoctor({ connect: f.connect, now: f.now, cli: "ticktock --user ann" }).refresh();
    expect(item!.command).toBe("ticktock --user ann internal mark ghost 2 --broadcast");
    expect(item!.text).toMatch(/Run \(with --server HOST:PORT of a server's client port added: the inspector knows only its WebSocket port\):$/);
  });

  it("says the publisher is alive when heard within the window, gone when not", async () => {
    const f = fakeServer("127.0.0.1:27586");
    let heardAt = 0;
    const listener = { heard: () => ({ from: 0, to: f.now(), heard: { ghost: { at: heardAt, how: "update" } } }) } as unknown as GossipListener;
    const d = new ServerDoctor({ connect: f.connect, now: f.now, listener: () => listener, window: 30_000 });
    f.advance(40_000);
    heardAt = 35_000;
    expect((await d.refresh())[0]!.text).toContain("ghost is alive: heard in the gossip (update) 5 s before the end of listening.");
    heardAt = 5_000;
    expect((await d.refresh())[0]!.text).toContain("ghost looks gone: not heard in the gossip (pings, info, updates) during 30 s of listening.");
  });

  it("keeps the last answer when the server fails, says why, and reconnects", async () => {
    const f = fakeServer("127.0.0.1:27586");
    const d = new ServerDoctor({ connect: f.connect, now: f.now });
    const before = await d.refresh();
    f.s.fail = true;
    expect(await d.refresh()).toEqual(before);
    expect(d.error).toBe("alpha closed the connection");
    f.s.fail = false;
    f.s.missing = {};
    expect(await d.refresh()).toEqual([]);
    expect([d.error, f.s.connects]).toEqual([undefined, 2]);
  });
});
