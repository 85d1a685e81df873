// The console role in a Node worker_threads worker.
import { exposeRole } from "../adapters/node.js";
import { createConsoleApi } from "../roles/console.js";

exposeRole("console", (deps) => createConsoleApi(deps.connect));
