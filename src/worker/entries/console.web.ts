// The console role in a browser (or Deno) module Web Worker.
import { exposeRole } from "../adapters/web.js";
import { createConsoleApi } from "../roles/console.js";

exposeRole("console", (deps) => createConsoleApi(deps.connect));
