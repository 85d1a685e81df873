// Nodes and the ping actor on a real broker, with a quick actor (cycle 1 s, gap 0.3 s): a fresh
// node without `join` copies from a ready node the actor names, tries the next when one cannot
// be reached, and starts from gossip when no ready node appears in time.
import { describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { dataOf, mosquittoFixture, sleep, startNode, waitFor } from "../../support/cluster.js";
import { NodeActor } from "../../../src/node/actor/node-actor.js";
import { Log } from "../../../src/node/log.js";
import { encodeValue } from "../../../src/wire/codec.js";
import { serveTcp } from "../../../src/server/tcp-server.js";
import { joinFrom } from "../../../src/client/join.js";
import { Path } from "../../../src/wire/path.js";
import { freePort } from "../../support/mosquitto.js";

const f = mosquittoFixture();
const QUICK = { cycle: 1, gap: 0.3 };

describe("a node's ping actor", () => {
  it("lets a fresh node copy from a ready node the actor names, skipping one it cannot reach", async () => {
    const a = await startNode(f.broker.url, "a", { actor: QUICK });
    f.nodes.push(a);
    for (let i = 0; i < 10; i++) a.node.set(Path.of("p", `${i}`), i);
    const server = await serveTcp(a.node, { port: 0 });
    f.servers.push(server);
    const dead = await freePort();
    // "ghost" pings as ready but its client port is closed
    const g = await startNode(f.broker.url, "ghost", { actor: QUICK });
    f.nodes.push(g);
    const hostmap: Record<string, string> = { a: `127.0.0.1:${server.port}`, ghost: `127.0.0.1:${dead}` };
    const tried: string[] = [];
    const t0 = Date.now();
    const b = await startNode(f.broker.url, "b", {
      actor: QUICK, startupWait: 0,
      fetch: async (n, source) => {
        tried.push(source);
        await joinFrom(n, hostmap[source]!);
      },
    });
    f.nodes.push(b);
    expect(tried).toContain("a");
    expect(tried.indexOf("a")).toBe(tried.length - 1);
    expect(dataOf(b.node)).toEqual(dataOf(a.node));
    expect(b.node.mode).toBe("serving");
    // the first ping comes after cycle + 1.5 .. 1.75 gaps; the copy follows at once
    expect(Date.now() - t0).toBeLessThan(4000);
    if (tried.includes("ghost")) expect(b.logs.join("\n")).toMatch(/could not copy from ghost, which the actor named as ready: /);
  }, 20_000);

  it("starts from gossip when no ready node pings in time", async () => {
    const t0 = Date.now();
    let asked = 0;
    const b = await startNode(f.broker.url, "lonely", {
      actor: QUICK, startupWait: 0,
      fetch: async () => {
        asked++;
      },
    });
    f.nodes.push(b);
    expect(asked).toBe(0);
    expect(b.node.mode).toBe("serving");
    // waited cycle + 4.5 gaps = 2.35 s for a source
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2300);
    expect(b.logs.join("\n")).toMatch(/no ready node named by the actor within 2350 ms; starting from gossip/);
  }, 20_000);

  it("asks for missing ticks when it is 'it', as upstream's server does", async () => {
    const ghost = await mqtt.connectAsync(f.broker.url);
    // the usual requests wait a minute: only the actor's turn can ask within the test
    const slow = { missingDelay: 60_000, maxMissingDelay: 60_000 };
    const a = await startNode(f.broker.url, "a", { actor: QUICK, ...slow, force: true });
    f.nodes.push(a);
    const listener = await startNode(f.broker.url, "listener", { actor: false, ...slow, force: true });
    f.nodes.push(listener);
    const asks: { from: unknown; missing: unknown; at: number }[] = [];
    listener.node.on("gossip", (action, msg) => {
      if (action === "info" && msg.missing && msg.node === "a") asks.push({ from: msg.node, missing: msg.missing, at: Date.now() });
    });
    try {
      for (const tick of [1, 3]) {
        await ghost.publishAsync("moat/kv/update", Buffer.from(encodeValue({ node: "ghost", tick, prev: null, path: Path.of("g", tick), value: tick, tock: 1 })));
      }
      await waitFor(() => asks.length > 0, 10_000, () => a.logs.join("\n"));
      expect(asks[0]!.missing).toEqual({ ghost: [2] });
    } finally {
      await ghost.endAsync();
    }
  }, 20_000);

  it("refuses actor timings upstream's actor would refuse, naming the option", async () => {
    await expect(startNode(f.broker.url, "x", { actor: { cycle: 1, gap: 1 } })).rejects.toThrow(/actor config: cycle 1 is shorter than 3 \* gap \(3\)/);
  });
});

describe("split recovery steps (upstream's recover_split)", () => {
  function recorder() {
    const calls: { what: string; at: number }[] = [];
    const t0 = Date.now();
    const na = new NodeActor({
      name: "me", config: { cycle: 1, gap: 0.3 }, random: Math.random, log: new Log("test", () => {}),
      publish: () => {}, value: () => [1, 1],
      askMissing: () => calls.push({ what: "missing", at: Date.now() - t0 }),
      announce: () => calls.push({ what: "ticks", at: Date.now() - t0 }),
    });
    return { na, calls };
  }

  it("announces the ticks at once as the first of its side, then asks for what is missing", async () => {
    const { na, calls } = recorder();
    na.handle({ type: "recover", prio: 0, replace: false, local: ["me", "x"], remote: ["y"] });
    await sleep(800);
    na.stop();
    expect(calls.map((c) => c.what)).toEqual(["ticks", "missing"]);
    expect(calls[0]!.at).toBeLessThan(100);
    expect(calls[1]!.at).toBeGreaterThanOrEqual(450); // cycle * (2 - 1) / 2
  });

  it("skips a step another node of its side took first, and waits by its place otherwise", async () => {
    const { na, calls } = recorder();
    na.handle({ type: "recover", prio: 1, replace: true, local: ["x", "me"], remote: ["y"] });
    await sleep(100);
    na.infoSeen("y", { ticks: {} }); // the other side: no effect
    na.infoSeen("x", { ticks: {} }); // x, first of our side, announced: our step 1 is done, step 2 starts
    await sleep(200);
    na.infoSeen("x", { missing: {} });
    await sleep(1200);
    na.stop();
    expect(calls).toEqual([]);
  });

  it("lets a newer recovery take over the nodes of an older one", async () => {
    const { na, calls } = recorder();
    na.handle({ type: "recover", prio: 1, replace: false, local: ["x", "me"], remote: ["y"] });
    na.handle({ type: "recover", prio: 1, replace: false, local: ["x", "me"], remote: ["z"] });
    await sleep(1600);
    na.stop();
    // one recovery's steps, not two
    expect(calls.map((c) => c.what)).toEqual(["ticks", "missing"]);
    expect(calls[0]!.at).toBeGreaterThanOrEqual(450); // cycle * (1 - 1/2)
  });
});
