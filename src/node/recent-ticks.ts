// Ticks seen lately, by node: to tell a repeated request for a tick from a first one.
//
// A node asks for a tick again only when no answer reached it. Two things make that likelier
// than it should be, both measured in the ten-node benchmark at 10 % loss (bench/README.md,
// "Recovery pacing"):
// - The answer was lost on the way to the requester alone. The other holders heard it and have
//   nothing left to send; the origin alone answers the retry, and loses a tenth of it again. So
//   the origin sends a tick asked for again twice, the second copy a resendDelay later.
// - The request was lost on the way to the origin and the backup. The other holders answer only
//   retries, and could tell one only while the first request's ticks were still reported missing:
//   once they heard the answer, a later request for the same tick looked like a first one, and
//   nobody answered it. So what was asked for is remembered for a while, answered or not.
//
// Ticks are remembered for between one and two windows (two generations, the older dropped as a
// window ends): long enough for a requester's retry to come (a request stays open at most
// maxMissingDelay, request-pacing.ts), and bounded, so a much later request is a first one again.

import { RangeSet } from "../core/range-set.js";
import { addTo, disposeAll } from "./ranges-by-node.js";

export class RecentTicks {
  #current = new Map<string, RangeSet>();
  #previous = new Map<string, RangeSet>();
  #since: number;
  readonly #window: number;
  readonly #now: () => number;

  /** `window`: how long a generation lasts, ms. */
  constructor(window: number, now: () => number = Date.now) {
    this.#window = window;
    this.#now = now;
    this.#since = now();
  }

  /** Generations are whole windows from the start: a tick added at t leaves between t + window and t + 2 windows. */
  #rotate(): void {
    const windows = Math.floor((this.#now() - this.#since) / this.#window);
    if (windows < 1) return;
    disposeAll(this.#previous);
    if (windows === 1) [this.#previous, this.#current] = [this.#current, this.#previous];
    else disposeAll(this.#current); // both generations are older than two windows
    this.#since += windows * this.#window;
  }

  /** Remember these ticks of `node`. */
  add(node: string, ticks: RangeSet): void {
    this.#rotate();
    addTo(this.#current, node, ticks);
  }

  /** Which of `ticks` (of `node`) were remembered lately (the caller disposes the result). */
  among(node: string, ticks: RangeSet): RangeSet {
    this.#rotate();
    const cur = this.#current.get(node), prev = this.#previous.get(node);
    const r = cur ? ticks.intersect(cur) : new RangeSet();
    if (prev) {
      using old = ticks.intersect(prev);
      r.unionInPlace(old);
    }
    return r;
  }

  dispose(): void {
    disposeAll(this.#current);
    disposeAll(this.#previous);
  }
}
