// The runtime suite in Node worker_threads, through the Node adapter.
import { describe, expect, it } from "vitest";
import { spawnRole } from "../../src/worker/adapters/node.js";
import type { Role } from "../../src/worker/contract.js";
import { bundle } from "../support/bundle.js";
import { freePort } from "../support/mosquitto.js";
import { CASES, runSuite } from "./suite.js";
import { startSuiteEnv } from "./env.js";

const entries = new Map<Role, string>();
async function entry(role: Role): Promise<string> {
  if (!entries.has(role)) entries.set(role, await bundle(new URL(`../../src/worker/entries/${role}.node.ts`, import.meta.url)));
  return entries.get(role)!;
}

describe("workers in Node (worker_threads)", () => {
  it("pass the shared runtime suite", async () => {
    const env = await startSuiteEnv();
    try {
      const results = await runSuite(async (role, opts) => spawnRole(role, { ...opts, entry: await entry(role) }), env);
      expect(results).toEqual(CASES.map((c) => ({ name: c.name, ok: true })));
    } finally {
      await env.close();
    }
  });

  it("reject pending calls when the worker exits on its own", async () => {
    const dying = await bundle(new URL("./fixtures/dying-node.ts", import.meta.url));
    const node = await spawnRole("node", { entry: dying });
    const settled = node.start({ name: "x", mqtt: `ws://127.0.0.1:${await freePort()}` }).then(() => "resolved", (e: Error) => e.message);
    expect(await settled).toBe("node.start: node worker exited with code 3");
    expect((await node.gone).message).toBe("node worker exited with code 3");
    await expect(node.status()).rejects.toThrow("node.status: node worker exited with code 3");
  });
});
