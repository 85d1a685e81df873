// The cluster inspector in real Chromium: a cluster on Mosquitto (MQTT over WebSocket for the
// page), a publisher that skips a tick, the page showing the gap with the doctor's diagnosis beside
// it (the mark command `ticktock doctor` prints for the same cluster), a previewed and confirmed
// mark, and the gap and its diagnosis gone. Screenshots are kept in test-results/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveDir } from "../support/static-server.js";
import mqtt from "mqtt";
import type { Browser, Page } from "playwright-core";
import { freePort, startMosquitto, type Broker } from "../support/mosquitto.js";
import { startNodes, stopAll, waitFor, type TestNode } from "../support/cluster.js";
import { launchChromium } from "../support/chromium.js";
import { originOf, serveWebSocket } from "../../src/server/ws-server.js";
import { serveTcp, type ClientServer } from "../../src/server/tcp-server.js";
import { runToEnd } from "../support/cli.js";
import { serveInspector } from "../../src/cli/inspector-server.js";
import { encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

const SHOTS = new URL("../../test-results/", import.meta.url);
let broker: Broker, wsPort: number;
let nodes: TestNode[] = [];
let ws: ClientServer;
/** alpha's TCP client port, for `ticktock doctor`. */
let tcp: ClientServer;
/** The web origins alpha's WebSocket port lets in: the inspectors' pages this file serves. */
const origins = new Set<string>();
let site: { url: string; close(): Promise<void> };
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  wsPort = await freePort();
  broker = await startMosquitto({ websocketPort: wsPort });
  nodes = await startNodes(broker.url, ["alpha", "beta", "gamma"]);
  nodes[0]!.node.set(Path.of("one"), 1);
  nodes[1]!.node.set(Path.of("two"), 2);
  ws = await serveWebSocket(nodes[0]!.node, { port: 0, origins });
  tcp = await serveTcp(nodes[0]!.node, { port: 0 });
  site = await serveInspector({ mqtt: `ws://127.0.0.1:${wsPort}`, server: `ws://127.0.0.1:${ws.port}` }, { port: 0 });
  origins.add(originOf(site.url)); // the inspector's page, and no other, may use the node's WebSocket port
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await ws?.close();
  await tcp?.close();
  await stopAll(nodes);
  await broker?.stop();
});

const cell = (page: Page, node: string, cls: string) => page.locator(`tr[data-node="${node}"] td.${cls}`);

/** Pixels of the missing band (4th of 5 rows) of a node's timeline that are drawn. */
function missingPixels(page: Page, node: string): Promise<number> {
  return page.evaluate((n) => {
    const c = document.querySelector(`tr[data-node="${n}"] .timeline canvas`) as HTMLCanvasElement;
    const row = c.height / 5;
    const data = c.getContext("2d")!.getImageData(0, Math.floor(row * 3 + 1), c.width, 1).data;
    let drawn = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) drawn++;
    return drawn;
  }, node);
}

describe("the cluster inspector in Chromium", () => {
  it("shows a skipped tick, previews the mark, applies it and shows the gap gone", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(site.url);
    await expect.poll(() => cell(page, "alpha", "tick").textContent(), { timeout: 10_000 }).toBe("1");

    const ghost = await mqtt.connectAsync(broker.url);
    for (const tick of [1, 3]) await ghost.publishAsync("moat/kv/update", Buffer.from(encodeValue({ node: "ghost", tick, prev: null, path: Path.of("ghost", `t${tick}`), value: tick, tock: 1 })));
    await ghost.endAsync();

    await expect.poll(() => cell(page, "ghost", "missing").textContent(), { timeout: 10_000 }).toBe("[2]");
    await expect.poll(() => page.locator("#matrix tbody").textContent(), { timeout: 10_000 }).toContain("ghost [2]nobody: lost unless marked");
    expect(await cell(page, "gamma", "tick").textContent()).toBe("0"); // a server that changed nothing is listed too
    expect(await missingPixels(page, "ghost")).toBeGreaterThan(100); // a third of the timeline is tick 2
    // the doctor's diagnosis beside the gap: lost everywhere, and the mark the CLI doctor prints
    const doctor = await runToEnd(["doctor", "--server", `127.0.0.1:${tcp.port}`]);
    expect(doctor.code, doctor.stderr).toBe(1);
    const mark = /Run: (ticktock internal mark ghost 2 (--deleted )?--broadcast) --server 127\.0\.0\.1:\d+\n/.exec(doctor.stdout);
    expect(mark, doctor.stdout).not.toBeNull();
    const diagnosis = page.locator('#gaps .diagnosis[data-node="ghost"]');
    await expect.poll(() => diagnosis.locator("code.command").textContent(), { timeout: 10_000 }).toBe(mark![1]); // the page reaches alpha by WebSocket only: no --server
    const said = (await diagnosis.textContent())!;
    expect(said).toMatch(/^\[2\] ghost's tick 2 is missing on alpha \(/);
    expect(said).toContain("No server asked holds it: lost everywhere; recovery cannot bring it back.");
    expect(said).toContain("If marked: ghost.t1 (tick 1) could keep an older value");
    expect(said).toContain("with --server HOST:PORT of a server's client port added");
    expect(await diagnosis.isVisible()).toBe(true);
    await page.screenshot({ path: new URL("inspector-1-gap.png", SHOTS).pathname, fullPage: true });

    await page.selectOption("#repair-node", "ghost");
    await page.click("#preview");
    await expect.poll(() => page.locator("#plan-text").textContent(), { timeout: 5000 }).toMatch(/would mark superseded: ghost \[2\]/);
    expect(await page.locator("#plan-text").textContent()).toMatch(/could resurface: ghost\.t1 \(ghost tick 1\)/);
    await page.screenshot({ path: new URL("inspector-2-preview.png", SHOTS).pathname, fullPage: true });
    expect(nodes.every((n) => JSON.stringify(n.node.ledger.missing()) === '{"ghost":[2]}')).toBe(true); // the preview changed nothing

    await page.click("#apply");
    await waitFor(() => nodes.every((n) => Object.keys(n.node.ledger.missing()).length === 0), 10_000);
    await expect.poll(() => cell(page, "ghost", "missing").textContent(), { timeout: 10_000 }).toBe("-");
    await expect.poll(() => missingPixels(page, "ghost"), { timeout: 5000 }).toBe(0);
    expect(await page.locator("#repair-result").textContent()).toBe("marked superseded: ghost [2] on every server");
    await expect.poll(() => page.locator('#gaps li[data-node="ghost"]').count(), { timeout: 10_000 }).toBe(0); // the gap and its diagnosis
    expect(await page.locator("#gaps .diagnosis").count()).toBe(0);
    expect(await page.locator("#no-gaps").isVisible()).toBe(true);
    await page.screenshot({ path: new URL("inspector-3-repaired.png", SHOTS).pathname, fullPage: true });
    expect(errors).toEqual([]);
  });

  it("works from a node's WebSocket port alone, without the broker", async () => {
    const only = await serveInspector({ server: `ws://127.0.0.1:${ws.port}` }, { port: 0 });
    origins.add(originOf(only.url));
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(only.url);
      await expect.poll(() => cell(page, "ghost", "tick").textContent(), { timeout: 10_000 }).toBe("3");
      expect(await cell(page, "alpha", "tick").textContent()).toBe("1");
      expect(await page.locator("#connection").textContent()).toMatch(/server alpha at ws:/);
      expect(errors).toEqual([]);
    } finally {
      await only.close();
    }
  });

  it("keeps a page from another origin off the node's WebSocket port", async () => {
    const foreign = await serveDir(mkdtempSync(join(tmpdir(), "ticktock-foreign-")), { "/index.html": "<!doctype html><title>elsewhere</title>" });
    try {
      const page = await browser.newPage();
      await page.goto(`${foreign.url}/index.html`);
      // what a hostile page would do: open the port and write
      const outcome = await page.evaluate(async (url) => {
        return await new Promise<string>((resolve) => {
          const s = new WebSocket(url);
          s.onopen = () => resolve("open");
          s.onclose = (e) => resolve(`closed ${e.code}`);
        });
      }, `ws://127.0.0.1:${ws.port}`);
      expect(outcome).toBe("closed 1006");
      const origin = originOf(foreign.url);
      expect(nodes[0]!.logs.filter((l) => l.includes("refused a WebSocket"))).toEqual([expect.stringContaining(`origin ${origin} is not allowed (allow it with --ws-origin ${origin})`)]);
      // the inspector's own page still gets in
      const inspector = await browser.newPage();
      await inspector.goto(site.url);
      await expect.poll(() => inspector.locator("#connection").textContent(), { timeout: 10_000 }).toMatch(/server alpha at ws:/);
    } finally {
      await foreign.close();
    }
  });
});
