// The web adapter: a browser's module Web Worker, WebSocket to servers, no state files.
//   worker side:  exposeRole("observer", (d) => createObserverApi(d.connect))   (entries/*.web.ts)
//   main side:    const observer = await spawnRole("observer", { entry: "/observer.worker.js" })
import { expose, wrap } from "comlink";
import type { Role, RoleApis, RoleFactory, RoleWorker } from "../contract.js";
import { guard, type GuardOptions } from "../guard.js";
import { connectWebSocket } from "../../client/websocket.js";
import type { Credentials } from "../../client/login.js";

export function exposeRole<R extends Role>(_role: R, make: RoleFactory<R>): void {
  const connect = (server: string, credentials?: Credentials) => {
    if (!/^wss?:\/\//.test(server)) throw new Error(`${server} is not a ws:// URL; here servers are reached over WebSocket (a node's --ws-port)`);
    return connectWebSocket(server, { credentials });
  };
  expose(make({ connect }));
}

/** Start a module worker playing `role` from its bundled entry script. */
export async function spawnRole<R extends Role>(role: R, opts: GuardOptions & { entry: string | URL }): Promise<RoleWorker<R>> {
  const worker = new Worker(opts.entry, { type: "module" });
  const { facade, gone } = guard(role, wrap<RoleApis[R]>(worker), () => worker.terminate(), opts);
  // An uncaught error in a worker leaves it in an unknown state: treat it as dead.
  worker.addEventListener("error", (e) => {
    e.preventDefault?.();
    gone(`crashed: ${(e as ErrorEvent).message || "uncaught error"}`);
    worker.terminate();
  });
  worker.addEventListener("messageerror", () => gone("sent a message that could not be read"));
  return facade;
}
