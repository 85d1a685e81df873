// The differential gossip test. Everything upstream servers publish for a scripted session
// (writes, overwrites, deletes, values from 460 bytes to 64 KB, marks broadcast with the
// upstream CLI, a second server joining, and a recovery: a server lacking every tick asks for
// them over gossip and the holders re-send entries, known and deleted ticks) is recorded on one
// Mosquitto, then replayed into a fresh ticktock node on a second broker and into a fresh
// upstream server on a third. Both must end up in the same
// state: get_state with every flag and get_tree compared, normalising only each one's own
// node name, tick and tock (see docs/upstream-differences.md, "Gossip").
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMosquitto, type Broker } from "../support/mosquitto.js";
import { describeUpstream, upstreamFixture, type UpstreamServer } from "../support/upstream.js";
import { startNode, waitFor, type TestNode } from "../support/cluster.js";
import { record, replay, type Recorded } from "../support/gossip-recorder.js";
import { serveTcp, type ClientServer } from "../../src/server/tcp-server.js";
import { connectTcp } from "../../src/client/tcp.js";
import type { KvClient } from "../../src/client/client.js";
import { decodeValue, encodeValue } from "../../src/wire/codec.js";
import mqtt from "mqtt";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Path } from "../../src/wire/path.js";
import { formatPath } from "../../src/wire/path-text.js";

const FLAGS = { nodes: true, known: true, present: true, deleted: true, missing: true, remote_missing: true, node_drop: true };

/** get_state without the answering server's own node name, tick and tock. */
function normalState(state: Record<string, unknown>, self: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state)) {
    if (k === "node" || k === "tock" || k === "seq") continue;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const m = { ...(v as Record<string, unknown>) };
      delete m[self];
      out[k] = m;
    } else out[k] = v;
  }
  return out;
}

async function tree(c: KvClient): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const item of c.stream("get_tree", { path: new Path(), nchain: -1 })) {
    const { seq: _s, ...rest } = item;
    out.push({ ...rest, path: rest.path instanceof Path ? formatPath(rest.path) : rest.path });
  }
  return out.sort((a, b) => String(a.path).localeCompare(String(b.path)));
}

function summary(messages: Recorded[]): string {
  const counts: Record<string, number> = {};
  for (const m of messages) {
    const d = decodeValue(m.payload) as Record<string, unknown>;
    const kind = `${m.action}${"_p0" in d ? " piece" : ""}`;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return JSON.stringify(counts);
}

/** Resolve once `probe` gives the same answer for `ms` on end (polled every 250 ms). */
async function quiet(probe: () => unknown, ms: number, limit: number): Promise<void> {
  const until = Date.now() + limit;
  let last: unknown = Symbol();
  let since = Date.now();
  while (Date.now() - since < ms) {
    if (Date.now() > until) throw new Error(`still changing after ${limit} ms`);
    const now = await probe();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

describeUpstream("gossip recorded from an upstream server, replayed into ticktock and upstream", () => {
  const brokers: Broker[] = [];
  const up = upstreamFixture();
  let tt: TestNode | undefined;
  let ttServer: ClientServer | undefined;
  const clients: KvClient[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) brokers.push(await startMosquitto());
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await ttServer?.close();
    await tt?.node.stop();
    await Promise.all(up.servers.map((s) => s.kill()));
    for (const b of brokers) await b.stop();
  });

  it("leaves a ticktock node and an upstream server in the same state", async () => {
    const [recBroker, ttBroker, upBroker] = brokers as [Broker, Broker, Broker];

    // 1. record a session of up1 and up2
    const rec = await record(recBroker.url);
    const up1 = await up.start({ name: "up1", mqtt: recBroker.url, init: true });
    const kv = async (s: UpstreamServer, args: string[]) => {
      const r = await s.kv(args);
      expect(r.code, `kv ${args.slice(0, 4).join(" ")}: ${r.stderr.split("\n").slice(-5).join("\n")}`).toBe(0);
      return r.stdout;
    };
    await kv(up1, ["data", "a.x", "set", "-e", ":", "1"]);
    await kv(up1, ["data", "a.y", "set", "-v", ":", "hello"]);
    await kv(up1, ["data", "a.z", "set", "-e", ":", "3.5"]);
    await kv(up1, ["data", "a.x", "set", "-e", ":", "2"]);
    await kv(up1, ["data", "a.y", "delete"]);
    await kv(up1, ["data", "big.v460", "set", "-v", ":", "a".repeat(460)]);
    await kv(up1, ["data", "big.v5k", "set", "-v", ":", "b".repeat(5000)]);
    await kv(up1, ["data", "big.v64k", "set", "-v", ":", "c".repeat(65_536)]);
    await kv(up1, ["data", "big.v5k", "set", "-v", ":", "d".repeat(6000)]);
    await kv(up1, ["data", "big.v460", "delete"]);
    // marks, broadcast: a lost tick of a server that is gone, superseded and deleted
    await kv(up1, ["internal", "mark", "-b", "ghost", "3", "4"]);
    await kv(up1, ["internal", "mark", "-d", "-b", "ghost", "7"]);
    // a second server joins: it copies from up1 over the client protocol and gossips from then on
    const up2 = await up.start({ name: "up2", mqtt: recBroker.url, hostmap: { up1: up1.port }, readyMs: 60_000 });
    await kv(up2, ["data", "b", "set", "-e", ":", "3"]);
    await kv(up1, ["data", "a.z", "delete"]);
    // a mark as deleted of a change every server holds: upstream purges the entry, chain and all
    await kv(up2, ["data", "a.x", "set", "-e", ":", "4"]);
    await kv(up1, ["internal", "mark", "-d", "-b", "up2", "2"]);
    // recovery: a server that lacks every tick asks for them, as upstream's do_send_missing does
    // (a fresh server: tick null); up1 and up2 re-send the entries and the known/deleted ticks
    const c1 = await connectTcp(`127.0.0.1:${up1.port}`);
    const nodes = (await c1.request("get_state", { nodes: true })).nodes as Record<string, number>;
    c1.close();
    const ask = await mqtt.connectAsync(recBroker.url);
    const missing = Object.fromEntries(Object.entries(nodes).filter(([, t]) => t).map(([n, t]) => [n, [[1, t + 1]]]));
    await ask.publishAsync("moat/kv/info", Buffer.from(encodeValue({ missing, tock: 1, node: "asker", tick: null })));
    await ask.endAsync();
    await waitFor(() => rec.decoded("update").some((m) => m.chain !== undefined), 30_000, () => `no re-sent update recorded: ${summary(rec.messages)}`);
    await waitFor(() => rec.decoded("info").some((m) => m.known !== undefined && m.node !== ""), 30_000, () => `no known/deleted answer recorded: ${summary(rec.messages)}`);
    // let the last re-sends and announcements go out, then stop recording
    await quiet(() => rec.messages.filter((m) => m.action !== "ping").length, 2000, 30_000);
    await up1.stop();
    await up2.stop();
    await rec.stop();
    const recording = rec.messages.slice();

    // 2. replay it into a fresh ticktock node and a fresh upstream server, each on its own broker
    tt = await startNode(ttBroker.url, "tt");
    ttServer = await serveTcp(tt.node, { port: 0 });
    // a fresh upstream server serves only once it has data or a tick of its own: a state file
    // that says no more than "fresh is at tick 0" (no -I, whose root value would clash)
    const seed = join(mkdtempSync(join(tmpdir(), "ticktock-replay-")), "fresh.state");
    writeFileSync(seed, encodeValue({ nodes: { fresh: 0 } }));
    const fresh = await up.start({ name: "fresh", mqtt: upBroker.url, load: seed });
    await Promise.all([replay(ttBroker.url, recording, { gapMs: 2 }), replay(upBroker.url, recording, { gapMs: 2 })]);

    // 3. compare
    const ct = await connectTcp(`127.0.0.1:${ttServer.port}`);
    const cu = await connectTcp(`127.0.0.1:${fresh.port}`);
    clients.push(ct, cu);
    const states = async () => JSON.stringify([await cu.request("get_state", FLAGS), await ct.request("get_state", FLAGS)].map((x, i) => normalState(x, i ? "tt" : "fresh")), (_k, v) => (typeof v === "bigint" ? String(v) : v));
    let last = "";
    await quiet(async () => (last = await states()), 1000, 30_000);
    const upState = normalState(await cu.request("get_state", FLAGS), "fresh");
    const ttState = normalState(await ct.request("get_state", FLAGS), "tt");
    expect(ttState).toEqual(upState);
    // the session left its marks: the ghost's ticks superseded and deleted, nothing missing
    expect(ttState).toMatchObject({ known: { ghost: [[3, 5], 7] }, deleted: { ghost: [7] }, missing: {} });
    expect(ttState.known).toMatchObject({ up2: [2] });
    const upTree = await tree(cu);
    const ttTree = await tree(ct);
    expect(ttTree).toEqual(upTree);
    expect(ttTree.map((e) => e.value)).toContain("c".repeat(65_536));
    expect(ttTree.map((e) => e.path)).not.toContain("a.x"); // purged by the mark
    expect(ttTree.length).toBeGreaterThanOrEqual(4);
    expect(tt.logs.filter((l) => /dropped/.test(l))).toEqual([]);
  }, 240_000);
});
