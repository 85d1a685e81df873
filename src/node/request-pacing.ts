// When to ask again for missing ticks.
//
// A node asks with `info {missing}` and the holders re-send what it asked for. Those answers take
// a while over a busy broker: ten nodes each re-sending a thousand updates to ten subscribers is a
// hundred thousand deliveries. A node that asked again every missingDelay while answers were still
// on their way made every holder send them once more, which made the broker busier still: in the
// ten-node benchmark at 10 % loss that was 10-35 requests per node and up to ten re-sends per write
// (bench/README.md, "Recovery pacing").
//
// So a request stays open while it is answered, and a node asks again for its ticks only once
// they stopped coming for longer than answers take. How long answers take is measured, as TCP
// measures a round trip (RFC 6298): the time from a request to the first of its ticks arriving
// gives a smoothed round trip and its variation, and a request is retried after no tick of it
// arrived for `srtt + 4 * rttvar` (at least `floor`, at most `patience`), twice that after each
// retry until a request is answered in full. Only first requests
// are timed, never retries, whose answers could belong to either copy (Karn's rule). While a
// request is open, gaps it does not cover are asked for on their own. A request is never kept
// open longer than `patience` in all, so a trickle of answers cannot hold back the retry of the
// ticks whose answers were lost.

import { RangeSet } from "../core/range-set.js";
import type { RangeMap } from "../wire/messages.js";
import { disposeAll } from "./ranges-by-node.js";

export interface RequestPlan {
  /** What to ask for now (may be empty: nothing new while answers are on their way). */
  ask: RangeMap;
  /**
   * "gaps": the open request is still being answered, `ask` holds only gaps it did not cover;
   * "retry": some of its ticks stopped coming, so everything missing is asked for again;
   * "first": everything it asked for came (or nothing was asked yet): a new request.
   */
  kind: "gaps" | "retry" | "first";
}

export class RequestPacing {
  /** Ticks of the open request (the last full one plus new gaps asked for since). */
  readonly #asked = new Map<string, RangeSet>();
  /** How many of them were still missing at the last look. */
  #left = 0;
  /** When the open request was sent in full, and whether it was a first request still untimed. */
  #since = 0;
  #timing = false;
  /** When a tick of the open request last arrived. */
  #lastArrival = 0;
  /** Smoothed round trip and its mean deviation, ms; srtt < 0 until the first sample. */
  #srtt = -1;
  #rttvar = 0;
  /** Doubled by each retry, back to 1 once a request is answered in full (TCP's backoff). */
  #backoff = 1;
  readonly #floor: number;
  readonly #patience: number;
  readonly #now: () => number;

  /** `floor`: the shortest wait before a retry (missingDelay); `patience`: the longest (maxMissingDelay). */
  constructor(floor: number, patience: number, now: () => number = Date.now) {
    this.#floor = floor;
    this.#patience = Math.max(floor, patience);
    this.#now = now;
  }

  /** How long a request waits for its first answers before it is retried, ms. */
  get timeout(): number {
    const base = this.#srtt < 0 ? this.#floor : Math.max(this.#floor, this.#srtt + Math.max(this.#floor, 4 * this.#rttvar));
    return Math.min(this.#patience, base * this.#backoff);
  }

  /**
   * Decide what to ask for. `missing`: what is missing now; `wanted`: that, less what others asked
   * for already (their answers reach this node too), the most a request should hold.
   */
  plan(missing: RangeMap, wanted: RangeMap): RequestPlan {
    const now = this.#now();
    let left = 0;
    for (const [name, asked] of this.#asked) {
      const state = missing[name];
      if (state === undefined) continue;
      using m = RangeSet.fromState(state);
      using still = asked.intersect(m);
      left += Number(still.count());
    }
    if (left < this.#left) {
      this.#lastArrival = now;
      if (this.#timing) this.#sample(now - this.#since);
    }
    const quiet = now - Math.max(this.#lastArrival, this.#since);
    if (left > 0 && quiet < this.timeout && now - this.#since < this.#patience) {
      // answers to the open request may still come: ask only for what it did not cover
      const ask: RangeMap = {};
      let added = 0;
      for (const [name, state] of Object.entries(wanted)) {
        const m = RangeSet.fromState(state);
        const asked = this.#asked.get(name);
        if (asked) m.subtractInPlace(asked);
        if (m.isEmpty) { m.dispose(); continue; }
        ask[name] = m.toState();
        added += Number(m.count());
        if (asked) { asked.unionInPlace(m); m.dispose(); } else this.#asked.set(name, m);
      }
      this.#left = left + added;
      return { ask, kind: "gaps" };
    }
    // a first request, or one whose answers stopped coming: ask for everything missing
    const kind = left > 0 ? "retry" : "first";
    this.#backoff = kind === "retry" ? Math.min(this.#backoff * 2, 64) : 1;
    this.clear();
    for (const [name, state] of Object.entries(wanted)) {
      const m = RangeSet.fromState(state);
      if (m.isEmpty) { m.dispose(); continue; }
      this.#left += Number(m.count());
      this.#asked.set(name, m);
    }
    this.#since = now;
    this.#timing = kind === "first" && this.#left > 0;
    return { ask: wanted, kind };
  }

  /** RFC 6298's estimator, with its gains of 1/8 and 1/4. */
  #sample(rtt: number): void {
    this.#timing = false;
    if (this.#srtt < 0) {
      this.#srtt = rtt;
      this.#rttvar = rtt / 2;
    } else {
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - rtt);
      this.#srtt = 0.875 * this.#srtt + 0.125 * rtt;
    }
  }

  /** Forget the open request (nothing is missing any more, or the node stops); the timing stays. */
  clear(): void {
    disposeAll(this.#asked);
    this.#left = 0;
    this.#timing = false;
  }
}
