#!/usr/bin/env node
// Build the cluster inspector (examples/inspector) into a static bundle in dist/inspector:
// the page script, its two workers (observer, console) and the HTML/CSS. The WebAssembly core
// is embedded in the workers; nothing is fetched but the page's own files.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const out = new URL("../dist/inspector/", import.meta.url);
mkdirSync(out, { recursive: true });
const common = { bundle: true, format: "esm", platform: "browser", target: "es2022", logLevel: "warning", minify: true, sourcemap: true };
const at = (p) => new URL(p, import.meta.url).pathname;
await build({ ...common, entryPoints: [at("../examples/inspector/app.ts")], outfile: at("../dist/inspector/inspector.js") });
await build({ ...common, entryPoints: [at("../src/worker/entries/observer.web.ts")], outfile: at("../dist/inspector/observer.worker.js") });
await build({ ...common, entryPoints: [at("../src/worker/entries/console.web.ts")], outfile: at("../dist/inspector/console.worker.js") });
for (const f of ["index.html", "inspector.css"]) copyFileSync(at(`../examples/inspector/${f}`), at(`../dist/inspector/${f}`));
console.error("built the inspector in dist/inspector");
