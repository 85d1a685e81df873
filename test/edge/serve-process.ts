// Start an edge runtime as a process serving HTTP on a port, and wait until it answers.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Served } from "./health-cases.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export async function serveProcess(cmd: string, args: string[], env: Record<string, string | undefined>, url: string, timeout = 30_000): Promise<Served> {
  const proc = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout.on("data", (d) => (log += d));
  proc.stderr.on("data", (d) => (log += d));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      await exited;
    }
  };
  const deadline = Date.now() + timeout;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${cmd} ${args.join(" ")} exited with code ${proc.exitCode}: ${log}`);
    try {
      await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(2000) });
      return { url, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${cmd} did not answer at ${url} within ${timeout} ms: ${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
