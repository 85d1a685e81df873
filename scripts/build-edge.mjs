#!/usr/bin/env node
// Bundle the health check's Cloudflare Worker (examples/edge/workerd/worker.ts) into
// build/edge/workerd/worker.js, the module examples/edge/workerd/config.capnp loads. The core is
// not in the bundle as code to compile: `ticktock/core.wasm` stays an import, which workerd fills
// with dist/core.wasm, precompiled; the base64 copies of the core that other bundles embed
// (src/wasm/core-binary.ts) are left out for the same reason.
import { build } from "esbuild";
import { statSync } from "node:fs";

const at = (p) => new URL(p, import.meta.url).pathname;
const outfile = at("../build/edge/workerd/worker.js");
await build({
  entryPoints: [at("../examples/edge/workerd/worker.ts")],
  outfile,
  bundle: true,
  format: "esm",
  platform: "browser",
  conditions: ["workerd", "worker", "browser"],
  target: "es2022",
  minify: true,
  external: ["ticktock/core.wasm"],
  // the Worker hands init() the precompiled core: the embedded base64 builds would be dead weight
  plugins: [{
    name: "no-embedded-core",
    setup(b) {
      b.onResolve({ filter: /\/core-binary\.js$/ }, () => ({ path: at("../src/wasm/no-core-binary.ts") }));
    },
  }],
  logLevel: "warning",
});
const js = statSync(outfile).size;
const wasm = statSync(at("../dist/core.wasm")).size;
console.error(`built the edge Worker in build/edge/workerd/worker.js: ${js} bytes + core.wasm ${wasm} bytes = ${js + wasm} bytes`);
