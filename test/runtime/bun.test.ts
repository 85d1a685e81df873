// The runtime suite in real Bun (the npm `bun` package's binary): the runner and every role's
// worker run as Bun runs TypeScript, through the Node adapter on Bun's worker_threads and through
// the web adapter on Bun's Web Worker.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CASES } from "./suite.js";
import { startSuiteEnv } from "./env.js";

const BUN = fileURLToPath(new URL("../../node_modules/.bin/bun", import.meta.url));
let env: Awaited<ReturnType<typeof startSuiteEnv>>;
beforeAll(async () => {
  env = await startSuiteEnv();
});
afterAll(async () => {
  await env?.close();
});

function runInBun(flavour: "node" | "web"): Promise<string> {
  const runner = fileURLToPath(new URL("./bun-runner.ts", import.meta.url));
  return new Promise<string>((resolve, reject) =>
    execFile(BUN, ["run", runner, flavour, env.deadBroker, env.broker, env.server, env.locked], { cwd: fileURLToPath(new URL("../..", import.meta.url)), timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } }, (err, stdout, stderr) =>
      err ? reject(new Error(`bun failed: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}
const expected = () => CASES.map((c) => ({ name: c.name, ok: true }));

describe("workers in Bun", () => {
  it("pass the shared runtime suite on worker_threads (the Node adapter)", async () => {
    expect(JSON.parse((await runInBun("node")).trim().split("\n").at(-1)!)).toEqual(expected());
  });

  it("pass the shared runtime suite on Web Workers (the web adapter)", async () => {
    expect(JSON.parse((await runInBun("web")).trim().split("\n").at(-1)!)).toEqual(expected());
  });
});
