// The console role in a browser (or Deno) module Web Worker.
import { exposeRole } from "../adapters/web.js";

exposeRole("console");
