// The runtime suite in Bun, run as Bun runs TypeScript (no bundling). `node`: workers from the
// Node adapter on Bun's worker_threads (entries/*.node.ts); `web`: from the web adapter on Bun's
// Web Worker (entries/*.web.ts), as in Deno.
import * as nodeAdapter from "../../src/worker/adapters/node.js";
import * as webAdapter from "../../src/worker/adapters/web.js";
import { runSuite, type Spawn } from "./suite.js";

const [flavour, deadBroker, broker, server, locked] = process.argv.slice(2) as ["node" | "web", string, string, string, string];
const entry = (role: string) => new URL(`../../src/worker/entries/${role}.${flavour}.ts`, import.meta.url);
const spawn: Spawn = (role, opts) => (flavour === "node" ? nodeAdapter : webAdapter).spawnRole(role, { ...opts, entry: entry(role) });
const results = await runSuite(spawn, { deadBroker, broker, server, locked });
console.log(JSON.stringify(results));
process.exit(0);
