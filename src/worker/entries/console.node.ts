// The console role in a Node worker_threads worker.
import { exposeRole } from "../adapters/node.js";

exposeRole("console");
