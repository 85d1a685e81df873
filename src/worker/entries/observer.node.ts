// The observer role in a Node worker_threads worker.
import { exposeRole } from "../adapters/node.js";
import { createObserverApi } from "../roles/observer.js";

exposeRole("observer", (deps) => createObserverApi(deps.connect));
