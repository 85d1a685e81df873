// The command runs from one bundle (scripts/build-cli.mjs): bin/ticktock.js, dist/cli/ticktock.js
// and dist/cli/young-generation.js alone, copied where no node_modules can be found, serve a node
// on its embedded broker (aedes), take a write and answer a read through the same copied CLI.
// Anything the bundle left to be loaded from node_modules (mqtt.js, aedes, commander, msgpack)
// fails here, not on a user's machine.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run } from "../support/cli.js";
import { freePort, startMosquitto } from "../support/mosquitto.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function copyOfTheCommand(): string {
  const dir = mkdtempSync(join(tmpdir(), "ticktock-bundle-"));
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "dist/cli"), { recursive: true });
  cpSync(join(ROOT, "bin/ticktock.js"), join(dir, "bin/ticktock.js"));
  for (const f of ["ticktock.js", "young-generation.js"]) cpSync(join(ROOT, "dist/cli", f), join(dir, "dist/cli", f));
  return join(dir, "bin/ticktock.js");
}

describe("the command's bundle", () => {
  it("carries mqtt.js inside it, not a require() of the package", () => {
    const js = readFileSync(join(ROOT, "dist/cli/ticktock.js"), "utf8");
    expect(js).not.toMatch(/\(\s*"mqtt"\s*\)/); // mqtt-require.ts's require("mqtt") was swapped out
    expect(js).not.toMatch(/from\s*"(mqtt|aedes|commander|@msgpack\/msgpack|yaml|ws)"/);
  });

  it("runs a node, its embedded broker and the data commands with no node_modules in reach", async () => {
    const bin = copyOfTheCommand();
    const node = run(["node", "solo", "--port", "0", "--startup-wait", "0"], { bin });
    try {
      const port = Number((await node.waitFor(/client protocol on 127\.0\.0\.1:(\d+)/, 15_000))[1]);
      await node.waitFor(/solo: serving/, 15_000);
      const cli = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: "utf8" });
      cli("data", "greeting", "set", "-v", ":", "hello", "--server", `127.0.0.1:${port}`);
      expect(cli("data", "greeting", "get", "--server", `127.0.0.1:${port}`)).toContain("hello");
    } finally {
      node.proc.kill("SIGTERM");
    }
  });
});

// scripts/load-on-use.mjs: what a node does not run, it does not load. Node's builtins stand in
// for the bundled code that would bring them (ws: http, https, zlib; mqtt.js's TLS transport and
// the client port's TLS: tls; SOCKS: assert; the Diffie-Hellman answer: crypto).
describe("the command's bundle loads code when it is used", () => {
  const UNUSED_BY_AN_IDLE_NODE = ["tls", "https", "http", "zlib", "crypto", "assert"];

  /** `ticktock node NAME` on a Mosquitto of its own, with `env`, until its output matches `until`; then stopped. */
  async function nodeUntil(name: string, env: Record<string, string>, until: RegExp): Promise<void> {
    const broker = await startMosquitto();
    const node = run(["node", name, "--mqtt", broker.url, "--port", "0", "--startup-wait", "0"], { env });
    try {
      await node.waitFor(until, 15_000);
    } finally {
      node.proc.kill("SIGTERM");
      await node.exited;
      await broker.stop();
    }
  }

  it("an idle node on mqtt:// loads no TLS, HTTP, zlib, crypto or SOCKS code", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ticktock-loaded-"));
    const probe = join(dir, "probe.mjs"), out = join(dir, "loaded.json");
    writeFileSync(probe, `import { writeFileSync } from "node:fs";\nprocess.on("exit", () => writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.moduleLoadList)));\n`);
    await nodeUntil("lean", { NODE_OPTIONS: `--import=${probe}` }, /lean: serving/);
    const loaded = new Set((JSON.parse(readFileSync(out, "utf8")) as string[]).filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice("NativeModule ".length)));
    expect(loaded.has("net")).toBe(true); // the probe saw the node's modules
    expect(UNUSED_BY_AN_IDLE_NODE.filter((m) => loaded.has(m))).toEqual([]);
  });

  it("mqtt.js's SOCKS transport still loads when MQTTJS_SOCKS_PROXY asks for it", async () => {
    const proxyPort = await freePort(); // nobody listens: the node must try the proxy, not the broker
    await nodeUntil("proxied", { MQTTJS_SOCKS_PROXY: `socks5://127.0.0.1:${proxyPort}` }, new RegExp(`unreachable \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${proxyPort}\\)`));
  });
});
