// The inspector explains, in real Chromium: a node with a 1,000,000-interval set (present and
// superseded interleave, every other tick, around a gap of 21 missing ticks), its timeline's tick
// axis, zoom down to single ticks and pan (keys, drag, wheel), the tooltip under the pointer and
// on keyboard focus, a node's missing-count strip as a gap opens and is filled, the doctor's
// diagnosis beside the gap, both themes, and axe-core with no violations in either. Screenshots are kept in test-results/inspector/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import mqtt from "mqtt";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/chromium.js";
import { init } from "../../src/core/range-set.js";
import { TicktockNode } from "../../src/node/node.js";
import { MqttTransport } from "../../src/transport/mqtt-transport.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/transport/embedded-broker.js";
import { serveWebSocket } from "../../src/server/ws-server.js";
import type { ClientServer } from "../../src/server/tcp-server.js";
import { serveInspector } from "../../src/cli/inspector-server.js";
import { encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

const SHOTS = new URL("../../test-results/inspector/", import.meta.url);
const shot = (page: Page, name: string) => page.screenshot({ path: new URL(`${name}.png`, SHOTS).pathname, fullPage: true });
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** 2,000,000 ticks: odd ones present, even ones superseded (1,000,000 intervals each), but a gap. */
const TOP = 2_000_000;
const GAP = [999_990, 1_000_010] as const;

let broker: EmbeddedBroker;
let node: TicktockNode;
let ws: ClientServer;
let site: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await init();
  broker = await startEmbeddedBroker(0, "127.0.0.1", 0);
  node = new TicktockNode({ name: "alpha", transport: new MqttTransport({ url: broker.url }), startupWait: 0, announceInterval: 0, log: () => {} });
  await node.start();
  // the state as get_state gives it: single ticks, odd ones present, even ones superseded
  const ticks = (first: number) => Array.from({ length: TOP / 2 }, (_, i) => first + 2 * i).filter((t) => t < GAP[0] || t > GAP[1]);
  node.importState({ nodes: { big: TOP }, present: { big: ticks(1) }, known: { big: ticks(2) } });
  ws = await serveWebSocket(node, { port: 0, origins: "*" });
  site = await serveInspector({ mqtt: broker.wsUrl, server: `ws://127.0.0.1:${ws.port}` }, { port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(site.url);
  await page.waitForFunction(`document.querySelector('.timeline[data-node="big"]')?.getAttribute("aria-valuemax") === "${TOP}"`, undefined, { timeout: 90_000 });
}, 120_000); // a million intervals into the page's worker: seconds, more beside other Chromium tests

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await ws?.close();
  await node?.stop();
  await broker?.close();
});

const timeline = (p: Page, n: string) => p.locator(`.timeline[data-node="${n}"]`);

/** The drawn axis of a node's timeline: its window and its labels with their x positions. */
function axis(p: Page, n: string): Promise<{ lo: number; hi: number; viewLo: number; viewHi: number; width: number; marks: { tick: number; label: string; x: number }[] }> {
  return p.evaluate((n) => {
    const el = document.querySelector(`.timeline[data-node="${n}"]`) as HTMLElement;
    const ax = el.querySelector(".axis") as HTMLElement;
    const marks = [...ax.querySelectorAll<HTMLElement>(".mark")].map((m) => ({ tick: Number(m.dataset.tick), label: m.textContent!, x: parseFloat(m.style.left) }));
    return { lo: Number(ax.dataset.lo), hi: Number(ax.dataset.hi), viewLo: Number(el.dataset.lo), viewHi: Number(el.dataset.hi), width: el.querySelector("canvas")!.width, marks };
  }, n);
}

/** Wait until the axis shows the timeline's current window (the raster for it is drawn). */
async function drawn(p: Page, n: string) {
  await expect.poll(async () => { const a = await axis(p, n); return a.lo === a.viewLo && a.hi === a.viewHi; }, { timeout: 10_000 }).toBe(true);
  return axis(p, n);
}

/** Whether the band `row` (0 present ... 4 remote_missing) is drawn at pixel x of a node's timeline. */
function bandAt(p: Page, n: string, row: number, x: number): Promise<[number, number, number, number]> {
  return p.evaluate(([n, row, x]) => {
    const c = document.querySelector(`.timeline[data-node="${n}"] canvas`) as HTMLCanvasElement;
    const h = Math.floor(c.height / 5);
    return [...c.getContext("2d")!.getImageData(Math.floor(x as number), (row as number) * h + 1, 1, 1).data] as [number, number, number, number];
  }, [n, row, x] as const);
}

const tooltip = (p: Page) => p.locator("#tooltip");
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

async function axeViolations(p: Page): Promise<string[]> {
  if (!(await p.evaluate("typeof window.axe !== 'undefined'"))) await p.addScriptTag({ content: AXE });
  const r = (await p.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: { id: string; nodes: { target: string[] }[] }[] };
  return r.violations.map((v) => `${v.id}: ${v.nodes.map((x) => x.target.join(" ")).join(", ")}`);
}

describe("the inspector explains, in Chromium", () => {
  it("labels the tick axis with round ticks, spaced so their labels fit", async () => {
    const a = await drawn(page, "big");
    expect([a.lo, a.hi]).toEqual([1, TOP + 1]);
    const ticks = a.marks.map((m) => m.tick);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.length).toBeLessThanOrEqual(15);
    const step = ticks[1]! - ticks[0]!;
    expect(String(step)).toMatch(/^[125]0*$/); // 1, 2 or 5 x 10^k
    expect(ticks.every((t, i) => t === ticks[0]! + i * step && t % step === 0)).toBe(true);
    expect(a.marks.map((m) => m.label)).toContain("1,000,000");
    const gaps = a.marks.slice(1).map((m, i) => m.x - a.marks[i]!.x);
    expect(Math.min(...gaps)).toBeGreaterThan("2,000,000".length * 7); // labels do not overlap
    await shot(page, "timeline-1-full");
  });

  it("zooms with the keyboard down to single ticks, each labelled and drawn as the set has it", async () => {
    const big = timeline(page, "big");
    await big.focus();
    let presses = 0;
    for (; presses < 30; presses++) {
      const { viewLo, viewHi } = await axis(page, "big");
      if (viewHi - viewLo <= 5) break;
      await page.keyboard.press("+");
    }
    expect(presses).toBeLessThan(30);
    const a = await drawn(page, "big");
    expect(a.hi - a.lo).toBe(5);
    expect(a.marks.map((m) => m.tick)).toEqual([0, 1, 2, 3, 4].map((i) => a.lo + i)); // every tick labelled
    expect(a.lo).toBeGreaterThanOrEqual(GAP[0] - 30); // zoomed about the centre, where the gap is
    // a tick outside the gap: odd ones present (row 0), even ones superseded (row 1)
    await page.keyboard.press("Home");
    const b = await drawn(page, "big");
    expect(b.lo).toBe(1);
    for (const m of b.marks) {
      const present = (await bandAt(page, "big", 0, m.x))[3] > 0;
      const superseded = (await bandAt(page, "big", 1, m.x))[3] > 0;
      expect([m.tick, present, superseded]).toEqual([m.tick, m.tick % 2 === 1, m.tick % 2 === 0]);
    }
    await shot(page, "timeline-2-single-ticks");
  });

  it("pans by keys, drag and wheel, and zooms out with the wheel once focused", async () => {
    const big = timeline(page, "big");
    await big.focus();
    await page.keyboard.press("Shift+ArrowRight");
    await page.keyboard.press("Shift+ArrowRight");
    let a = await drawn(page, "big");
    expect([a.lo, a.hi]).toEqual([3, 8]);
    await page.keyboard.press("ArrowLeft"); // a tenth of 5 ticks: one
    a = await drawn(page, "big");
    expect(a.lo).toBe(2);
    // drag two ticks' width to the left: two ticks later
    const box = (await big.locator("canvas").boundingBox())!;
    const tickPx = box.width / 5;
    await page.mouse.move(box.x + box.width / 2, box.y + 10);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - tickPx, box.y + 10, { steps: 3 });
    await page.mouse.move(box.x + box.width / 2 - 2 * tickPx - 2, box.y + 10, { steps: 3 });
    await page.mouse.up();
    a = await drawn(page, "big");
    expect(a.lo).toBe(4);
    await page.mouse.wheel(0, 400); // zoom out around the pointer
    a = await drawn(page, "big");
    expect(a.hi - a.lo).toBeGreaterThan(5);
    expect(a.lo).toBeLessThanOrEqual(6);
    await page.keyboard.press("0"); // every tick again (the timeline has the focus still)
    a = await drawn(page, "big");
    expect([a.lo, a.hi]).toEqual([1, TOP + 1]);
    // unfocused, the wheel leaves the timeline alone (it scrolls the page)
    await page.evaluate(() => (document.activeElement as HTMLElement).blur());
    await page.mouse.wheel(0, -400);
    await page.waitForTimeout(200);
    expect([(await axis(page, "big")).viewLo, (await axis(page, "big")).viewHi]).toEqual([1, TOP + 1]);
  });

  it("names the range and kind under the pointer and at the keyboard's cursor", async () => {
    const big = timeline(page, "big");
    // zoomed out: one pixel covers many ticks, half present, half superseded
    const box = (await big.locator("canvas").boundingBox())!;
    await page.mouse.move(box.x + 20, box.y + 10);
    await expect.poll(() => tooltip(page).textContent(), { timeout: 5000 }).toMatch(/^big · tick [\d,]+(present|superseded): tick [\d,]+this pixel, ticks [\d,]+–[\d,]+ \([\d,]+\): present 50%, superseded 50%$/);
    // the keyboard: focus, zoom in about the centre; the cursor is in the gap
    await big.focus();
    for (let i = 0; i < 25; i++) await page.keyboard.press("+");
    await drawn(page, "big");
    const centre = Number(await big.getAttribute("aria-valuenow"));
    expect(centre).toBeGreaterThanOrEqual(GAP[0]);
    expect(centre).toBeLessThanOrEqual(GAP[1]);
    // missing, and (once alpha's info asked for them) remote_missing
    const gap = "ticks 999,990–1,000,010 (21)";
    await expect.poll(() => tooltip(page).textContent(), { timeout: 5000 }).toMatch(new RegExp(`^big · tick ${centre.toLocaleString("en-US")}missing: ${esc(gap)}(remote_missing: ${esc(gap)})?$`));
    await expect.poll(() => big.getAttribute("aria-valuetext")).toBe(`big, tick ${centre.toLocaleString("en-US")}: missing: ${gap}`);
    expect(await tooltip(page).isVisible()).toBe(true);
    await shot(page, "timeline-3-tooltip-keyboard");
    // the pointer on the tick after the gap, a present one (odd): pan there a tick at a time
    for (let i = 0; i < 30 && (await axis(page, "big")).viewHi <= GAP[1] + 2; i++) await page.keyboard.press("Shift+ArrowRight");
    const z = await drawn(page, "big");
    const after = GAP[1] + 1;
    expect(after >= z.lo && after < z.hi).toBe(true);
    await page.mouse.move(box.x + ((after - z.lo + 0.5) / (z.hi - z.lo)) * box.width, box.y + 5);
    await expect.poll(() => tooltip(page).textContent(), { timeout: 5000 }).toBe("big · tick 1,000,011present: tick 1,000,011");
    await page.mouse.move(0, 0);
    await page.keyboard.press("Escape");
  });

  it("draws each node's missing count over time as a gap opens and is filled", async () => {
    const ghost = await mqtt.connectAsync(broker.url);
    try {
      const publish = (tick: number) => ghost.publishAsync("moat/kv/update", Buffer.from(encodeValue({ node: "ghost", tick, prev: null, path: Path.of("ghost", `t${tick}`), value: tick, tock: 1 })));
      await publish(1);
      await publish(4);
      const strip = page.locator('tr[data-node="ghost"] canvas.history');
      // ticks 2 and 3 missing for over a second (two samples), then one of them comes
      await expect.poll(() => strip.getAttribute("data-samples"), { timeout: 10_000 }).toMatch(/(^|,)2,2$/);
      await publish(2);
      await expect.poll(() => strip.getAttribute("data-samples"), { timeout: 10_000 }).toMatch(/^2(,2)*,1$/);
      expect(await strip.getAttribute("aria-label")).toMatch(/^ghost missing ticks over the last \d+ seconds: 1 now, at most 2, down from 2$/);
      // drawn: the line is higher on the left (2) than at the right edge (1)
      const heights = await page.evaluate(() => {
        const c = document.querySelector('tr[data-node="ghost"] canvas.history') as HTMLCanvasElement;
        const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        const topmost = (x: number) => { for (let y = 0; y < c.height - 1; y++) if (d[(y * c.width + x) * 4 + 3]! > 0) return c.height - y; return 0; };
        return { right: topmost(c.width - 1), most: Math.max(...Array.from({ length: c.width }, (_, x) => topmost(x))) };
      });
      expect(heights.most).toBeGreaterThan(heights.right);
      expect(heights.right).toBeGreaterThan(2);
      await expect.poll(() => page.locator('#gaps li[data-node="ghost"]').textContent()).toMatch(/^ghost not seen published: \[3\]/);
      expect(await page.locator('#gaps .diagnosis[data-node="ghost"]').count()).toBe(1); // the doctor's slot
    } finally {
      await ghost.endAsync();
    }
  });

  it("has a light and a dark theme, and no axe-core violations in either", async () => {
    // the doctor's diagnosis beside big's gap (lost everywhere: alpha is the only server) is checked too
    const diagnosis = page.locator('#gaps .diagnosis[data-node="big"]');
    await expect.poll(() => diagnosis.locator("code.command").textContent(), { timeout: 15_000 }).toBe("ticktock internal mark big 999990-1000010 --broadcast");
    expect(await diagnosis.textContent()).toContain("big's ticks 999990-1000010 are missing on alpha");
    await timeline(page, "big").focus();
    await page.keyboard.press("0");
    /** Whether the present band's first pixel has the colour (within rounding: the pixel is translucent). */
    const presentIs = async (rgb: number[]) => (await bandAt(page, "big", 0, 5)).slice(0, 3).every((c, i) => Math.abs(c - rgb[i]!) <= 3);
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg).toBe(scheme === "dark" ? "rgb(13, 17, 23)" : "rgb(246, 248, 250)");
      await expect.poll(() => presentIs(scheme === "dark" ? [0x3f, 0xb9, 0x50] : [0x3a, 0x9d, 0x5d]), { timeout: 5000 }).toBe(true);
      // with a timeline focused from the keyboard, its tooltip shown
      await timeline(page, "big").focus();
      await page.keyboard.press("0");
      await expect.poll(() => tooltip(page).isVisible()).toBe(true);
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, `timeline-4-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: "light" });
    expect(errors).toEqual([]);
  });

  it("turns a burst of zoom keys into one raster and one runsAt call in flight, the raster read from shared memory", async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true); // the server's COOP/COEP: the mailbox can be shared
    const big = timeline(page, "big");
    await big.focus();
    await page.keyboard.press("0");
    await drawn(page, "big");
    await expect.poll(() => tooltip(page).getAttribute("data-tick")).toBe(String(TOP / 2 + 1)); // the "0" press's runsAt is back
    const calls = () => big.evaluate((el: HTMLElement) => ({ raster: Number(el.dataset.rasterCalls ?? 0), runsAt: Number(el.dataset.runsCalls ?? 0), shared: Number(el.dataset.sharedRasters ?? 0), replied: Number(el.dataset.repliedRasters ?? 0) }));
    const before = await calls();
    // 20 presses of + in one task, as a held key or a quick hand sends them within a frame
    await big.evaluate((el: HTMLElement) => {
      for (let i = 0; i < 20; i++) el.dispatchEvent(new KeyboardEvent("keydown", { key: "+", bubbles: true, cancelable: true }));
    });
    const a = await drawn(page, "big");
    expect(a.hi - a.lo).toBe(5); // 2,000,000 ticks halved 20 times: down to the fewest a timeline shows
    const centre = Number(await big.getAttribute("aria-valuenow"));
    await expect.poll(() => tooltip(page).getAttribute("data-tick")).toBe(String(centre));
    const after = await calls();
    // one raster for the first key and one for the latest window once that is back, not 20
    expect(after.raster - before.raster).toBeGreaterThanOrEqual(1);
    expect(after.raster - before.raster).toBeLessThanOrEqual(2);
    expect(after.runsAt - before.runsAt).toBeLessThanOrEqual(2);
    // every raster came through the mailbox, none waited for the worker's reply message (counted as
    // painted: one asked for before \`before\` may land after it, so calls and paints need not pair up)
    expect(after.shared - before.shared).toBeGreaterThanOrEqual(1);
    expect(after.replied - before.replied).toBe(0);
    expect(a.width).toBeLessThanOrEqual(1280); // a raster is the canvas's width in pixels, whatever the ticks
    await page.keyboard.press("0");
    expect(errors).toEqual([]);
  });
});
