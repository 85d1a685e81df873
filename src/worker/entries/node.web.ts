// The node role in a browser (or Deno) module Web Worker.
import { exposeRole } from "../adapters/web.js";
import { createNodeApi } from "../roles/node.js";

exposeRole("node", (deps) => createNodeApi({ storage: deps.storage }));
