// The node role in a Node worker_threads worker.
import { exposeRole } from "../adapters/node.js";

exposeRole("node");
