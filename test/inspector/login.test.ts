// The cluster inspector logging in, in real Chromium: a node with auth on (users made over the
// wire as upstream's CLI does), an inspector handed a read-only login by its server (login.json,
// never in the page or its URL) that shows the cluster and may not mark, and one without a login
// whose form shows a wrong password's error and then lets the right one in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import mqtt from "mqtt";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/chromium.js";
import { FAST, waitFor } from "../support/cluster.js";
import { init } from "../../src/core/range-set.js";
import { TicktockNode } from "../../src/node/node.js";
import { MqttTransport } from "../../src/transport/mqtt-transport.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/transport/embedded-broker.js";
import { serveTcp, type ClientServer } from "../../src/server/tcp-server.js";
import { originOf, serveWebSocket } from "../../src/server/ws-server.js";
import { connectTcp } from "../../src/client/tcp.js";
import { sealedPassword } from "../../src/client/login.js";
import { serveInspector } from "../../src/cli/inspector-server.js";
import { encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

const ANN = { method: "password", name: "ann", password: "ann's secret 2" } as const;
let broker: EmbeddedBroker;
let node: TicktockNode;
let tcp: ClientServer, ws: ClientServer;
const origins = new Set<string>();
const sites: { url: string; close(): Promise<void> }[] = [];
let browser: Browser;
const logs: string[] = [];

beforeAll(async () => {
  await init();
  broker = await startEmbeddedBroker(0);
  node = new TicktockNode({ ...FAST, name: "alpha", transport: new MqttTransport({ url: broker.url, root: "inspector.login" }), log: (_l, line) => logs.push(line) });
  await node.start();
  node.set(Path.of("one"), 1);
  tcp = await serveTcp(node, { port: 0 });
  const admin = await connectTcp(`127.0.0.1:${tcp.port}`);
  try {
    await admin.request("auth_set", { typ: "password", kind: "user", ident: "joe", chain: null, password: await sealedPassword(admin, "secret1") });
    await admin.request("auth_set", { typ: "password", kind: "user", ident: "ann", chain: null, password: await sealedPassword(admin, ANN.password), role: "read" });
    await admin.request("set_auth_typ", { typ: "password" });
  } finally {
    admin.close();
  }
  // a publisher that skips tick 2, so there is something to (try to) mark
  const ghost = await mqtt.connectAsync(broker.url);
  for (const tick of [1, 3]) await ghost.publishAsync("inspector/login/update", Buffer.from(encodeValue({ node: "ghost", tick, prev: null, path: Path.of("ghost", `t${tick}`), value: tick, tock: 1 })));
  await ghost.endAsync();
  await waitFor(() => JSON.stringify(node.ledger.missing()) === '{"ghost":[2]}', 10_000, () => JSON.stringify(node.ledger.missing()));
  ws = await serveWebSocket(node, { port: 0, origins });
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  for (const s of sites) await s.close();
  await ws?.close();
  await tcp?.close();
  await node?.stop();
  await broker?.close();
});

async function inspector(credentials?: typeof ANN): Promise<string> {
  const site = await serveInspector({ server: `ws://127.0.0.1:${ws.port}` }, { port: 0, credentials });
  sites.push(site);
  origins.add(originOf(site.url));
  return site.url;
}

const cell = (page: Page, n: string, cls: string) => page.locator(`tr[data-node="${n}"] td.${cls}`);

/** GET a path of the inspector with this Host header: status and body. */
function get(url: string, path: string, host: string): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve([res.statusCode!, body]));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the inspector on a node with auth", () => {
  it("logs in with the login ticktock inspect was given, shows the cluster, and may not mark as a read user", async () => {
    const url = await inspector(ANN);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await expect.poll(() => page.locator("#connection").textContent(), { timeout: 15_000 }).toMatch(/^broker \(none\) · server alpha at ws:\/\/127\.0\.0\.1:\d+ as ann$/);
    await expect.poll(() => cell(page, "ghost", "missing").textContent(), { timeout: 10_000 }).toBe("[2]");
    // alpha's own tick: its value and the three writes that made the users and turned auth on
    expect(await cell(page, "alpha", "tick").textContent()).toBe(String((node.getState({ nodes: true }).nodes as Record<string, unknown>).alpha));
    expect(await page.locator("#login-section").isHidden()).toBe(true);
    // the password is in neither the page's source nor its address
    expect(await page.content()).not.toContain(ANN.password);
    expect(page.url()).not.toContain("secret");
    // ann may look (the preview reads the server's state) but not mark
    await page.selectOption("#repair-node", "ghost");
    await page.click("#preview");
    await expect.poll(() => page.locator("#plan-text").textContent(), { timeout: 5000 }).toMatch(/would mark superseded: ghost \[2\]/);
    await page.click("#apply");
    await expect.poll(() => page.locator("#repair-result").textContent(), { timeout: 5000 }).toMatch(/^not marked: .*Not allowed: fake_info(_send)? needs a maintainer; user ann may only look$/);
    expect(node.ledger.missing()).toEqual({ ghost: [2] });
    expect(errors).toEqual([]);
    // login.json answers only at a loopback address: not to a page that points its own name at 127.0.0.1
    const port = new URL(url).port;
    expect(await get(url, "/login.json", `127.0.0.1:${port}`)).toEqual([200, JSON.stringify(ANN)]);
    const [status, body] = await get(url, "/login.json", `evil.example:${port}`);
    expect([status, body]).toEqual([403, JSON.stringify({ error: `the login is handed only to the page at a loopback address, not to one at evil.example:${port}` })]);
  });

  it("asks for a login in a form, shows a wrong password's error, and lets the right one in", async () => {
    const url = await inspector();
    expect(await get(url, "/login.json", `127.0.0.1:${new URL(url).port}`)).toEqual([404, JSON.stringify({ error: "no login given to the inspector: the page asks for one" })]);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await page.locator("#login-section").waitFor({ state: "visible", timeout: 15_000 });
    expect(await page.locator("#connection").textContent()).toMatch(/^ws:\/\/127\.0\.0\.1:\d+ asks for a login$/);
    await page.fill("#login-user", "ann");
    await page.fill("#login-password", "not it");
    await page.click("#login-submit");
    await expect.poll(() => page.locator("#login-error").textContent(), { timeout: 10_000 }).toMatch(/^login to ws:\/\/127\.0\.0\.1:\d+ as ann failed: AuthFailedError: user ann and this password do not match$/);
    expect(logs.filter((l) => l.includes("failed login"))).toEqual([expect.stringContaining("failed login as ann (auth method password)")]); // one log line on the node
    await page.screenshot({ path: new URL("../../test-results/inspector-login-refused.png", import.meta.url).pathname });
    await page.fill("#login-password", ANN.password);
    await page.click("#login-submit");
    await expect.poll(() => page.locator("#connection").textContent(), { timeout: 10_000 }).toMatch(/server alpha at ws:\/\/127\.0\.0\.1:\d+ as ann$/);
    expect(await page.locator("#login-section").isHidden()).toBe(true);
    await expect.poll(() => cell(page, "ghost", "tick").textContent(), { timeout: 10_000 }).toBe("3");
    expect(errors).toEqual([]);
  });
});
