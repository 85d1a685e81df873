// Replay the recorded upstream scenario (test/fixtures/upstream) through two ledgers, one per
// upstream server, and compare their get_state answers with what test1 and test2 answered:
// ghost's skipped tick 2, the info/missing broadcast, `mark -b ghost`, a deletion, a
// partition, and ghost's fake request for everything.
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../../src/core/range-set.js";
import { TickLedger } from "../../src/ledger/tick-ledger.js";
import type { ChainLink, InfoMessage, UpdateMessage } from "../../src/wire/messages.js";
import { mqttMessages, recordedStateReplies, captureText, pyRepr, type RecordedMessage } from "../support/captures.js";

beforeAll(async () => {
  await init();
});

/** What the node's data store will do in ticktock proper: remember each entry's chain by path. */
class Server {
  readonly ledger: TickLedger;
  readonly chains = new Map<string, ChainLink>();
  constructor(name: string) {
    this.ledger = new TickLedger(name);
  }
  update(msg: UpdateMessage & { path?: unknown }): void {
    const key = JSON.stringify(msg.path);
    const previous = this.chains.get(key) ?? null;
    this.ledger.applyUpdate(msg, previous, true);
    this.chains.set(key, msg.chain ?? { node: msg.node, tick: msg.tick, prev: msg.prev ?? null });
  }
}

function stateOf(s: Server, flags: Record<string, boolean>): Record<string, unknown> {
  const reply = { ...s.ledger.getState(flags) } as Record<string, unknown>;
  delete reply.tock; // upstream's tock also counts client connections we do not replay
  return reply;
}

function withoutClock(reply: Record<string, unknown>): Record<string, unknown> {
  const r = { ...reply };
  delete r.tock;
  delete r.seq;
  return r;
}

/** Run the recording up to (not including) time `until`, from where the last call stopped. */
function player(servers: Server[], local: { ts: number; run: () => void }[]) {
  const msgs = mqttMessages();
  let i = 0;
  let j = 0;
  return (until: number) => {
    while (true) {
      const m: RecordedMessage | undefined = msgs[i];
      const l = local[j];
      const next = Math.min(m && m.ts < until ? m.ts : Infinity, l && l.ts < until ? l.ts : Infinity);
      if (next === Infinity) return;
      if (l && l.ts === next) {
        l.run();
        j++;
        continue;
      }
      i++;
      const body = JSON.parse(JSON.stringify(m!.msg), (_k, v) =>
        v && typeof v === "object" && v.$ext === 3 ? { $path: v.items } : v,
      );
      for (const s of servers) {
        if (m!.topic === "moat/kv/update") s.update(body as UpdateMessage);
        else if (m!.topic === "moat/kv/info") s.ledger.applyInfo(body as InfoMessage);
      }
    }
  };
}

function scenario() {
  const test1 = new Server("test1");
  const test2 = new Server("test2");
  // Both servers start with test1's tick 1: the root entry 'Testing' (see state_test1.dkv).
  for (const s of [test1, test2]) s.update({ node: "test1", tick: 1, prev: null, path: { $path: [] }, value: "Testing", tock: 3 });
  const local = [
    // `internal mark test1 2` on test1: tick 2 is present, so nothing changes
    { ts: 1795304810.118672, run: () => test1.ledger.mark("test1", [2]) },
    // `internal mark -b ghost` on test1: fake_info with test1's missing list (then the broadcast is in the recording)
    { ts: 1795304824.68474, run: () => test1.ledger.mark("ghost", "missing") },
  ];
  return { test1, test2, play: player([test1, test2], local) };
}

const CLI_FLAGS = { nodes: true, deleted: true, missing: true, remote_missing: true, present: false, superseded: true };

describe("replaying the upstream recording", () => {
  it("reaches every get_state answer test1 gave the upstream CLI", () => {
    const { test1, play } = scenario();
    const replies = recordedStateReplies();
    expect(replies.length).toBeGreaterThanOrEqual(7);
    for (const { ts, request, reply } of replies) {
      play(ts);
      const flags = Object.fromEntries(Object.entries(request).filter(([k, v]) => typeof v === "boolean" && k !== "debug" && k !== "debugger")) as Record<string, boolean>;
      expect({ ts, state: stateOf(test1, flags) }).toEqual({ ts, state: withoutClock(reply) });
    }
  });

  it("reaches test1's raw get_state answers, present sets included (kvwire captures)", () => {
    const { test1, play } = scenario();
    const at = (hhmmss: string) => Date.parse(`2026-11-21T${hhmmss}Z`) / 1000;
    const checks: [number, string, string][] = [];
    for (const [file, time] of [["kvwire_basic_test1.txt", "23:46:50"], ["kvwire_missing_test1.txt", ""]] as const) {
      let stamp: string = time;
      let request = "";
      for (const line of captureText(file).split("\n")) {
        const conn = /^=== \d{4}-\d\d-\d\d (\d\d:\d\d:\d\d) connect/.exec(line);
        if (conn) stamp = conn[1]!;
        const req = /^C>S msg: (\{.*\})$/.exec(line);
        if (req) request = req[1]!;
        const rep = /^S>C msg: (\{.*\})$/.exec(line);
        if (rep && request.includes("'get_state'")) checks.push([at(stamp) + 0.9, request, rep[1]!]);
      }
    }
    expect(checks.length).toBe(5);
    for (const [ts, request, reply] of checks) {
      play(ts);
      const req = pyRepr(request) as Record<string, unknown>;
      const flags = Object.fromEntries(Object.entries(req).filter(([, v]) => typeof v === "boolean")) as Record<string, boolean>;
      expect(stateOf(test1, flags)).toEqual(withoutClock(pyRepr(reply) as Record<string, unknown>));
    }
  });

  it("reaches what `internal state -ndmrk` printed for test2 at each phase", () => {
    const { test2, play } = scenario();
    // (end of phase, what test2 answered), from cli_outputs.txt
    const phases: [number, Record<string, unknown>][] = [
      [1795304810, { nodes: { test1: 3, test2: 1 }, known: {}, deleted: {}, missing: {}, remote_missing: {} }],
      [1795304823, { nodes: { test1: 3, test2: 1, ghost: 3 }, known: {}, deleted: {}, missing: { ghost: [2] }, remote_missing: {} }],
      [1795304828, { nodes: { test1: 3, test2: 1, ghost: 3 }, known: { ghost: [2] }, deleted: {}, missing: {}, remote_missing: {} }],
      [1795304884, { nodes: { test1: 6, test2: 2, ghost: 3 }, known: { test1: [3], ghost: [2] }, deleted: { test1: [4] }, missing: {}, remote_missing: {} }],
      [1795304912, { nodes: { test1: 6, test2: 2, ghost: 3 }, known: { test1: [3], ghost: [2] }, deleted: { test1: [4] }, missing: {}, remote_missing: {} }],
    ];
    for (const [ts, expected] of phases) {
      play(ts);
      expect({ ts, state: stateOf(test2, CLI_FLAGS) }).toEqual({ ts, state: { ...expected, node: "test2" } });
    }
  });

  it("leaves test1's remote_missing at test1 [3] after ghost asks for everything", () => {
    // ghost's fake info/missing asks for test1 1..6 and test2 1..2; test1 re-sends every update
    // it holds (and hears them itself), and announces 3 as known: only 3 stays reported.
    const { test1, play } = scenario();
    play(1795304885.4);
    expect(test1.ledger.getState({ remote_missing: true }).remote_missing).toEqual({ test1: [[1, 7]], test2: [[1, 3]] });
    play(1795304912);
    expect(test1.ledger.getState({ remote_missing: true }).remote_missing).toEqual({ test1: [3] });
  });
});
