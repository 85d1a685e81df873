// One suite for every runtime (Node worker_threads, Chromium's Web Worker, Deno's Worker): a few
// cases through the same contract, as hono's runtime tests do. No test framework inside, so the
// browser and Deno can run it as it is; each runner reports the results.
import type { Role, RoleWorker } from "../../src/worker/contract.js";

export type Spawn = <R extends Role>(role: R, opts?: { timeout?: number }) => Promise<RoleWorker<R>>;

export interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
}

export interface SuiteEnv {
  /** A broker address nobody listens on: calls that need it stay pending. */
  deadBroker: string;
  /** The cluster's broker, MQTT over WebSocket (ws://). */
  broker: string;
  /** A ticktock node named "host" on that broker, its client protocol over WebSocket; it holds greet = "hello". */
  server: string;
  /** A ticktock node named "keep" with auth on (one user, VIEWER, read-only), over WebSocket; it holds kept = 42. */
  locked: string;
}

/** The read-only user of the `locked` node. */
export const VIEWER = { method: "password", name: "viewer", password: "look, don't touch" } as const;

const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x));

function equal(actual: unknown, expected: unknown, what: string): void {
  if (show(actual) !== show(expected)) throw new Error(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

async function rejects(p: Promise<unknown>, pattern: RegExp, what: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    const m = (e as Error).message;
    if (!pattern.test(m)) throw new Error(`${what}: rejected with "${m}", expected ${pattern}`);
    return;
  }
  throw new Error(`${what}: resolved, expected a rejection matching ${pattern}`);
}

export const CASES: { name: string; run(spawn: Spawn, env: SuiteEnv): Promise<void> }[] = [
  {
    name: "ledger: a batch of gossip, get_state and a mark, one call each",
    async run(spawn) {
      const ledger = await spawn("ledger");
      try {
        await ledger.open("test1");
        const r = await ledger.applyBatch([
          { kind: "update", msg: { node: "ghost", tick: 1, prev: null, value: "g1", tock: 1 } },
          { kind: "update", msg: { node: "ghost", tick: 3, prev: null, value: "g3", tock: 1 } },
        ]);
        equal(r.map((x) => x.ok), [true, true], "batch");
        equal((await ledger.getState({ missing: true })).missing, { ghost: [2] }, "missing before the mark");
        equal((await ledger.mark("ghost", "missing")).changed, { ghost: [2] }, "mark");
        equal((await ledger.getState({ missing: true, known: true })).known, { ghost: [2] }, "known after the mark");
      } finally {
        await ledger.terminate();
      }
    },
  },
  {
    name: "ledger: ticks above 2^53 cross the boundary exactly",
    async run(spawn) {
      const ledger = await spawn("ledger");
      try {
        await ledger.open("n");
        const big = 2n ** 62n + 7n;
        await ledger.applyUpdate({ node: "far", tick: big, prev: null, value: 1 });
        equal((await ledger.getState({ nodes: true })).nodes, { far: big }, "nodes");
      } finally {
        await ledger.terminate();
      }
    },
  },
  {
    name: "ledger: a bad message is rejected with its reason and the worker keeps serving",
    async run(spawn) {
      const ledger = await spawn("ledger");
      try {
        await ledger.open("n");
        await rejects(ledger.applyInfo({ node: "x", missing: { a: [[5, 1]] } }), /missing\.a: item 0 \[5, 1\] is not a range/, "bad info");
        await rejects(ledger.getState({}).then(() => ledger.mark("", [1])), /ticks need a node name/, "bad mark");
        equal((await ledger.getState({})).node, "n", "still serving");
      } finally {
        await ledger.terminate();
      }
    },
  },
  {
    name: "facade: only the role's calls, frozen",
    async run(spawn) {
      const ledger = await spawn("ledger");
      try {
        equal(Object.keys(ledger).sort(), ["applyBatch", "applyInfo", "applyUpdate", "close", "getState", "mark", "missing", "open", "terminate"], "methods");
        equal(Object.isFrozen(ledger), true, "frozen");
      } finally {
        await ledger.terminate();
      }
    },
  },
  {
    name: "terminate rejects the pending call and every later one",
    async run(spawn, env) {
      const node = await spawn("node");
      // waits for a broker that never answers; settled is observed from the start (no unhandled rejection)
      const settled = node.start({ name: "x", mqtt: env.deadBroker }).then(
        () => new Error("resolved"),
        (e: Error) => e,
      );
      await new Promise((r) => setTimeout(r, 200));
      await node.terminate();
      const e = await settled;
      if (!/node\.start: node worker was terminated/.test(e.message)) throw new Error(`pending call: got "${e.message}"`);
      await rejects(node.status(), /node\.status: node worker was terminated/, "later call");
    },
  },
  {
    name: "a call that takes too long is rejected by the timeout",
    async run(spawn, env) {
      const node = await spawn("node", { timeout: 400 });
      try {
        await rejects(node.start({ name: "x", mqtt: env.deadBroker }), /node\.start: no answer from the worker within 400 ms/, "timeout");
      } finally {
        await node.terminate();
      }
    },
  },
];

CASES.push(
  {
    name: "console: reads and plans a repair through a node's WebSocket port",
    async run(spawn, env) {
      const kv = await spawn("console");
      try {
        equal((await kv.connect(env.server)).node, "host", "greeting");
        equal((await kv.get(["greet"])).value, "hello", "get");
        equal((await kv.state({ missing: true })).missing, {}, "state");
        const plan = await kv.planMark("host", "missing");
        equal(plan.changes, {}, "nothing to mark");
      } finally {
        await kv.terminate();
      }
    },
  },
  {
    name: "console: logs in to a node with auth (upstream's password exchange), looks, may not mark",
    async run(spawn, env) {
      const kv = await spawn("console");
      try {
        equal((await kv.connect(env.locked) as unknown as { auth: unknown }).auth, ["password"], "the greeting asks for a login");
        await rejects(kv.get(["kept"]), /NoAuthError: get_value needs a login/, "before the login");
        await rejects(kv.connect(env.locked, { ...VIEWER, password: "wrong" }), /login to ws:\/\/127\.0\.0\.1:\d+ as viewer failed: AuthFailedError: user viewer and this password do not match/, "a wrong password");
        equal((await kv.connect(env.locked, VIEWER)).node, "keep", "logged in");
        equal((await kv.get(["kept"])).value, 42, "get");
        await rejects(kv.mark({ ghost: [1] }), /Not allowed: fake_info(_send)? needs a maintainer; user viewer may only look/, "a mark");
      } finally {
        await kv.terminate();
      }
      const obs = await spawn("observer");
      try {
        equal(await obs.seedFrom(env.locked, VIEWER), { node: "keep" }, "the observer logs in too");
      } finally {
        await obs.terminate();
      }
    },
  },
  {
    name: "observer: follows the cluster over MQTT-over-WebSocket, seeded from the server",
    async run(spawn, env) {
      const obs = await spawn("observer");
      try {
        await obs.connect({ mqtt: env.broker });
        equal(await obs.seedFrom(env.server), { node: "host" }, "seeded");
        const snap = await obs.snapshot();
        equal(snap.nodes.find((n) => n.name === "host")?.tick, 1, "host's tick");
        equal(snap.unseen, {}, "nothing unseen");
        const [r] = await obs.raster(["host"], 4);
        equal(Array.from(r!.present), [1, 1, 1, 1], "host's timeline");
      } finally {
        await obs.terminate();
      }
    },
  },
  {
    name: "node: a node in a worker joins from gossip, recovers what it lacks, then serves data",
    async run(spawn, env) {
      const node = await spawn("node");
      try {
        // it starts without host's tick 1 (published before it joined): maintainer-only until
        // the gossip recovery brings it, then serving by itself
        await node.start({ name: `w${Math.floor(Math.random() * 1e6)}`, mqtt: env.broker, startupWait: 300 });
        const until = Date.now() + 10_000;
        while ((await node.status()).mode !== "serving") {
          if (Date.now() > until) throw new Error(`still ${(await node.status()).mode} after 10 s`);
          await new Promise((r) => setTimeout(r, 100));
        }
        equal((await node.get(["greet"]))?.value, "hello", "recovered from the host");
        equal((await node.set(["from", "worker"], 7)).tick, 1, "its first change");
        equal((await node.get(["from", "worker"]))?.value, 7, "read back");
        await node.stop();
      } finally {
        await node.terminate();
      }
    },
  },
);

export async function runSuite(spawn: Spawn, env: SuiteEnv): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of CASES) {
    try {
      await c.run(spawn, env);
      out.push({ name: c.name, ok: true });
    } catch (e) {
      out.push({ name: c.name, ok: false, error: (e as Error).message });
    }
  }
  return out;
}
