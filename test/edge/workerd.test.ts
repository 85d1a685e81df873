// The edge health check in workerd, the runtime of Cloudflare Workers, run as its README says:
// `npx workerd serve examples/edge/workerd/config.capnp --socket-addr http=127.0.0.1:PORT` with
// the settings as fromEnvironment bindings. workerd refuses to compile WebAssembly from bytes, so
// this also shows init() loading the precompiled core.wasm (and the error naming the fix without it).
import { beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { freePort } from "../support/mosquitto.js";
import { describeHealthCheck } from "./health-cases.js";
import { ROOT, serveProcess } from "./serve-process.js";

const WORKERD = fileURLToPath(new URL("../../node_modules/.bin/workerd", import.meta.url));
const CONFIG = "examples/edge/workerd/config.capnp";

async function workerd(config: string, settings: Record<string, string | undefined>) {
  const port = await freePort();
  // unset settings must stay unset, whatever the environment running the tests has
  const env = { TICKTOCK_SERVER: undefined, TICKTOCK_STATE_URL: undefined, ...settings };
  return serveProcess(WORKERD, ["serve", config, "--socket-addr", `http=127.0.0.1:${port}`], env, `http://127.0.0.1:${port}`);
}

let bundleBytes = 0;
beforeAll(async () => {
  // the bundle config.capnp loads, built as `npm run build` builds it
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ["scripts/build-edge.mjs"], { cwd: ROOT, timeout: 60_000 }, (e, _stdout, stderr) => (e ? reject(new Error(stderr)) : resolve(stderr))),
  );
  bundleBytes = Number(/= (\d+) bytes/.exec(out)?.[1]);
});

describeHealthCheck("workerd (config.capnp)", (settings) => workerd(CONFIG, settings));

describe("the Worker", () => {
  it("is under 200 KB, core.wasm included", () => {
    expect(bundleBytes).toBeGreaterThan(50_000);
    expect(bundleBytes).toBeLessThan(200_000);
  });

  it("carries no embedded copy of the core (it is given core.wasm precompiled)", () => {
    const js = readFileSync(join(ROOT, "build/edge/workerd/worker.js"), "utf8");
    expect(js).toContain("this bundle carries no embedded core");
    expect(js).not.toContain("AGFzbQ"); // base64 of a wasm module's magic bytes
  });

  it("without the precompiled core, init() says workerd refuses to compile and names the fix", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ticktock-workerd-"));
    await build({ entryPoints: [join(ROOT, "examples/edge/health.ts")], outfile: join(dir, "worker.js"), bundle: true, format: "esm", platform: "browser", logLevel: "silent" });
    writeFileSync(
      join(dir, "config.capnp"),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = (modules = [(name = "worker.js", esModule = embed "worker.js")], compatibilityDate = "2026-11-01"))],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);`,
    );
    const srv = await workerd(join(dir, "config.capnp"), { TICKTOCK_SERVER: "ws://127.0.0.1:1" });
    try {
      const res = await fetch(`${srv.url}/`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({
        ok: false,
        error:
          'ticktock init(): this runtime does not compile WebAssembly from bytes (WebAssembly.compile(): Wasm code generation disallowed by embedder); import the precompiled core and pass it to init(): import core from "ticktock/core.wasm"; await init(core)',
      });
    } finally {
      await srv.stop();
    }
  });
});
