// The timeline's tick window and axis, as plain arithmetic: zoom and pan stay inside the node's
// ticks and reach single ticks; the axis marks round ticks, as dense as their labels allow.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MIN_SPAN, clampWindow, fullWindow, panWindow, pixelTicks, tickAt, zoomWindow } from "../../examples/inspector/tick-window.js";
import { axisMarks, niceStep } from "../../examples/inspector/tick-axis.js";

describe("the tick window", () => {
  it("zooms in to MIN_SPAN ticks and out to every tick, never leaving [1, top]", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.array(fc.tuple(fc.constantFrom("in", "out", "pan"), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: -1e7, max: 1e7 })), { maxLength: 60 }), (top, moves) => {
        let w = fullWindow(top);
        for (const [m, anchor, d] of moves) {
          w = m === "in" ? zoomWindow(w, 0.5, anchor, top) : m === "out" ? zoomWindow(w, 2, anchor, top) : panWindow(w, d, top);
          expect(Number.isInteger(w.lo) && Number.isInteger(w.hi)).toBe(true);
          expect(w.lo).toBeGreaterThanOrEqual(1);
          expect(w.hi).toBeLessThanOrEqual(Math.max(top, 1) + 1);
          expect(w.hi - w.lo).toBeGreaterThanOrEqual(Math.min(MIN_SPAN, Math.max(top, 1)));
        }
      }),
    );
  });

  it("reaches single ticks of a 2,000,000-tick node in 19 key presses, keeping the anchor's tick in place", () => {
    let w = fullWindow(2_000_000);
    let presses = 0;
    while (w.hi - w.lo > MIN_SPAN) {
      w = zoomWindow(w, 0.5, 0.5, 2_000_000);
      presses++;
    }
    expect(presses).toBe(19);
    expect(w.lo).toBeLessThanOrEqual(1_000_001);
    expect(w.hi).toBeGreaterThan(1_000_001);
    // zooming around the left quarter keeps the tick there
    const q = zoomWindow({ lo: 1000, hi: 2000 }, 0.5, 0.25, 1e6);
    expect(q).toEqual({ lo: 1125, hi: 1625 });
  });

  it("maps pixels to ticks and back", () => {
    const w = { lo: 10, hi: 15 }; // 5 ticks on 500 px: 100 px each
    expect(tickAt(w, 0, 500)).toBe(10);
    expect(tickAt(w, 199, 500)).toBe(11);
    expect(tickAt(w, 500, 500)).toBe(14);
    expect(pixelTicks(w, 150, 500)).toEqual([11, 11]);
    expect(pixelTicks({ lo: 1, hi: 1001 }, 0, 100)).toEqual([1, 10]); // 10 ticks a pixel
    expect(clampWindow({ lo: -5, hi: 5 }, 100)).toEqual({ lo: 1, hi: 11 });
  });
});

describe("the tick axis", () => {
  it("steps by 1, 2 or 5 x 10^k and at least one tick", () => {
    expect(niceStep(100, 50)).toBe(1);
    expect(niceStep(1, 50)).toBe(50);
    expect(niceStep(1, 51)).toBe(100);
    expect(niceStep(0.001, 80)).toBe(100_000);
    expect(niceStep(0.001, 150)).toBe(200_000);
  });

  it("labels every tick when zoomed in, round ticks whose labels fit when zoomed out", () => {
    expect(axisMarks({ lo: 999_998, hi: 1_000_003 }, 700).map((m) => m.label)).toEqual(["999,998", "999,999", "1,000,000", "1,000,001", "1,000,002"]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 100, max: 2000 }), (lo, span, width) => {
        const marks = axisMarks({ lo, hi: lo + span }, width);
        for (const [i, m] of marks.entries()) {
          expect(m.tick).toBeGreaterThanOrEqual(lo);
          expect(m.tick).toBeLessThan(lo + span);
          expect(m.x - (m.label.length * 7) / 2).toBeGreaterThanOrEqual(0);
          expect(m.x + (m.label.length * 7) / 2).toBeLessThanOrEqual(width);
          if (i > 0) expect(m.x - marks[i - 1]!.x).toBeGreaterThanOrEqual(m.label.length * 7);
        }
        // not too sparse: a window wide enough for a few labels gets at least one
        if (width >= 6 * (String(lo + span).length + 3) * 7) expect(marks.length).toBeGreaterThanOrEqual(1);
      }),
    );
  });
});
