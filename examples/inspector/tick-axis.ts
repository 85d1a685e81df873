// The tick axis under a timeline: labelled marks at 1, 2 or 5 x 10^k ticks apart, as close as
// their labels allow (each label gets its width and a gap), never closer than one tick: zoomed
// in all the way every tick has its label, zoomed out a million ticks get a handful. A label
// the timeline's edge would cut is left out.

import type { TickWindow } from "./tick-window.js";

export interface AxisMark {
  tick: number;
  /** Centre of the tick, in pixels from the timeline's left edge. */
  x: number;
  label: string;
}

/** Pixels per label character, and the gap between labels (the axis font is ~11 px). */
const CHAR_PX = 7;
const GAP_PX = 16;

export const formatTick = (t: number): string => t.toLocaleString("en-US");

/** The smallest 1/2/5 x 10^k step (at least 1 tick) whose marks are `minPx` pixels apart. */
export function niceStep(pxPerTick: number, minPx: number): number {
  const raw = minPx / pxPerTick;
  if (raw <= 1) return 1;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

export function axisMarks(w: TickWindow, width: number): AxisMark[] {
  const span = w.hi - w.lo;
  if (span <= 0 || width <= 0) return [];
  const pxPerTick = width / span;
  const widest = formatTick(w.hi - 1).length * CHAR_PX + GAP_PX;
  const step = niceStep(pxPerTick, widest);
  const marks: AxisMark[] = [];
  for (let t = Math.ceil(w.lo / step) * step; t < w.hi; t += step) {
    if (t < 1) continue;
    const label = formatTick(t);
    const x = (t - w.lo + 0.5) * pxPerTick;
    const half = (label.length * CHAR_PX) / 2;
    if (x - half < 0 || x + half > width) continue; // a label cut by the edge says nothing
    marks.push({ tick: t, x, label });
  }
  return marks;
}

/** Draw the marks into the axis element: one positioned label per mark, with its notch. */
export function renderAxis(el: HTMLElement, marks: AxisMark[]): void {
  const have = el.children;
  while (have.length > marks.length) have[have.length - 1]!.remove();
  marks.forEach((m, i) => {
    let span = have[i] as HTMLElement | undefined;
    if (!span) {
      span = document.createElement("span");
      span.className = "mark";
      el.append(span);
    }
    span.textContent = m.label;
    span.style.left = `${m.x.toFixed(1)}px`;
    span.dataset.tick = String(m.tick);
  });
}
