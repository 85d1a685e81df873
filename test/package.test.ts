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
});
