// The doctor's modules load in a browser (the inspector uses them): they bundle for the browser
// platform, where esbuild cannot resolve node: imports, and the bundles name no Node module.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { bundle } from "../../support/bundle.js";

describe("the doctor's modules", () => {
  for (const file of ["diagnose", "report", "sample", "gossip-listener", "tick-words", "gap-items"]) {
    it(`${file}.ts bundles for the browser without Node modules`, async () => {
      const out = await bundle(new URL(`../../../src/console/doctor/${file}.ts`, import.meta.url), "browser");
      expect(readFileSync(out, "utf8")).not.toMatch(/from\s*["']node:|require\(["']node:/);
    });
  }

  it("a bundle of a module that imports node: fails (the check can fail)", async () => {
    await expect(bundle(new URL("../../../src/cli/credentials.ts", import.meta.url), "browser")).rejects.toThrow(/node:fs/);
  });
});
