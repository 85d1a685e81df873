// A brute-force model of a tick set: a JavaScript Set of bigints. Every RangeSet operation is
// checked against it on small universes (property tests in test/core).
import { tickOut, type Tick } from "../../src/core/tick.js";
import type { RangeSetState } from "../../src/core/range-set.js";

export type Model = Set<bigint>;

export function modelOf(ticks: Iterable<bigint>): Model {
  return new Set(ticks);
}

export function modelAddRange(m: Model, a: bigint, b: bigint): void {
  for (let t = a; t < b; t++) m.add(t);
}

export function modelDiscardRange(m: Model, a: bigint, b: bigint): void {
  for (let t = a; t < b; t++) m.delete(t);
}

/** The canonical wire form of a model: sorted, merged, ticks for single-tick runs. */
export function modelState(m: Model): RangeSetState {
  const sorted = [...m].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const out: RangeSetState = [];
  let i = 0;
  while (i < sorted.length) {
    const a = sorted[i]!;
    let b = a + 1n;
    i++;
    while (i < sorted.length && sorted[i] === b) {
      b++;
      i++;
    }
    out.push(b === a + 1n ? tickOut(a) : [tickOut(a), tickOut(b)]);
  }
  return out;
}

export function modelIntervals(m: Model): number {
  return modelState(m).length;
}

export function modelCount(m: Model): Tick {
  return m.size;
}

export const union = (a: Model, b: Model): Model => new Set([...a, ...b]);
export const intersect = (a: Model, b: Model): Model => new Set([...a].filter((t) => b.has(t)));
export const subtract = (a: Model, b: Model): Model => new Set([...a].filter((t) => !b.has(t)));
export const xor = (a: Model, b: Model): Model => union(subtract(a, b), subtract(b, a));
