// The tooltip of the timelines: what is under the pointer (or the keyboard's cursor): the tick,
// every kind it is with that kind's run of ticks around it, and, when one pixel covers many
// ticks, what share of that pixel each kind covers. One element for the whole page.

import type { TickRun } from "../../src/observer/tick-runs.js";
import { formatTick } from "./tick-axis.js";

/** What a pixel of the timeline covers: its ticks and each band's share of them. */
export interface PixelCover {
  first: number;
  last: number;
  shares: { kind: string; share: number }[];
}

const ticks = (lo: number, hi: number) => (lo === hi ? `tick ${formatTick(lo)}` : `ticks ${formatTick(lo)}–${formatTick(hi)} (${formatTick(hi - lo + 1)})`);

/** The tooltip's lines for tick `tick` of `node` (runs: from the observer; undefined while asked). */
export function describeTick(node: string, tick: number, top: number, runs: TickRun[] | undefined, pixel?: PixelCover): string[] {
  const lines = [`${node} · tick ${formatTick(tick)}`];
  if (runs === undefined) lines.push("…");
  else if (runs.length === 0) lines.push(tick > top ? `not published yet (${node} is at tick ${formatTick(top)})` : "in no set");
  else for (const r of runs) lines.push(`${r.kind}: ${ticks(Number(r.lo), Number(r.hi))}`);
  if (pixel && pixel.last > pixel.first) {
    const parts = pixel.shares.filter((s) => s.share > 0).map((s) => `${s.kind} ${Math.max(1, Math.round(s.share * 100))}%`);
    lines.push(`this pixel, ${ticks(pixel.first, pixel.last)}: ${parts.join(", ") || "nothing"}`);
  }
  return lines;
}

export class Tooltip {
  readonly el: HTMLElement;

  constructor(el: HTMLElement) {
    this.el = el;
    el.setAttribute("role", "tooltip");
    el.hidden = true;
  }

  /** Show `lines` next to the point (x, y) of the viewport, kept inside it. */
  show(lines: string[], x: number, y: number): void {
    this.el.replaceChildren(...lines.map((l, i) => {
      const div = document.createElement("div");
      if (i === 0) div.className = "title";
      div.textContent = l;
      return div;
    }));
    this.el.hidden = false;
    const r = this.el.getBoundingClientRect();
    const left = Math.min(Math.max(4, x + 12), innerWidth - r.width - 4);
    const top = y + 16 + r.height > innerHeight ? y - r.height - 8 : y + 16;
    // a layer of its own (position: fixed, will-change: transform), moved by transform alone:
    // moving or rewriting the tooltip repaints the tooltip, not the table under it
    this.el.style.transform = `translate(${left.toFixed(1)}px, ${top.toFixed(1)}px)`;
  }

  hide(): void {
    this.el.hidden = true;
  }
}
