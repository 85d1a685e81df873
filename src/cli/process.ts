// Process-level helpers for commands: option parsing, usage errors, clean shutdown.
import { InvalidArgumentError } from "commander";

/** A mistake in how the command was called: one line on stderr, exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

let status = 0;

/** A command's outcome that is not an error (doctor: 1 something is missing); main() returns it as the exit status. */
export function setExitStatus(code: number): void {
  status = code;
}

export function exitStatus(): number {
  return status;
}

/** Parse an integer option within [min, max], naming the option when it is wrong. */
export function intOption(name: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} takes a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`);
    }
    return n;
  };
}

/** Resolve when SIGINT or SIGTERM arrives, after running `stop` once. */
export function onShutdown(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = () => {
      if (stopping) process.exit(130);
      stopping = true;
      stop().then(resolve, (e) => {
        process.stderr.write(`ticktock: error while stopping: ${(e as Error).message}\n`);
        resolve();
      });
    };
    process.once("SIGINT", handler);
    process.once("SIGTERM", handler);
  });
}
