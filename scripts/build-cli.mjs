#!/usr/bin/env node
// Bundle the `ticktock` command (src/cli/main.ts and everything it loads, mqtt.js, commander and
// the embedded broker included) into one file, dist/cli/ticktock.js, which bin/ticktock.js runs.
// One file because of what an idle node's memory went to: mqtt.js's ~200 CommonJS files loaded
// one by one from node_modules took about 8 MB more RSS than the same code inside the bundle
// (62.6 against 54.4 MB, bench/README.md, "Node: memory"). dist/cli/main.js (tsc's output) stays
// for anyone importing the CLI's parts; the bundle is only what the command runs.
// bundleForNode() is also how the memory benchmark builds its idle floor (bench/idle-floor.ts).
import { build } from "esbuild";
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { builtinsOnUse, deferModules } from "./load-on-use.mjs";

const at = (p) => new URL(p, import.meta.url).pathname;

/** Bundle `entry` and what it imports, mqtt.js included, into `outfile`, an ES module for Node. */
export async function bundleForNode(entry, outfile) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    minify: true,
    sourcemap: "linked",
    // mqtt.js and other CommonJS packages require() Node's builtins: give the bundle a require()
    banner: { js: 'import { createRequire as ticktockCreateRequire } from "node:module"; const require = ticktockCreateRequire(import.meta.url);' },
    plugins: [deferModules(), builtinsOnUse(), {
      name: "bundled-mqtt",
      setup(b) {
        // mqtt.js is in the bundle: require()ing the package's copy would load it a second time
        b.onResolve({ filter: /\/mqtt-require\.js$/ }, () => ({ path: at("../src/transport/no-mqtt-require.ts") }));
      },
    }],
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outfile = at("../dist/cli/ticktock.js");
  await bundleForNode(at("../src/cli/main.ts"), outfile);
  console.error(`built the CLI in dist/cli/ticktock.js: ${statSync(outfile).size} bytes`);
}
