// Running the real `ticktock` command (bin/ticktock.js over the built dist/) as a child process.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/ticktock.js", import.meta.url));

export interface Running {
  proc: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  /** Resolve once stderr or stdout matches; reject on exit or timeout. */
  waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

/** Start the command (`bin`: another copy of bin/ticktock.js than this checkout's; `env`: added to ours). */
export function run(args: string[], opts: { cwd?: string; bin?: string; env?: Record<string, string> } = {}): Running {
  const env = opts.env ? { ...process.env, ...opts.env } : undefined;
  const proc = spawn(process.execPath, [opts.bin ?? BIN, ...args], { cwd: opts.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of waiters) w();
  };
  proc.stdout!.on("data", (d) => { out += d; poke(); });
  proc.stderr!.on("data", (d) => { err += d; poke(); });
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => { poke(); resolve(code); }));
  return {
    proc,
    stderr: () => err,
    stdout: () => out,
    exited,
    waitFor(re, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${re}; stderr:\n${err}\nstdout:\n${out}`));
        }, ms);
        const check = () => {
          const m = re.exec(err) ?? re.exec(out);
          if (m) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(m);
          } else if (proc.exitCode !== null) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`exited ${proc.exitCode} before ${re}; stderr:\n${err}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Run to completion. */
export async function runToEnd(args: string[], ms = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = run(args);
  const timer = setTimeout(() => r.proc.kill("SIGKILL"), ms);
  const code = await r.exited;
  clearTimeout(timer);
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}
