// Deno's adapter: Deno's Worker is the web's module Worker, so the names and behaviour are the
// web adapter's (entries/*.web.ts serve Deno as they serve browsers). Kept as its own module so
// every runtime imports "its" adapter by the same names.
export { exposeRole, spawnRole } from "./web.js";
