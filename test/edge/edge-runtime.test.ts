// The edge health check in Vercel's Edge Runtime, as the `edge-runtime` package runs it: the
// Vercel Edge Function (examples/edge/vercel/api/health.ts) bundled to a script that answers
// fetch events, in a VM that forbids compiling WebAssembly, as Vercel's does. The `.wasm?module`
// import becomes a module compiled outside and bound into the VM, as Vercel's (and Next.js')
// bundlers do; the settings come from process.env.
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { build, type Plugin } from "esbuild";
import { EdgeRuntime, runServer } from "edge-runtime";
import { describeHealthCheck, type Served } from "./health-cases.js";
import { ROOT } from "./serve-process.js";

/** `x.wasm?module` as Vercel's bundler treats it: the compiled module, bound as a global. */
const wasmModules = new Map<string, WebAssembly.Module>();
const wasmModulePlugin: Plugin = {
  name: "wasm-module",
  setup(b) {
    b.onResolve({ filter: /\.wasm\?module$/ }, (args) => ({ path: join(args.resolveDir, args.path.replace(/\?module$/, "")), namespace: "wasm-module" }));
    b.onLoad({ filter: /.*/, namespace: "wasm-module" }, async (args) => {
      const name = `__wasm_${basename(args.path).replace(/\W/g, "_")}`;
      wasmModules.set(name, await WebAssembly.compile(readFileSync(args.path)));
      return { contents: `export default globalThis[${JSON.stringify(name)}];`, loader: "js" };
    });
  },
};

/** A script for the Edge Runtime: `handle` (the default export of `from`) answers every fetch event. */
async function bundle(from: string, handle: string): Promise<{ code: string; bytes: number }> {
  const r = await build({
    stdin: { contents: `import handler from ${JSON.stringify(from)};\naddEventListener("fetch", (e) => e.respondWith(${handle}));`, resolveDir: ROOT, loader: "ts" },
    bundle: true, format: "iife", platform: "browser", target: "es2022", minify: true, write: false, logLevel: "silent", plugins: [wasmModulePlugin],
  });
  const code = r.outputFiles[0]!.text;
  return { code, bytes: Buffer.byteLength(code) };
}

async function serve(code: string, env: Record<string, string | undefined>): Promise<Served> {
  const runtime = new EdgeRuntime({
    initialCode: code,
    codeGeneration: { strings: false, wasm: false }, // Vercel's Edge Runtime compiles no code at run time
    extend: (context) => Object.assign(context, Object.fromEntries(wasmModules), { process: { env } }),
  });
  const server = await runServer({ runtime, port: 0, host: "127.0.0.1" });
  return { url: `${server.url.replace(/\/$/, "")}/api/health`, stop: () => server.close() };
}

let edgeFunction: { code: string; bytes: number };
beforeAll(async () => {
  edgeFunction = await bundle("./examples/edge/vercel/api/health.ts", "handler(e.request)");
});

describeHealthCheck("Vercel's Edge Runtime (edge-runtime)", (settings) => serve(edgeFunction.code, settings));

describe("the Edge Function", () => {
  it("is a script of modest size; the core comes as a module", () => {
    expect(edgeFunction.bytes).toBeLessThan(200_000);
    expect([...wasmModules.keys()]).toEqual(["__wasm_core_wasm"]);
  });

  it("without the precompiled core, init() says the runtime refuses to compile and names the fix", async () => {
    const { code } = await bundle("./examples/edge/health.ts", "handler.fetch(e.request)");
    const srv = await serve(code, { TICKTOCK_SERVER: "ws://127.0.0.1:1" });
    try {
      const res = await fetch(`${srv.url.replace(/\/api\/health$/, "")}/`);
      expect(res.status).toBe(500);
      expect((await res.json()).error).toBe(
        'ticktock init(): this runtime does not compile WebAssembly from bytes (WebAssembly.compile(): Wasm code generation disallowed by embedder); import the precompiled core and pass it to init(): import core from "ticktock/core.wasm"; await init(core)',
      );
    } finally {
      await srv.stop();
    }
  });
});
