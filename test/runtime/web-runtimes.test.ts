// The runtime suite in real Chromium (a Web Worker, from the bundles a page would load) and real
// Deno (a Deno Worker, running the TypeScript sources as Deno does).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { serveDir } from "../support/static-server.js";
import { launchChromium } from "../support/chromium.js";
import { freePort } from "../support/mosquitto.js";
import { CASES } from "./suite.js";
import { startSuiteEnv } from "./env.js";

const DENO = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));
let dir: string;
let env: Awaited<ReturnType<typeof startSuiteEnv>>;

/** Bundle the web worker entries and both runners into one directory. */
afterAll(async () => {
  await env?.close();
});

beforeAll(async () => {
  env = await startSuiteEnv();
  dir = mkdtempSync(join(tmpdir(), "ticktock-web-"));
  const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  const common = { bundle: true, format: "esm" as const, platform: "browser" as const, target: "es2022", logLevel: "silent" as const };
  for (const role of ["ledger", "node", "observer", "console"]) {
    await build({ ...common, entryPoints: [src(`../../src/worker/entries/${role}.web.ts`)], outfile: join(dir, `${role}.worker.js`) });
  }
  await build({ ...common, entryPoints: [src("./browser-runner.ts")], outfile: join(dir, "browser-runner.js") });
});

const expected = () => CASES.map((c) => ({ name: c.name, ok: true }));

describe("workers in Chromium (Web Worker)", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("pass the shared runtime suite", async () => {
    const site = await serveDir(dir, { "/index.html": '<!doctype html><script type="module" src="/browser-runner.js"></script>' });
    try {
      env.allowOrigin(site.url);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      const q = new URLSearchParams({ deadBroker: env.deadBroker, broker: env.broker, server: env.server, locked: env.locked });
      await page.goto(`${site.url}/index.html?${q}`);
      await page.waitForFunction(() => (globalThis as unknown as { __results?: unknown }).__results, undefined, { timeout: 30_000 });
      const results = await page.evaluate(() => (globalThis as unknown as { __results: unknown }).__results);
      expect({ results, errors }).toEqual({ results: expected(), errors: [] });
    } finally {
      await site.close();
    }
  });
});

describe("workers in Deno (Deno Worker)", () => {
  it("pass the shared runtime suite", async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(DENO, ["run", "--allow-read", "--allow-net", "--allow-env", "--allow-sys", fileURLToPath(new URL("./deno-runner.ts", import.meta.url)), env.deadBroker, env.broker, env.server, env.locked], { cwd: fileURLToPath(new URL("../..", import.meta.url)), timeout: 60_000, env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } }, (err, stdout, stderr) =>
        err ? reject(new Error(`deno failed: ${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    expect(JSON.parse(out.trim().split("\n").at(-1)!)).toEqual(expected());
  });
});
