// The one contract every runtime shares: which roles a worker can play, and each role's calls.
// A role's facade is frozen and holds exactly these methods; calls are coarse (one per message,
// batch or query). The runtime adapters (adapters/node.ts, web.ts, deno.ts) expose a role in a
// worker and spawn one from the main thread, with the same names everywhere.
import type { LedgerApi } from "./roles/ledger.js";
import type { NodeApi } from "./roles/node.js";
import type { ObserverApi } from "./roles/observer.js";
import type { ConsoleApi, Connect } from "./roles/console.js";
import type { StateStorage } from "../node/state-file.js";

export interface RoleApis {
  ledger: LedgerApi;
  node: NodeApi;
  observer: ObserverApi;
  console: ConsoleApi;
}
export type Role = keyof RoleApis;

export const ROLE_METHODS: { readonly [R in Role]: readonly (keyof RoleApis[R] & string)[] } = Object.freeze({
  ledger: ["open", "applyUpdate", "applyInfo", "applyBatch", "getState", "missing", "mark", "close"],
  node: ["start", "status", "get", "set", "delete", "tree", "getState", "mark", "stop"],
  observer: ["connect", "seed", "seedFrom", "snapshot", "raster", "runsAt", "diagnose", "broadcast", "close"],
  console: ["connect", "state", "planMark", "mark", "get", "set", "delete", "tree", "close"],
} as const);

/** A role's calls as the main thread sees them: every result is a promise. */
export type Remote<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** The main thread's handle on a worker playing a role. */
export type RoleWorker<R extends Role> = Remote<RoleApis[R]> & {
  /** Stop the worker; every pending and later call is rejected. */
  terminate(): Promise<void>;
  /** Resolves with the reason once the worker is gone (crashed, exited or terminated). */
  readonly gone: Promise<Error>;
};

/** What differs between runtimes, handed to a role when its worker starts. */
export interface RuntimeDeps {
  /** How to reach a server: ws:// URLs everywhere, host:port where TCP exists. */
  connect: Connect;
  /** Where state files live, where there is a file system. */
  storage?: StateStorage;
}

/** Builds a role's facade in its worker. Each entry passes its own, so a bundle holds one role. */
export type RoleFactory<R extends Role> = (deps: RuntimeDeps) => RoleApis[R];
