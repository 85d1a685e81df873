// The observer role in a browser (or Deno) module Web Worker.
import { exposeRole } from "../adapters/web.js";
import { createObserverApi } from "../roles/observer.js";

exposeRole("observer", (deps) => createObserverApi(deps.connect));
