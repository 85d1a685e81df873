// The ledger behind comlink in a real Node worker_threads worker: wire-form objects in and out,
// bigints intact, one call per message or batch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Worker } from "node:worker_threads";
import { wrap, type Remote } from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import type { LedgerApi } from "../../src/worker/ledger-api.js";
import { bundle } from "../support/bundle.js";

let worker: Worker;
let ledger: Remote<LedgerApi>;

beforeAll(async () => {
  const entry = await bundle(new URL("../../src/worker/ledger-worker.node.ts", import.meta.url));
  worker = new Worker(entry);
  ledger = wrap<LedgerApi>(nodeEndpoint(worker));
  await ledger.open("test1");
});

afterAll(async () => {
  await worker.terminate();
});

describe("a ledger in a worker", () => {
  it("applies gossip in one batch call and answers get_state", async () => {
    const result = await ledger.applyBatch([
      { kind: "update", msg: { node: "ghost", tick: 1, prev: null, value: "g1", tock: 1 } },
      { kind: "update", msg: { node: "ghost", tick: 3, prev: null, value: "g3", tock: 1 } },
      { kind: "info", msg: { node: "test2", tick: 1, tock: 57, missing: { ghost: [2] } } },
      { kind: "info", msg: { node: "test2", missing: { ghost: [[5, 1]] } } },
    ]);
    expect(result.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(result[3]).toEqual({ ok: false, error: "TickLedger.applyInfo: missing.ghost: item 0 [5, 1] is not a range: start 5 must be < end 1" });
    const state = await ledger.getState({ nodes: true, known: true, missing: true, remote_missing: true });
    // test2's info also says its own tick is 1, which this ledger has not seen: missing too
    expect(state).toEqual({ nodes: { ghost: 3, test2: 1 }, known: {}, missing: { ghost: [2], test2: [1] }, remote_missing: { ghost: [2] }, node: "test1", tock: 58 });
  });

  it("marks and reports the change", async () => {
    const r = await ledger.mark("ghost", "missing");
    expect(r.changed).toEqual({ ghost: [2] });
    expect((await ledger.getState({ missing: true })).missing).toEqual({ test2: [1] });
  });

  it("carries bigint ticks across the boundary exactly", async () => {
    const big = 2n ** 63n - 1n;
    await ledger.applyUpdate({ node: "far", tick: big, prev: null, value: 1 });
    const s = await ledger.getState({ nodes: true, present: true });
    expect(s.nodes!.far).toBe(big);
    expect(s.present!.far).toEqual([big]);
  });

  it("rejects a call with the ledger's error message, and keeps serving", async () => {
    await expect(ledger.applyInfo({ node: "x", ticks: { a: -1 } })).rejects.toThrow("TickLedger.applyInfo: ticks.a -1 is not a tick");
    expect((await ledger.getState({})).node).toBe("test1");
  });

  it("exposes a frozen facade, not the ledger object", async () => {
    await expect((ledger as unknown as { constructor: { name: Promise<string> } }).constructor.name).resolves.toBe("Object");
  });
});
