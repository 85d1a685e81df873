// comlink's gap, closed: a call to a worker that died, exited or hangs never settles. guard()
// wraps a comlink proxy in a frozen facade of the role's methods only, and rejects every
// pending call with a clear error when the worker is gone or a call takes too long.
import type { Remote as ComlinkRemote } from "comlink";
import { ROLE_METHODS, type Role, type RoleApis, type RoleWorker } from "./contract.js";

export class WorkerGoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkerGoneError";
  }
}

export interface GuardOptions {
  /** Reject a call that has not settled after this long, ms. Default 30,000; 0: never. */
  timeout?: number;
}

/**
 * `onGone` is called by the adapter when the runtime says the worker is gone (error, exit);
 * `kill` stops the worker.
 */
export function guard<R extends Role>(
  role: R,
  remote: ComlinkRemote<RoleApis[R]>,
  kill: () => Promise<void> | void,
  opts: GuardOptions = {},
): { facade: RoleWorker<R>; gone: (why: string) => void } {
  const timeout = opts.timeout ?? 30_000;
  const pending = new Set<(e: Error) => void>();
  let dead: Error | undefined;
  let announce!: (e: Error) => void;
  const goneP = new Promise<Error>((resolve) => (announce = resolve));
  const gone = (why: string) => {
    if (dead) return;
    dead = new WorkerGoneError(`${role} worker ${why}`);
    for (const reject of pending) reject(dead);
    pending.clear();
    announce(dead);
  };
  const call = (method: string) => (...args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      if (dead) return reject(new WorkerGoneError(`${role}.${method}: ${dead.message}`));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = <T,>(fn: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        pending.delete(fail);
        fn(v);
      };
      const fail = (e: Error) => settle(reject)(new WorkerGoneError(`${role}.${method}: ${e.message}`));
      pending.add(fail);
      if (timeout > 0) {
        timer = setTimeout(() => {
          pending.delete(fail);
          reject(new WorkerGoneError(`${role}.${method}: no answer from the worker within ${timeout} ms`));
        }, timeout);
      }
      (remote as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args).then(settle(resolve), settle(reject));
    });
  const facade: Record<string, unknown> = {};
  for (const m of ROLE_METHODS[role]) facade[m] = call(m);
  facade.terminate = async () => {
    gone("was terminated");
    await kill();
  };
  Object.defineProperty(facade, "gone", { value: goneP, enumerable: false });
  return { facade: Object.freeze(facade) as RoleWorker<R>, gone };
}
