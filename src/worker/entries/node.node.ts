// The node role in a Node worker_threads worker.
import { exposeRole } from "../adapters/node.js";
import { createNodeApi } from "../roles/node.js";

exposeRole("node", (deps) => createNodeApi({ storage: deps.storage }));
