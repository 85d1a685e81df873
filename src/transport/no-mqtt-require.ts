// Stands in for mqtt-require.ts in bundles that carry mqtt.js inside them: the CLI
// (scripts/build-cli.mjs). There, require() would find the package's own node_modules/mqtt and
// load its ~200 CommonJS files one by one (about 8 MB more of an idle node's RSS than the copy
// already bundled), so mqtt-library.ts imports the bundled one.
import type * as Mqtt from "mqtt";

export function requireMqtt(): typeof Mqtt.default | undefined {
  return undefined;
}
