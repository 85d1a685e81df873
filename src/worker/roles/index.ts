// Building a role's facade from what the runtime provides.
import type { Role, RoleApis } from "../contract.js";
import { createLedgerApi } from "./ledger.js";
import { createNodeApi } from "./node.js";
import { createObserverApi } from "./observer.js";
import { createConsoleApi, type Connect } from "./console.js";
import type { StateStorage } from "../../node/state-file.js";

/** What differs between runtimes: how to reach a server, where state files live. */
export interface RuntimeDeps {
  connect: Connect;
  storage?: StateStorage;
}

export function createRole<R extends Role>(role: R, deps: RuntimeDeps): RoleApis[R] {
  const make: { [K in Role]: () => RoleApis[K] } = {
    ledger: createLedgerApi,
    node: () => createNodeApi({ storage: deps.storage }),
    observer: () => createObserverApi(deps.connect),
    console: () => createConsoleApi(deps.connect),
  };
  return make[role]() as RoleApis[R];
}
