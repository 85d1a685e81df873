// The runtime suite in the page: workers come from the web adapter and the bundled entries.
import { spawnRole } from "../../src/worker/adapters/web.js";
import { runSuite } from "./suite.js";

const params = new URLSearchParams(location.search);
const env = { deadBroker: params.get("deadBroker")!, broker: params.get("broker")!, server: params.get("server")!, locked: params.get("locked")! };
void runSuite((role, opts) => spawnRole(role, { ...opts, entry: `/${role}.worker.js` }), env).then((results) => {
  (globalThis as unknown as { __results: unknown }).__results = results;
});
