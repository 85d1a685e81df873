// The edge health check served by real Deno (`deno serve examples/edge/health.ts`, the TypeScript
// as it is, the core compiled from the embedded bytes).
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "../support/mosquitto.js";
import { waitFor } from "../support/cluster.js";
import { describeHealthCheck } from "./health-cases.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DENO = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));

describeHealthCheck("deno serve", async (settings) => {
  const port = await freePort();
  const proc: ChildProcess = spawn(DENO, ["serve", "--allow-net", "--allow-env", "--port", String(port), "--host", "127.0.0.1", "examples/edge/health.ts"], {
    cwd: ROOT, env: { ...process.env, ...settings, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" }, stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  proc.stdout!.on("data", (d) => (log += d));
  proc.stderr!.on("data", (d) => (log += d));
  await waitFor(() => /Listening on/.test(log) || proc.exitCode !== null, 60_000, () => log);
  if (proc.exitCode !== null) throw new Error(`deno serve exited: ${log}`);
  return { url: `http://127.0.0.1:${port}`, stop: () => void proc.kill("SIGTERM") };
});
