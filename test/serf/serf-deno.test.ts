// The Serf transport in Deno (node:net through Deno's Node compatibility): a node on a real
// agent sends a split update and hears it back through the agent.
import { afterAll, beforeAll, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startSerfAgents, stopSerfAgents, type SerfAgent } from "../support/serf-agents.js";

const DENO = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));
let agents: SerfAgent[] = [];
beforeAll(async () => {
  agents = await startSerfAgents(1, 17700);
});
afterAll(async () => {
  await stopSerfAgents(agents);
});

it("runs a node on a Serf agent in Deno", async () => {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(DENO, ["run", "--allow-read", "--allow-net", "--allow-env", "--allow-sys", fileURLToPath(new URL("./fixtures/deno-serf.ts", import.meta.url)), agents[0]!.rpc], { cwd: fileURLToPath(new URL("../..", import.meta.url)), timeout: 60_000, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } }, (err, stdout, stderr) =>
      err ? reject(new Error(`deno failed: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
  expect(JSON.parse(out.trim().split("\n").at(-1)!)).toEqual({ connection: "connected", echoed: true, value: 3000 });
});
