// The window of ticks a timeline shows, [lo, hi) in whole ticks, and how zoom and pan move it:
// pure arithmetic, kept inside the node's ticks [1, top] and never narrower than MIN_SPAN ticks
// (a few ticks across the whole timeline: single ticks are wide enough to point at).
//
// Ticks are JavaScript numbers here: exact up to 2^53, which a timeline's window needs; a node
// past that is drawn and zoomed approximately (the raster converts to bigints at its edges).

/** The fewest ticks a timeline shows when zoomed in all the way. */
export const MIN_SPAN = 5;

export interface TickWindow {
  /** First tick shown. */
  lo: number;
  /** One past the last tick shown. */
  hi: number;
}

/** Every tick of a node whose highest tick is `top`: [1, top + 1) (one empty tick while top is 0). */
export function fullWindow(top: number): TickWindow {
  return { lo: 1, hi: Math.max(top, 1) + 1 };
}

/** w moved (not resized, as far as it fits) into the node's ticks. */
export function clampWindow(w: TickWindow, top: number): TickWindow {
  const all = fullWindow(top);
  const span = Math.min(Math.max(Math.round(w.hi - w.lo), Math.min(MIN_SPAN, all.hi - all.lo)), all.hi - all.lo);
  let lo = Math.round(w.lo);
  if (lo < all.lo) lo = all.lo;
  if (lo + span > all.hi) lo = all.hi - span;
  return { lo, hi: lo + span };
}

/**
 * Zoom by `factor` (< 1 zooms in) keeping the tick at `anchor` (0..1 across the timeline)
 * under the same spot.
 */
export function zoomWindow(w: TickWindow, factor: number, anchor: number, top: number): TickWindow {
  const span = w.hi - w.lo;
  const next = Math.max(Math.round(span * factor), MIN_SPAN);
  // always move at least one tick, so a key press at a small span still zooms
  const size = next === span && factor !== 1 ? span + (factor < 1 ? -1 : 1) : next;
  // the tick under the anchor stays under it (the centre tick stays the centre one: no drift)
  const at = w.lo + Math.floor(anchor * span);
  const lo = at - Math.floor(anchor * size);
  return clampWindow({ lo, hi: lo + size }, top);
}

/** Pan by `ticks` (negative: to earlier ticks). */
export function panWindow(w: TickWindow, ticks: number, top: number): TickWindow {
  const d = Math.round(ticks);
  return clampWindow({ lo: w.lo + d, hi: w.hi + d }, top);
}

/** The tick at `x` pixels of a `width`-pixel timeline. */
export function tickAt(w: TickWindow, x: number, width: number): number {
  const t = w.lo + Math.floor((x / width) * (w.hi - w.lo));
  return Math.min(Math.max(t, w.lo), w.hi - 1);
}

/** The ticks [first, last] pixel `px` covers (a pixel can cover many ticks, or part of one). */
export function pixelTicks(w: TickWindow, px: number, width: number): [number, number] {
  const per = (w.hi - w.lo) / width;
  const first = w.lo + Math.floor(px * per);
  const last = Math.max(first, w.lo + Math.ceil((px + 1) * per) - 1);
  return [first, Math.min(last, w.hi - 1)];
}
