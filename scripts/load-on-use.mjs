// esbuild plugins that postpone loading code in the command's bundle (scripts/build-cli.mjs) until
// something uses it. An idle node on mqtt:// used to load Node's tls, http, https, zlib and
// crypto, mqtt.js's WebSocket and SOCKS transports (ws, socks, ip-address) and worker-timers,
// none of which it runs: about 2 MB of its RSS (bench/README.md, "Loading on use").
import { createRequire } from "node:module";
import { dirname } from "node:path";

const requireHere = createRequire(import.meta.url);

/**
 * CommonJS modules that a bundled module require()s at its top but calls only in some runs. Each
 * is replaced by a stand-in with the same exports, functions that load the real module the first
 * time one of them is called. `exports` lists the module's functions; building fails if the
 * installed module's functions differ (after an upgrade, say), so the list cannot go stale.
 */
export const DEFERRED = [
  // mqtt.js's transports: connect/index.js require()s all of them on the first connect
  { module: "mqtt/lib/connect/ws", from: /node_modules\/mqtt\/build\/lib\/connect\/[^/]+\.js$/, request: "./ws", exports: ["browserStreamBuilder", "streamBuilder"] },
  { module: "mqtt/lib/connect/tls", from: /node_modules\/mqtt\/build\/lib\/connect\/[^/]+\.js$/, request: "./tls", exports: ["default"] },
  // the SOCKS proxy (MQTTJS_SOCKS_PROXY), which tcp.js and tls.js require() for the rare user of one
  { module: "mqtt/lib/connect/socks", from: /node_modules\/mqtt\/build\/lib\/connect\/[^/]+\.js$/, request: "./socks", exports: ["default"] },
  // browsers' timers; mqtt.js picks Node's own outside a browser
  { module: "worker-timers", from: /node_modules\/mqtt\/build\/lib\/[^/]+\.js$/, request: "worker-timers", exports: ["clearInterval", "clearTimeout", "setInterval", "setTimeout"] },
];

function checkExports({ module, exports }) {
  const real = requireHere(module);
  const functions = Object.keys(real).filter((k) => typeof real[k] === "function").sort();
  if (functions.join() !== [...exports].sort().join()) {
    throw new Error(`scripts/load-on-use.mjs: ${module} exports the functions [${functions}], not [${exports}] as DEFERRED says; update the list`);
  }
}

/** The stand-in: each export loads the real module (bundled as usual) on its first call. */
function standIn({ module, exports }) {
  const path = JSON.stringify(requireHere.resolve(module));
  return [
    `let real;`,
    `const load = () => (real ??= require(${path}));`,
    `Object.defineProperty(exports, "__esModule", { value: true });`,
    ...exports.map((name) => `exports[${JSON.stringify(name)}] = (...args) => load()[${JSON.stringify(name)}](...args);`),
  ].join("\n");
}

/** Replace the DEFERRED modules with stand-ins that load them on first use. */
export function deferModules(list = DEFERRED) {
  return {
    name: "defer-modules",
    setup(build) {
      for (const entry of list) {
        checkExports(entry);
        const filter = new RegExp(`^${entry.request.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`);
        build.onResolve({ filter }, (args) => (args.namespace === "file" && entry.from.test(args.importer) ? { path: entry.module, namespace: "deferred" } : undefined));
      }
      build.onLoad({ filter: /.*/, namespace: "deferred" }, (args) => {
        const entry = list.find((e) => e.module === args.path);
        return { contents: standIn(entry), loader: "js", resolveDir: dirname(requireHere.resolve(entry.module)) };
      });
    },
  };
}

/**
 * Node's builtins (`node:tls`, ...) load when the bundled module importing them is first
 * evaluated, not when the bundle is. An ES module bundle hoists every `import ... from "node:x"`
 * to its top, so every command loaded every builtin any command uses; as a require() inside the
 * importing module's lazily run body, each loads with the command (or code path) that needs it.
 * The bundle must define `require` (build-cli.mjs's banner does).
 */
export function builtinsOnUse() {
  return {
    name: "builtins-on-use",
    setup(build) {
      build.onResolve({ filter: /^node:/ }, (args) => (args.namespace === "builtin" ? { path: args.path, external: true } : { path: args.path, namespace: "builtin" }));
      build.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: "js" }));
    },
  };
}
