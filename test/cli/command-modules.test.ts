// The CLI loads only the module of the command it runs (src/cli/main.ts): the table of command
// modules must name what each module registers, and the help must still list every command.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { COMMAND_MODULES, buildProgram } from "../../src/cli/main.js";
import { BIN } from "../support/cli.js";

const MAIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** The CommonJS files (node_modules/<package>/...) a fresh Node has loaded after buildProgram(only). */
function cjsPackagesAfter(only: string | undefined): string[] {
  const script = `
    const { buildProgram } = await import(${JSON.stringify(MAIN)});
    await buildProgram(${JSON.stringify(only)});
    const { createRequire } = await import("node:module");
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify([...new Set(loaded.map((p) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\/(dist\\.cjs)?/.exec(p)).filter(Boolean).map((m) => m[1] + (m[2] ? "(cjs)" : "")))]));`;
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })) as string[];
}

describe("command modules", () => {
  it("each module registers exactly the command the table names it for", async () => {
    for (const [name, load] of COMMAND_MODULES) {
      const program = new Command("t");
      (await load()).register(program);
      expect(program.commands.map((c) => c.name()), name).toEqual([name]);
    }
  });

  it("registers only the command named first, and every command (in table order) otherwise", async () => {
    const names = COMMAND_MODULES.map(([n]) => n);
    expect((await buildProgram("node")).commands.map((c) => c.name())).toEqual(["node"]);
    expect((await buildProgram("state-file")).commands.map((c) => c.name())).toEqual(["state-file"]);
    for (const first of [undefined, "--help", "--user", "nodee"]) expect((await buildProgram(first)).commands.map((c) => c.name())).toEqual(names);
  });

  it("the help lists every command with its description", () => {
    const help = execFileSync(process.execPath, [BIN, "--help"], { encoding: "utf8" });
    for (const [name] of COMMAND_MODULES) expect(help).toMatch(new RegExp(`^  ${name}\\b.* \\w+`, "m"));
    expect(help).toContain("run a MoaT-KV server node");
  });

  it("the node command loads neither yaml nor msgpack's CommonJS build; all commands load yaml", () => {
    const node = cjsPackagesAfter("node");
    expect(node).not.toContain("yaml");
    expect(node).not.toContain("@msgpack/msgpack(cjs)");
    expect(cjsPackagesAfter(undefined)).toContain("yaml");
  });
});
