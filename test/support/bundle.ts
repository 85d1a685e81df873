// Bundle a TypeScript entry with esbuild into one self-contained .mjs file (the embedded wasm
// included), as a worker or browser would load it.
import { build } from "esbuild";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export async function bundle(entry: URL, platform: "node" | "browser" | "neutral" = "node"): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), "ticktock-bundle-")), "entry.mjs");
  await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    format: "esm",
    platform,
    target: "es2022",
    outfile,
    logLevel: "silent",
    // CommonJS dependencies (ws, mqtt's deps) call require(); give ESM bundles a real one in Node
    banner: platform === "node" ? { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' } : undefined,
  });
  return outfile;
}
