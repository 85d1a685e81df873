import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../../src/core/range-set.js";
import { RequestPacing } from "../../src/node/request-pacing.js";
import type { RangeMap } from "../../src/wire/messages.js";

beforeAll(async () => {
  await init();
});

/** A pacing with a clock the test moves: floor 100 ms, patience 2,000 ms. */
function paced(): { p: RequestPacing; at: (ms: number) => void } {
  let now = 1_000_000;
  const start = now;
  return { p: new RequestPacing(100, 2000, () => now), at: (ms) => void (now = start + ms) };
}

describe("RequestPacing", () => {
  it("asks for everything first, then only for new gaps while the answers arrive", () => {
    const { p, at } = paced();
    const first = p.plan({ a: [[1, 11]] }, { a: [[1, 11]] });
    expect(first).toEqual({ kind: "first", ask: { a: [[1, 11]] } });
    // half of the answers came, and a new gap opened at 20
    at(100);
    const next = p.plan({ a: [[6, 11], 20] }, { a: [[6, 11], 20] });
    expect(next).toEqual({ kind: "gaps", ask: { a: [20] } });
    // more came: nothing new to ask for
    at(200);
    expect(p.plan({ a: [[8, 11], 20] }, { a: [[8, 11], 20] })).toEqual({ kind: "gaps", ask: {} });
  });

  it("retries everything once nothing it asked for came for longer than answers take", () => {
    const { p, at } = paced();
    p.plan({ a: [[1, 11]] }, { a: [[1, 11]] });
    at(300); // the first answers after 300 ms: srtt 300, rttvar 150, so a retry waits 900 ms
    expect(p.plan({ a: [[5, 11]] }, { a: [[5, 11]] }).kind).toBe("gaps");
    expect(p.timeout).toBe(900);
    at(300 + 899);
    expect(p.plan({ a: [[5, 11]] }, { a: [[5, 11]] })).toEqual({ kind: "gaps", ask: {} });
    at(300 + 900);
    expect(p.plan({ a: [[5, 11]] }, { a: [[5, 11]] })).toEqual({ kind: "retry", ask: { a: [[5, 11]] } });
    // each retry doubles the wait, until a request is answered in full
    expect(p.timeout).toBe(1800);
    at(1200 + 1800);
    expect(p.plan({ a: [[5, 11]] }, { a: [[5, 11]] }).kind).toBe("retry");
    expect(p.timeout).toBe(2000); // capped at the patience
    at(3000 + 10);
    expect(p.plan({}, {}).kind).toBe("first"); // everything came
    expect(p.timeout).toBe(900);
  });

  it("without a measured round trip, retries after the floor", () => {
    const { p, at } = paced();
    p.plan({ a: [7] }, { a: [7] });
    expect(p.timeout).toBe(100);
    at(99);
    expect(p.plan({ a: [7] }, { a: [7] }).kind).toBe("gaps");
    at(100);
    expect(p.plan({ a: [7] }, { a: [7] }).kind).toBe("retry");
  });

  it("a trickle of answers cannot hold back a retry longer than the patience", () => {
    const { p, at } = paced();
    const missing = (lo: number): RangeMap => ({ a: [[lo, 1001]] });
    p.plan(missing(1), missing(1));
    let kind = "";
    let t = 0;
    // one tick arrives every 50 ms: always progress, never quiet
    for (let lo = 2; kind !== "retry" && t < 5000; lo++) {
      t += 50;
      at(t);
      kind = p.plan(missing(lo), missing(lo)).kind;
    }
    expect(kind).toBe("retry");
    expect(t).toBe(2000);
  });

  it("counts arrivals among all missing ticks but asks only for what others did not ask", () => {
    const { p, at } = paced();
    // b's ticks 1-4 are missing, but another node asked for them already
    expect(p.plan({ a: [1], b: [[1, 5]] }, { a: [1] })).toEqual({ kind: "first", ask: { a: [1] } });
    at(50);
    // a:1 not here yet; b's came, which is no answer to this node's request
    expect(p.plan({ a: [1] }, { a: [1] })).toEqual({ kind: "gaps", ask: {} });
    at(100);
    expect(p.plan({ a: [1] }, { a: [1] }).kind).toBe("retry");
  });

  it("ticks above 2^53 are counted and asked for exactly", () => {
    const { p, at } = paced();
    const big = (1n << 60n) + 3n;
    const state = { a: [[big, big + 4n]] } as RangeMap;
    expect(p.plan(state, state)).toEqual({ kind: "first", ask: state });
    at(10);
    const later = { a: [[big + 2n, big + 4n], [big + 10n, big + 12n]] } as RangeMap;
    expect(p.plan(later, later)).toEqual({ kind: "gaps", ask: { a: [[big + 10n, big + 12n]] } });
  });
});
