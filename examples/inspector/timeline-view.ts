// One node's timeline: its bands (present, superseded, deleted, missing, remote_missing) drawn
// from a raster of the visible window only, the tick axis under them, zoom and pan by wheel,
// drag and keys, and the tooltip for the tick under the pointer or the keyboard's cursor.
//
// For assistive technology a timeline is a slider over the node's ticks: its value is the tick
// at the centre (marked when focused), its value text says what that tick is, and the arrow keys
// move it (they pan the window under the centre).

import type { NodeRaster } from "../../src/observer/cluster-observer.js";
import type { TickRun } from "../../src/observer/tick-runs.js";
import { mailboxBytes, mailboxFits, takeRaster, type RasterMailbox } from "../../src/observer/raster-mailbox.js";
import { axisMarks, renderAxis } from "./tick-axis.js";
import { clampWindow, fullWindow, panWindow, pixelTicks, tickAt, zoomWindow, type TickWindow } from "./tick-window.js";
import { describeTick, type PixelCover, type Tooltip } from "./tooltip.js";
import { onThemeChange, themeColour } from "./theme.js";

/** Where a timeline gets its pixels and its tooltips' runs from (the observer worker). */
export interface TimelineSource {
  /** The raster of window w; with a mailbox, the worker puts it there (and the answer may be empty). */
  raster(node: string, width: number, w: TickWindow, mailbox?: RasterMailbox): Promise<NodeRaster | undefined>;
  runsAt(node: string, tick: number): Promise<TickRun[]>;
}

/** The bands, top to bottom: the raster's field, the wire name, the colour variable. */
export const BANDS = [
  ["present", "present", "--present"],
  ["superseded", "superseded", "--superseded"],
  ["deleted", "deleted", "--deleted"],
  ["missing", "missing", "--missing"],
  ["remoteMissing", "remote_missing", "--remote"],
] as const;

/** Zoom per key press, and per 100 px of wheel. */
const KEY_ZOOM = 0.5;
const WHEEL_ZOOM_PER_100 = 0.8;

let themeGeneration = 0;
const views = new Set<TimelineView>();
/** Each canvas's width in CSS pixels, kept by a ResizeObserver: reading clientWidth in a refresh
 * that has just written the table would force a layout per row (100 rows: a long task). */
const widths = new WeakMap<Element, number>();
const sizes = typeof ResizeObserver === "function"
  ? new ResizeObserver((entries) => {
    for (const e of entries) {
      widths.set(e.target, e.contentRect.width);
      for (const v of views) if (v.canvas === e.target) v.requestDraw();
    }
  })
  : undefined;
onThemeChange(() => {
  themeGeneration++;
  for (const v of views) v.requestDraw();
});

/**
 * Draw one raster into the canvas (one pass over the pixels, one putImageData): a row per band,
 * each pixel's opacity its share of covered ticks; a lone tick among a million still shows, at a
 * third of full strength.
 */
function drawBands(canvas: HTMLCanvasElement, r: NodeRaster): void {
  const ctx = canvas.getContext("2d")!;
  const w = canvas.width, h = canvas.height;
  const img = ctx.createImageData(w, h);
  const d = img.data;
  const rowH = Math.floor(h / BANDS.length);
  BANDS.forEach(([band, , colour], row) => {
    const px = r[band];
    const [cr, cg, cb] = themeColour(colour);
    for (let x = 0; x < w && x < px.length; x++) {
      const v = px[x]!;
      if (v <= 0) continue;
      const a = Math.round(255 * Math.min(1, 0.33 + v));
      for (let y = row * rowH; y < (row + 1) * rowH - 1; y++) {
        const i = (y * w + x) * 4;
        d[i] = cr;
        d[i + 1] = cg;
        d[i + 2] = cb;
        d[i + 3] = a;
      }
    }
  });
  ctx.putImageData(img, 0, 0);
}

/** A raster's ticks as the core wants them: numbers while exact, bigints past 2^53. */
export const tickArg = (t: number): number | bigint => (Number.isSafeInteger(t) ? t : BigInt(Math.round(t)));

export class TimelineView {
  readonly node: string;
  /** The slider: focusable, labelled, holding the canvas, the centre marker and the axis. */
  readonly el: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly axis: HTMLElement;
  readonly #cursor: HTMLElement;
  readonly #source: TimelineSource;
  readonly #tooltip: Tooltip;
  /** The node's highest tick. */
  top = 0;
  window: TickWindow = fullWindow(0);
  /** Showing every tick, and following the node as its tick grows. */
  fitted = true;
  /** Whether the timeline is on screen (only those are drawn). */
  visible = false;
  #dataKey = "";
  #drawnKey = "";
  #raster: NodeRaster | undefined;
  #rasterWindow: TickWindow = this.window;
  #busy: Promise<void> | undefined;
  #again = false;
  /** The animation frame that will show the tooltip due (see #due). */
  #frame: number | undefined;
  /** When the window to fetch next was asked for (a key, or the end of the fetch in flight): a redraw is measured from then. */
  #staleSince: number | undefined;
  /** The tooltip due at the next frame: at the pointer, or at the keyboard's cursor. */
  #describeDue: "pointer" | "centre" | undefined;
  /** Whether a runsAt call is in flight, and the latest ask made meanwhile. */
  #runsBusy = false;
  #runsWanted: { ask: number; tick: number; pixel: PixelCover | undefined; at: { x: number; y: number }; spoken: boolean } | undefined;
  #drag: { x: number; window: TickWindow; id: number } | undefined;
  #pointer: { x: number; y: number } | undefined;
  #ask = 0;
  /** Calls to the observer worker, by kind, and rasters taken from the mailbox (the tests bound them per burst of input). */
  readonly calls = { raster: 0, runsAt: 0, shared: 0, replied: 0 };
  /** Where the worker puts this view's rasters (see raster-mailbox.ts), and the last request's number. */
  #mailbox: SharedArrayBuffer | undefined;
  #seq = 0;

  constructor(node: string, source: TimelineSource, tooltip: Tooltip) {
    this.node = node;
    this.#source = source;
    this.#tooltip = tooltip;
    const el = (this.el = document.createElement("div"));
    el.className = "timeline";
    el.tabIndex = 0;
    el.setAttribute("role", "slider");
    el.setAttribute("aria-label", `${node} timeline`);
    el.setAttribute("aria-describedby", "timeline-help");
    el.setAttribute("aria-valuemin", "1");
    el.dataset.node = node;
    this.canvas = document.createElement("canvas");
    this.canvas.height = 30;
    this.canvas.width = 600;
    this.#cursor = document.createElement("div");
    this.#cursor.className = "cursor";
    this.axis = document.createElement("div");
    this.axis.className = "axis";
    this.axis.setAttribute("aria-hidden", "true");
    el.append(this.canvas, this.#cursor, this.axis);
    this.#aria();
    this.#listen();
    views.add(this);
    sizes?.observe(this.canvas);
  }

  /** New data from a refresh: the node's tick, and a key that changes when its sets do. */
  update(top: number, dataKey: string): void {
    this.top = top;
    this.#dataKey = dataKey;
    this.window = this.fitted ? fullWindow(top) : clampWindow(this.window, top);
    this.#aria();
  }

  /** The key of what would be drawn now; equal to the drawn one when nothing needs drawing. */
  #key(): string {
    return `${this.#width()}:${this.window.lo}:${this.window.hi}:${this.#dataKey}:${themeGeneration}`;
  }

  #width(): number {
    return Math.max(100, Math.round(widths.get(this.canvas) || 600));
  }

  get needsDraw(): boolean {
    return this.visible && this.#key() !== this.#drawnKey;
  }

  /** The window and width a raster for this view should cover now. */
  rasterRequest(): { width: number; window: TickWindow } {
    return { width: this.#width(), window: { ...this.window } };
  }

  /** Draw a raster fetched for `w` (by the caller, or by requestDraw). */
  paint(r: NodeRaster, w: TickWindow): void {
    this.#drawnKey = `${r.width}:${w.lo}:${w.hi}:${this.#dataKey}:${themeGeneration}`;
    if (this.canvas.width !== r.width) this.canvas.width = r.width;
    drawBands(this.canvas, r);
    this.#raster = r;
    this.#rasterWindow = w;
    renderAxis(this.axis, axisMarks(w, r.width));
    this.axis.dataset.lo = String(w.lo);
    this.axis.dataset.hi = String(w.hi);
  }

  /**
   * Fetch and draw this view's window: one raster in flight at a time, so however many keys,
   * wheel steps or pointer moves arrive meanwhile, the latest window is asked for once, when it
   * is back. The last frame stays drawn meanwhile.
   */
  requestDraw(): void {
    this.#staleSince ??= performance.now();
    this.#fetch();
  }

  /** The tooltip to show at the next frame (input only notes it: one tooltip and one runsAt per frame). */
  #due(what: "pointer" | "centre"): void {
    this.#describeDue = what;
    if (this.#frame !== undefined) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = undefined;
      const due = this.#describeDue;
      this.#describeDue = undefined;
      if (due === "centre") this.#describeCentre();
      else if (due === "pointer") this.#describePointer();
    });
  }

  #fetch(): void {
    if (this.#busy) {
      this.#again = true;
      return;
    }
    if (!this.needsDraw) {
      this.#staleSince = undefined;
      return;
    }
    const { width, window } = this.rasterRequest();
    const t0 = this.#staleSince ?? performance.now();
    this.#staleSince = undefined;
    const box = this.#mailboxFor(width);
    const seq = ++this.#seq;
    this.calls.raster++;
    this.el.dataset.rasterCalls = String(this.calls.raster);
    let done!: () => void;
    this.#busy = new Promise<void>((resolve) => (done = resolve));
    let finished = false;
    const finish = (r: NodeRaster | undefined, shared: boolean) => {
      if (finished) return;
      finished = true;
      try {
        if (r) {
          this.paint(r, window);
          if (shared) this.el.dataset.sharedRasters = String(++this.calls.shared);
          else this.el.dataset.repliedRasters = String(++this.calls.replied);
        }
        performance.measure("ticktock:timeline", { start: t0, end: performance.now() });
      } finally {
        this.#busy = undefined;
        done();
        if (this.#again) {
          this.#again = false;
          // measured from when this fetch could start: the wait for the one in flight is not the next redraw's
          this.#staleSince = performance.now();
          this.#fetch();
        }
      }
    };
    const lo = tickArg(window.lo), hi = tickArg(window.hi);
    // the raster from the mailbox, in the first frame after the worker put it there; or from the
    // reply, if that comes first (then it is in the mailbox already); without a mailbox, the reply
    const take = () => (box ? takeRaster(box, seq, this.node, lo, hi) : null);
    this.#source.raster(this.node, width, window, box ? { buffer: box, seq } : undefined).then((r) => {
      const shared = take();
      finish(shared ?? r, shared !== null);
    }, () => finish(undefined, false));
    if (box) {
      const poll = () => {
        if (finished) return;
        const r = take();
        if (r === null) requestAnimationFrame(poll);
        else finish(r, true);
      };
      requestAnimationFrame(poll);
    }
  }

  /** This view's raster mailbox, when the page may share memory with its worker (cross-origin isolated). */
  #mailboxFor(width: number): SharedArrayBuffer | undefined {
    if (!globalThis.crossOriginIsolated || typeof SharedArrayBuffer !== "function") return undefined;
    if (!this.#mailbox || !mailboxFits(this.#mailbox, width)) this.#mailbox = new SharedArrayBuffer(mailboxBytes(width));
    return this.#mailbox;
  }

  /** Resolves when no raster is in flight (tests and the benchmark wait on it). */
  async settled(): Promise<void> {
    while (this.#busy) await this.#busy;
  }

  #setWindow(w: TickWindow): void {
    this.window = w;
    const all = fullWindow(this.top);
    this.fitted = w.lo === all.lo && w.hi === all.hi;
    this.#aria();
    this.requestDraw();
  }

  /** The tick at the centre: the slider's value and the keyboard's cursor. */
  centre(): number {
    return this.window.lo + Math.floor((this.window.hi - this.window.lo) / 2);
  }

  /** The slider's attributes, written only when they change (a refresh rewrites every row). */
  #aria(): void {
    const set = (k: string, v: string) => this.el.getAttribute(k) !== v && this.el.setAttribute(k, v);
    set("aria-valuemax", String(Math.max(1, this.top)));
    set("aria-valuenow", String(this.centre()));
    set("data-lo", String(this.window.lo));
    set("data-hi", String(this.window.hi));
  }

  /** What pixel px (of the raster drawn last) covers. */
  #pixel(px: number): PixelCover | undefined {
    const r = this.#raster;
    // a raster of an earlier window (the new one is still being drawn) says nothing about this one
    if (!r || px < 0 || px >= r.width || this.#rasterWindow.lo !== this.window.lo || this.#rasterWindow.hi !== this.window.hi) return undefined;
    const [first, last] = pixelTicks(this.#rasterWindow, px, r.width);
    return { first, last, shares: BANDS.map(([band, kind]) => ({ kind, share: r[band][px] ?? 0 })) };
  }

  /**
   * Show the tooltip for a tick at a point of the viewport; `spoken`: say it as the slider's value
   * too. The tick's runs come from the worker, one call in flight: asks made meanwhile wait, and
   * only the latest of them is sent.
   */
  #describe(tick: number, px: number | undefined, at: { x: number; y: number }, spoken: boolean): void {
    const ask = ++this.#ask;
    const pixel = px === undefined ? undefined : this.#pixel(px);
    this.#tooltip.show(describeTick(this.node, tick, this.top, undefined, pixel), at.x, at.y);
    this.#runsWanted = { ask, tick, pixel, at, spoken };
    if (!this.#runsBusy) void this.#askRuns();
  }

  async #askRuns(): Promise<void> {
    this.#runsBusy = true;
    try {
      for (let w = this.#runsWanted; w; w = this.#runsWanted) {
        this.#runsWanted = undefined;
        this.calls.runsAt++;
        this.el.dataset.runsCalls = String(this.calls.runsAt);
        let runs: TickRun[];
        try {
          runs = await this.#source.runsAt(this.node, w.tick);
        } catch {
          continue;
        }
        if (w.ask !== this.#ask) continue; // the pointer or the cursor moved on, or left
        const lines = describeTick(this.node, w.tick, this.top, runs, w.pixel);
        this.#tooltip.show(lines, w.at.x, w.at.y);
        this.#tooltip.el.dataset.node = this.node;
        this.#tooltip.el.dataset.tick = String(w.tick);
        if (w.spoken) this.el.setAttribute("aria-valuetext", lines.slice(0, 2).join(": ").replace(" · ", ", "));
      }
    } finally {
      this.#runsBusy = false;
    }
  }

  #describePointer(): void {
    const p = this.#pointer;
    if (!p) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = p.x - rect.left;
    const tick = tickAt(this.window, x, rect.width);
    const px = this.#raster ? Math.floor((x / rect.width) * this.#raster.width) : undefined;
    this.#describe(tick, px, p, false);
  }

  #describeCentre(): void {
    const rect = this.canvas.getBoundingClientRect();
    const tick = this.centre();
    const x = ((tick - this.window.lo + 0.5) / (this.window.hi - this.window.lo)) * rect.width;
    this.#cursor.style.left = `${x.toFixed(1)}px`;
    const px = this.#raster ? Math.floor((x / rect.width) * this.#raster.width) : undefined;
    this.#describe(tick, px, { x: rect.left + x, y: rect.bottom }, true);
  }

  #listen(): void {
    const el = this.el;
    el.addEventListener("wheel", (e) => {
      const sideways = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
      // the wheel scrolls the page past a timeline until it is clicked or focused (or Ctrl is held)
      if (!sideways && !e.ctrlKey && document.activeElement !== el) return;
      e.preventDefault();
      const rect = this.canvas.getBoundingClientRect();
      const span = this.window.hi - this.window.lo;
      if (sideways) {
        const d = Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : e.deltaY;
        this.#setWindow(panWindow(this.window, (d / rect.width) * span, this.top));
      } else {
        const anchor = Math.min(1, Math.max(0, (e.clientX - rect.left) / rect.width));
        this.#setWindow(zoomWindow(this.window, WHEEL_ZOOM_PER_100 ** (-e.deltaY / 100), anchor, this.top));
      }
      this.#due("pointer");
    }, { passive: false });
    el.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      el.setPointerCapture(e.pointerId);
      this.#drag = { x: e.clientX, window: this.window, id: e.pointerId };
      el.classList.add("dragging");
    });
    el.addEventListener("pointermove", (e) => {
      this.#pointer = { x: e.clientX, y: e.clientY };
      const d = this.#drag;
      if (d && d.id === e.pointerId) {
        const width = this.canvas.getBoundingClientRect().width;
        const span = d.window.hi - d.window.lo;
        this.#setWindow(panWindow(d.window, (-(e.clientX - d.x) / width) * span, this.top));
      }
      this.#due("pointer");
    });
    const endDrag = () => {
      this.#drag = undefined;
      el.classList.remove("dragging");
    };
    el.addEventListener("pointerup", endDrag);
    el.addEventListener("pointercancel", endDrag);
    el.addEventListener("pointerleave", () => {
      this.#pointer = undefined;
      this.#describeDue = undefined;
      this.#ask++;
      if (el.matches(":focus-visible")) this.#describeCentre();
      else this.#tooltip.hide();
    });
    // focus from the keyboard shows the cursor's tooltip; a click's focus leaves it to the pointer
    el.addEventListener("focus", () => el.matches(":focus-visible") && this.#describeCentre());
    el.addEventListener("blur", () => {
      this.#describeDue = undefined;
      this.#ask++;
      this.#tooltip.hide();
    });
    el.addEventListener("keydown", (e) => {
      const w = this.window, span = w.hi - w.lo, top = this.top;
      const step = e.shiftKey ? 1 : Math.max(1, Math.round(span / 10));
      let next: TickWindow | undefined;
      switch (e.key) {
        case "ArrowLeft": next = panWindow(w, -step, top); break;
        case "ArrowRight": next = panWindow(w, step, top); break;
        case "PageUp": next = panWindow(w, span, top); break;
        case "PageDown": next = panWindow(w, -span, top); break;
        case "Home": next = clampWindow({ lo: 1, hi: 1 + span }, top); break;
        case "End": next = clampWindow({ lo: top + 1 - span, hi: top + 1 }, top); break;
        case "+": case "=": case "ArrowUp": next = zoomWindow(w, KEY_ZOOM, 0.5, top); break;
        case "-": case "_": case "ArrowDown": next = zoomWindow(w, 1 / KEY_ZOOM, 0.5, top); break;
        case "0": next = fullWindow(top); break;
        case "Escape": this.#tooltip.hide(); return;
        default: return;
      }
      e.preventDefault();
      this.#setWindow(next);
      this.#due("centre");
    });
  }

  /** Forget the view (its node left the page). */
  dispose(): void {
    views.delete(this);
    sizes?.unobserve(this.canvas);
    this.el.remove();
  }
}
