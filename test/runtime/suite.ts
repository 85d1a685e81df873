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

/** A broker address nobody listens on: calls that need it stay pending. */
export interface SuiteEnv {
  deadBroker: string;
}

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
