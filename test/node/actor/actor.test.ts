// The actor's state machine on an injected clock: actors on an in-memory broadcast bus (every
// message reaches every actor, the sender included, after a small delay), time advanced by hand.
import { describe, expect, it } from "vitest";
import { Actor, MAX_KNOWN_NODES, type ActorEvent } from "../../../src/node/actor/actor.js";
import { NodeList } from "../../../src/node/actor/node-list.js";
import { parseActorMessage, type ActorMessage, type ActorValue } from "../../../src/node/actor/messages.js";
import { decodeValue, encodeValue } from "../../../src/wire/codec.js";
import { ManualClock } from "../../support/manual-clock.js";


/** A seeded random source, so that runs repeat. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Member {
  actor: Actor;
  events: { at: number; e: ActorEvent }[];
  value: ActorValue;
  /** Which partition it is in: messages reach only members of the same one. */
  side: number;
}

function cluster(names: string[], opts: { values?: (ActorValue | undefined)[]; latency?: number; seed?: number } = {}) {
  const clock = new ManualClock();
  const members = new Map<string, Member>();
  const sent: { from: string; msg: ActorMessage; bytes: Uint8Array }[] = [];
  const latency = opts.latency ?? 5;
  names.forEach((name, i) => {
    const m: Member = { actor: undefined as unknown as Actor, events: [], value: opts.values?.[i] === undefined ? [1, 1] : opts.values[i]!, side: 0 };
    m.actor = new Actor({
      name, clock, random: seeded((opts.seed ?? 1) * 100 + i), config: { cycle: 3, gap: 1 },
      value: () => m.value,
      onEvent: (e) => m.events.push({ at: clock.t, e }),
      send: (msg) => {
        const bytes = encodeValue(msg);
        sent.push({ from: name, msg, bytes });
        clock.setTimeout(() => {
          for (const other of members.values()) if (other.side === m.side) other.actor.receive(parseActorMessage(decodeValue(bytes)));
        }, latency);
      },
    });
    members.set(name, m);
  });
  return { clock, members, sent, start: () => { for (const m of members.values()) m.actor.start(); } };
}

const tags = (m: Member) => m.events.filter((x) => x.e.type === "tag");

describe("NodeList (the actor's history)", () => {
  it("moves a name to the front and drops stale names as asyncactor's does", () => {
    const n = new NodeList(3);
    const steps: string[][] = [];
    for (const x of ["a", "a", "b", "a", "c", "d", "c"]) steps.push(n.add(x).toArray());
    expect(steps).toEqual([["a"], ["a"], ["b", "a"], ["a", "b"], ["c", "a", "b"], ["d", "c", "a"], ["c", "d"]]);
  });
});

describe("the ping actor", () => {
  it("announces itself with init and vers, then pings once it heard itself", () => {
    const c = cluster(["solo"]);
    c.start();
    expect(c.sent.map((s) => s.msg.t)).toEqual(["init", "vers"]);
    expect(c.sent[1]!.msg).toMatchObject({ cycle: 3, gap: 1, nodes: 5, splits: 4, n_hosts: 10, version: 0, force_in: 0 });
    // the first ping comes after cycle + (1.5 .. 1.75) * gap
    c.clock.advance(4400);
    expect(c.sent.filter((s) => s.msg.t === "ping")).toHaveLength(0);
    c.clock.advance(400);
    expect(c.sent.filter((s) => s.msg.t === "ping").map((s) => s.msg)).toEqual([{ t: "ping", node: "solo", value: [1, 1], history: ["solo"] }]);
  });

  it("makes a lone node 'it' in turn, one tag per cycle + 2 * gap", () => {
    const c = cluster(["solo"]);
    c.start();
    c.clock.advance(60_000);
    const m = c.members.get("solo")!;
    const t = tags(m).map((x) => x.at);
    expect(t.length).toBeGreaterThanOrEqual(10);
    // between tags: gap + (cycle - gap / 2) + 1.5 * gap = cycle + 2 * gap (plus the latency)
    for (let i = 1; i < t.length; i++) expect(t[i]! - t[i - 1]!).toBeCloseTo(5000, -1);
    expect(m.events.filter((x) => x.e.type === "untag")).toHaveLength(t.length - (m.actor.tagged ? 1 : 0));
  });

  it("lets one node at a time be 'it', and every node gets turns", () => {
    const names = ["n1", "n2", "n3"];
    const c = cluster(names, { seed: 3 });
    c.start();
    c.clock.advance(600_000);
    // intervals in which each node was "it" never overlap
    const spans: [number, number, string][] = [];
    for (const [name, m] of c.members) {
      let from: number | undefined;
      for (const { at, e } of m.events) {
        if (e.type === "tag") from = at;
        if ((e.type === "untag" || e.type === "detag") && from !== undefined) {
          spans.push([from, at, name]);
          from = undefined;
        }
      }
    }
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0], JSON.stringify(spans.slice(i - 1, i + 1))).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    // a node off the history tries to get on only rarely (upstream: odds 1 / todo / n_hosts per
    // cycle), so the third one takes a while
    for (const n of names) expect(spans.some((s) => s[2] === n), n).toBe(true);
    expect(spans.length).toBeGreaterThan(15);
    // the histories agree, and list every node
    const h = c.members.get("n1")!.actor.history;
    expect([...h].sort()).toEqual(names);
  });

  it("tells a node that is not ready which nodes are ready (sources to copy from)", () => {
    const c = cluster(["old1", "old2", "fresh"], { values: [[10, 3], [12, 4], null] });
    c.start();
    c.clock.advance(30_000);
    const good = c.members.get("fresh")!.events.filter((x) => x.e.type === "good").map((x) => x.e);
    expect(good.length).toBeGreaterThan(0);
    for (const g of good) {
      expect(g.type === "good" && g.nodes.length > 0 && g.nodes.every((n) => n === "old1" || n === "old2")).toBe(true);
    }
    // ready nodes hear no such event; the fresh node's pings say it is not ready
    expect(c.members.get("old1")!.events.some((x) => x.e.type === "good")).toBe(false);
    for (const s of c.sent.filter((s) => s.from === "fresh" && s.msg.t === "ping")) expect((s.msg as { value: unknown }).value).toBeNull();
  });

  it("prefers the ping with the higher value when two collide, then the lower name", () => {
    const c = cluster(["a"], { values: [[5, 1]] });
    c.start();
    c.clock.advance(4900); // a pinged: its history is [a]
    const a = c.members.get("a")!.actor;
    expect(a.history).toEqual(["a"]);
    // pings that do not follow a's: x's value [9, 1] beats a's [5, 1]
    a.receive({ t: "ping", node: "x", value: [9, 1], history: ["x"] });
    expect(a.history).toEqual(["x"]);
    // the same value: the lower name wins
    a.receive({ t: "ping", node: "y", value: [9, 1], history: ["y"] });
    expect(a.history).toEqual(["x"]);
    a.receive({ t: "ping", node: "w", value: [9, 1], history: ["w"] });
    expect(a.history).toEqual(["w"]);
    // a lower tock loses, whatever the tick; no value at all loses to any value
    a.receive({ t: "ping", node: "v", value: [8, 100], history: ["v"] });
    a.receive({ t: "ping", node: "u", value: null, history: ["u"] });
    expect(a.history).toEqual(["w"]);
    // a ping that follows the last one enters the history
    a.receive({ t: "ping", node: "v", value: [8, 100], history: ["v", "w"] });
    expect(a.history).toEqual(["v", "w"]);
  });

  it("starts a recovery when two histories meet after a split, and the first node of a side sends `hist`", () => {
    const names = ["l1", "l2", "r1", "r2"];
    const c = cluster(names, { seed: 7 });
    c.start();
    c.clock.advance(20_000);
    // split: l* and r* stop hearing each other, and each side goes on pinging
    c.members.get("r1")!.side = 1;
    c.members.get("r2")!.side = 1;
    c.clock.advance(40_000);
    const before = c.sent.length;
    for (const m of c.members.values()) m.side = 0; // healed
    c.clock.advance(30_000);
    const recovers = [...c.members.values()].flatMap((m) => m.events.filter((x) => x.e.type === "recover").map((x) => ({ node: m.actor.name, e: x.e })));
    expect(recovers.length, JSON.stringify(c.sent.slice(before).map((s) => s.msg))).toBeGreaterThan(0);
    for (const { node, e } of recovers) {
      if (e.type !== "recover") continue;
      expect(e.local).toContain(node);
      expect(e.local[e.prio]).toBe(node);
    }
    const hist = c.sent.slice(before).filter((s) => s.msg.t === "hist");
    expect(hist.length).toBeGreaterThan(0);
    // afterwards one history again: every node's starts with the same pinger
    c.clock.advance(30_000);
    const heads = new Set([...c.members.values()].map((m) => m.actor.history[0]));
    expect(heads.size).toBe(1);
  });

  it("adopts a higher config version from the network and answers a lower one with its own", () => {
    const c = cluster(["a"]);
    c.start();
    c.clock.advance(10_000);
    const a = c.members.get("a")!;
    a.actor.receive({ t: "vers", node: "z", cycle: 6, gap: 2, nodes: 5, splits: 4, n_hosts: 10, version: 2, force_in: 0 });
    expect(a.actor.config).toMatchObject({ cycle: 6, gap: 2, version: 2 });
    expect(a.events.some((x) => x.e.type === "setup")).toBe(true);
    const n = c.sent.length;
    a.actor.receive({ t: "vers", node: "y", cycle: 3, gap: 1, nodes: 5, splits: 4, n_hosts: 10, version: 1, force_in: 0 });
    c.clock.advance(3000);
    expect(c.sent.slice(n).some((s) => s.msg.t === "vers" && s.msg.version === 2)).toBe(true);
  });

  it("keeps its config when a newer one is unusable (a cycle of 0 would be a ping storm)", () => {
    const logs: string[] = [];
    const c = cluster(["a"]);
    const a = c.members.get("a")!;
    const actor = new Actor({ name: "b", value: () => null, onEvent: () => {}, send: () => {}, clock: c.clock, log: (_l, line) => logs.push(line), config: { cycle: 3, gap: 1 } });
    actor.start();
    actor.receive({ t: "init", node: "b" });
    actor.receive({ t: "vers", node: "z", cycle: 0, gap: 0, nodes: 5, splits: 4, n_hosts: 10, version: 9, force_in: 0 });
    c.clock.advance(5000); // messages wait until the first ping, as upstream's do
    expect(actor.config).toMatchObject({ cycle: 3, gap: 1, version: 0 });
    // a second init of our own name: another node with this name
    actor.receive({ t: "init", node: "b" });
    expect(logs).toEqual([
      "actor: config version 9 from z: cycle 0 is too short; expected at least 1 second; keeping version 0",
      "actor: a second node named b started (its init message arrived); node names must be unique",
    ]);
    actor.stop();
    expect(a.actor.config.version).toBe(0);
  });

  it("remembers a bounded number of node names, whatever names pings make up", () => {
    const c = cluster(["a"]);
    c.start();
    c.clock.advance(4900);
    const a = c.members.get("a")!.actor;
    for (let i = 0; i < MAX_KNOWN_NODES + 500; i++) a.receive({ t: "ping", node: `fake${i}`, value: [1, 1], history: [`fake${i}`, "nobody"] });
    expect(a.valueOf("fake0")).toBeNull(); // forgotten
    expect(a.valueOf(`fake${MAX_KNOWN_NODES + 499}`)).toEqual([1, 1]);
    expect(a.valueOf("a")).toEqual([1, 1]); // its own value stays
  });

  it("sends nothing after stop", () => {
    const c = cluster(["a"]);
    c.start();
    c.members.get("a")!.actor.stop();
    const n = c.sent.length;
    c.clock.advance(60_000);
    expect(c.sent.length).toBe(n);
  });
});
