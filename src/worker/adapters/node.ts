// Node's adapter: worker_threads, TCP or WebSocket to servers, state files on disk.
//   worker side:  exposeRole("ledger", () => createLedgerApi())   (see entries/*.node.ts)
//   main side:    const ledger = await spawnRole("ledger"); await ledger.open("test1")
import { Worker, parentPort } from "node:worker_threads";
import { expose, wrap } from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import WebSocket from "ws";
import type { Role, RoleApis, RoleFactory, RoleWorker } from "../contract.js";
import { guard, type GuardOptions } from "../guard.js";
import { connectTcp } from "../../client/tcp.js";
import { connectWebSocket } from "../../client/websocket.js";
import type { Credentials } from "../../client/login.js";
import { fsStorage } from "../../node/state-file-fs.js";

export function exposeRole<R extends Role>(role: R, make: RoleFactory<R>): void {
  if (!parentPort) throw new Error(`exposeRole(${role}): not in a worker_threads worker`);
  const connect = (server: string, credentials?: Credentials) =>
    /^wss?:\/\//.test(server) ? connectWebSocket(server, { WebSocket: WebSocket as never, credentials }) : connectTcp(server, { credentials });
  expose(make({ connect, storage: fsStorage }), nodeEndpoint(parentPort));
}

/** Start a worker playing `role`. `entry`: the worker file (default: the built entries/<role>.node.js). */
export async function spawnRole<R extends Role>(role: R, opts: GuardOptions & { entry?: string | URL } = {}): Promise<RoleWorker<R>> {
  // a worker inherits the process's flags; --input-type (node -e) is not one a worker accepts
  const execArgv = process.execArgv.filter((a) => !a.startsWith("--input-type"));
  const worker = new Worker(opts.entry ?? new URL(`../entries/${role}.node.js`, import.meta.url), { execArgv });
  const { facade, gone } = guard(role, wrap<RoleApis[R]>(nodeEndpoint(worker)), () => worker.terminate().then(() => undefined), opts);
  worker.on("error", (e) => gone(`crashed: ${e.message}`));
  worker.on("exit", (code) => gone(`exited with code ${code}`));
  return facade;
}
