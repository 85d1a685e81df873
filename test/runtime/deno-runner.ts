// The runtime suite in Deno: workers come from the Deno adapter and the web entries, unbundled.
import { spawnRole } from "../../src/worker/adapters/deno.js";
import { runSuite } from "./suite.js";

declare const Deno: { args: string[]; exit(code: number): never };
const env = { deadBroker: Deno.args[0]!, broker: Deno.args[1]!, server: Deno.args[2]!, locked: Deno.args[3]! };
// Deno runs the TypeScript as it is (deno.json: sloppy imports, npm packages from node_modules)
const entry = (role: string) => new URL(`../../src/worker/entries/${role}.web.ts`, import.meta.url);
const results = await runSuite((role, opts) => spawnRole(role, { ...opts, entry: entry(role) }), env);
console.log(JSON.stringify(results));
Deno.exit(0);
