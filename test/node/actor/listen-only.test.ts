// The actor's listen-only mode (asyncactor's enabled=False, disable(), enable(n)), which
// upstream's Delete actor uses for servers that are not deleters: it never pings, yet reports
// the cluster's pings with their history.
import { expect, it } from "vitest";
import { Actor, type ActorEvent } from "../../../src/node/actor/actor.js";
import { parseActorMessage, type ActorMessage } from "../../../src/node/actor/messages.js";
import { decodeValue, encodeValue } from "../../../src/wire/codec.js";
import { ManualClock } from "../../support/manual-clock.js";


function bus(members: { name: string; enabled: boolean }[], nodes = 2) {
  const clock = new ManualClock();
  const actors = new Map<string, Actor>();
  const events = new Map<string, ActorEvent[]>();
  const sent: { from: string; msg: ActorMessage }[] = [];
  let seed = 7;
  const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0), seed / 2 ** 32);
  for (const { name, enabled } of members) {
    events.set(name, []);
    actors.set(name, new Actor({
      name, clock, random, enabled, config: { cycle: 3, gap: 1, nodes },
      value: () => [1, 1],
      onEvent: (e) => events.get(name)!.push(e),
      send: (msg) => {
        sent.push({ from: name, msg });
        const bytes = encodeValue(msg);
        clock.setTimeout(() => { for (const a of actors.values()) a.receive(parseActorMessage(decodeValue(bytes))); }, 5);
      },
    }));
  }
  for (const a of actors.values()) a.start();
  return { clock, actors, events, sent };
}

it("a listen-only actor sends init and vers only, and reports the others' pings with their history", () => {
  const { clock, actors, events, sent } = bus([{ name: "a", enabled: true }, { name: "b", enabled: true }, { name: "q", enabled: false }]);
  clock.advance(60_000);
  expect(sent.filter((s) => s.from === "q").map((s) => s.msg.t)).toEqual(["init", "vers"]);
  const pings = events.get("q")!.filter((e) => e.type === "ping");
  expect(pings.length).toBeGreaterThan(5);
  const last = pings.at(-1) as Extract<ActorEvent, { type: "ping" }>;
  expect(last.history.sort()).toEqual(["a", "b"]);
  expect(events.get("q")!.some((e) => e.type === "tag")).toBe(false);
  expect(actors.get("q")!.enabled).toBe(false);
  expect(actors.get("q")!.history).toEqual([]);
  // the pinging pair still take turns
  expect(events.get("a")!.some((e) => e.type === "tag")).toBe(true);
  expect(events.get("b")!.some((e) => e.type === "tag")).toBe(true);
});

it("enable(n) raises the config's nodes with a new version and joins the pinging", () => {
  const { clock, actors, events, sent } = bus([{ name: "a", enabled: true }, { name: "b", enabled: true }, { name: "q", enabled: false }]);
  clock.advance(20_000);
  actors.get("q")!.enable(3);
  clock.advance(60_000);
  const vers = sent.filter((s) => s.from === "q" && s.msg.t === "vers").map((s) => s.msg as ActorMessage & { nodes: number; version: number });
  expect(vers.at(-1)).toMatchObject({ nodes: 3, version: 1 });
  for (const n of ["a", "b"]) expect(actors.get(n)!.config).toMatchObject({ nodes: 3, version: 1 });
  expect(sent.some((s) => s.from === "q" && s.msg.t === "ping")).toBe(true);
  expect(events.get("q")!.some((e) => e.type === "tag")).toBe(true);
  expect(actors.get("q")!.history).toContain("q");
});

it("disable() ends a turn and the pinging; enable() without a length keeps the config", () => {
  const { clock, actors, events, sent } = bus([{ name: "a", enabled: true }, { name: "b", enabled: true }]);
  clock.advance(30_000);
  const a = actors.get("a")!;
  while (!a.tagged) clock.advance(100);
  a.disable();
  expect(events.get("a")!.at(-1)).toEqual({ type: "untag" });
  const before = sent.filter((s) => s.from === "a").length;
  clock.advance(30_000);
  expect(sent.filter((s) => s.from === "a").length).toBe(before);
  expect(events.get("b")!.filter((e) => e.type === "tag").length).toBeGreaterThan(3);
  a.enable();
  clock.advance(30_000);
  expect(sent.filter((s) => s.from === "a" && s.msg.t === "ping").length).toBeGreaterThan(0);
  expect(a.config).toMatchObject({ nodes: 2, version: 0 });
});
