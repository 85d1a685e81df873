// The README's usage example runs as written and gives the results its comments show.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as ticktock from "../src/index.js";

describe("README", () => {
  it("runs the usage example and gets what its comments say", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const body = code.replace(/^import .*$/m, "").replace(/^(const|let) /gm, "var ");
    // Collect every "expression; // result" line's value as the example runs.
    const seen: unknown[] = [];
    const instrumented = body.replace(/^(RangeSet\.missing\(.*\)\.toState\(\)|ledger\.getState\(.*\));.*$/gm, "__seen.push($1);");
    const run = new Function("__t", "__seen", `return (async () => { const { init, RangeSet, TickLedger } = __t; ${instrumented} })();`);
    await run(ticktock, seen);
    expect(seen).toEqual([[[7, 10]], { nodes: { ghost: 3 }, missing: { ghost: [2] }, node: "test1", tock: 2 }]);
    expect(code).toContain("// [[7, 10]]");
    expect(code).toContain('// { nodes: { ghost: 3 }, missing: { ghost: [2] }, node: "test1", tock: 2 }');
  });
});
