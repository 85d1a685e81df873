// ticktock as a user installs it: the package's own exports map, from the built dist/, in a
// fresh Node process (no test runner, no TypeScript).
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

describe("the package", () => {
  it("exports the API and the Node worker adapter by name", async () => {
    const script = `
      import { init, RangeSet } from "ticktock";
      import { spawnRole } from "ticktock/worker/node";
      await init();
      const ledger = await spawnRole("ledger");
      await ledger.open("t");
      await ledger.applyUpdate({ node: "g", tick: 3, prev: null, value: 1 });
      const s = await ledger.getState({ missing: true });
      await ledger.terminate();
      console.log(JSON.stringify({ missing: s.missing, set: RangeSet.of(1, 2, 5).toString() }));
    `;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, timeout: 30_000 }, (e, stdout, stderr) => (e ? reject(new Error(stderr)) : resolve(stdout))),
    );
    expect(JSON.parse(out)).toEqual({ missing: { g: [[1, 3]] }, set: "{1..2, 5}" });
  });

  it("exports the core as a file, ticktock/core.wasm, that init() takes precompiled, and packs it", async () => {
    const script = `
      import { init, RangeSet } from "ticktock";
      import { readFile } from "node:fs/promises";
      const file = new URL(import.meta.resolve("ticktock/core.wasm"));
      await init(await WebAssembly.compile(await readFile(file)));
      console.log(JSON.stringify({ file: file.pathname, set: RangeSet.of(4, 5).toString() }));
    `;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, timeout: 30_000 }, (e, stdout, stderr) => (e ? reject(new Error(stderr)) : resolve(stdout))),
    );
    expect(JSON.parse(out)).toEqual({ file: `${ROOT}dist/core.wasm`, set: "{4..5}" });
    const packed = await new Promise<string>((resolve, reject) =>
      execFile("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, timeout: 60_000 }, (e, stdout, stderr) => (e ? reject(new Error(stderr)) : resolve(stdout))),
    );
    const files = (JSON.parse(packed) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["dist/core.wasm", "dist/core.wasm.d.ts", "dist/index.js"]));
  });
});
