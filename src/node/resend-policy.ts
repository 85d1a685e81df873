// Who answers an `info {missing}` request, and how soon.
//
// Among ticktock nodes, re-sending is economical: the origin of the ticks and one backup (the next
// node by name after the origin, other than the one asking) answer every request; other holders
// answer only ticks asked for before, since ticktock nodes ask again with backoff.
//
// Upstream servers do not ask again. Their actor-driven `_send_missing` adds what it asked for to
// `seen_missing`, which only the end of a split recovery clears, so they ask for a tick once
// and rely on every server that holds it to answer (every upstream holder does, a cycle later).
// So a request from anyone not known to be a ticktock node is answered by every holder here;
// holders other than the origin and the backup wait longer ("fallback"), so that the first
// answer normally arrives before them and they find nothing left to send.
//
// Both kinds ping on the actor topic with the same bytes, so a ticktock node is told apart by
// its heartbeat: it announces `info {ticks}` every announceInterval, while upstream sends that
// only once per split recovery. A node heard announcing twice within the window is a ticktock
// node while its heartbeats keep coming. Getting it wrong costs only economy: an unknown
// requester is answered by every holder.

import { RangeSet } from "../core/range-set.js";
import { RecentTicks } from "./recent-ticks.js";

/** How soon to answer: own ticks at once, the backup or a retry soon, a fallback later. */
export type Urgency = "own" | "backup" | "fallback";

export interface Claim {
  /** The requested ticks this node should answer (the caller disposes it). */
  mine: RangeSet;
  urgency: Urgency;
}

export class ResendPolicy {
  readonly #self: string;
  /** Ticks of other nodes that somebody asked for lately (a second request is a retry). */
  readonly #askedBefore: RecentTicks;
  /** The last two `info {ticks}` heartbeats heard from each node (time, ms). */
  readonly #beats = new Map<string, [number, number]>();
  readonly #window: number;
  readonly #now: () => number;

  /**
   * @param window how recent a node's last two heartbeats must be for it to count as a ticktock
   *   node, ms (3 heartbeat intervals; 0: nobody does, and every holder answers every request)
   * @param retryWindow how long a request is remembered, so that asking again counts as a retry:
   *   one to two of these, ms (the requesters' maxMissingDelay; recent-ticks.ts)
   */
  constructor(self: string, window = 0, now: () => number = Date.now, retryWindow = 10_000) {
    this.#self = self;
    this.#window = window;
    this.#now = now;
    this.#askedBefore = new RecentTicks(retryWindow, now);
  }

  /** A node announced its ticks (`info {ticks}`). */
  heardTicks(node: string): void {
    const last = this.#beats.get(node);
    this.#beats.set(node, [last ? last[1] : -Infinity, this.#now()]);
  }

  /** Whether a requester is a ticktock node, which asks again with backoff until it is served. */
  #asksAgain(node: unknown): boolean {
    const b = typeof node === "string" ? this.#beats.get(node) : undefined;
    return b !== undefined && this.#window > 0 && this.#now() - b[0] <= this.#window;
  }

  /**
   * Which of `req` (ticks of `origin` that `requester` asked for) to answer. `names` are the node
   * names this node knows; it counts itself among them even before it has a tick of its own.
   */
  claim(origin: string, requester: unknown, req: RangeSet, names: readonly string[]): Claim {
    if (origin === this.#self) return { mine: req.clone(), urgency: "own" };
    const retry = this.#askedBefore.among(origin, req);
    this.#askedBefore.add(origin, req);
    if (this.#isBackupFor(origin, requester, names)) {
      retry.dispose();
      return { mine: req.clone(), urgency: "backup" };
    }
    if (!this.#asksAgain(requester)) {
      retry.dispose();
      return { mine: req.clone(), urgency: "fallback" };
    }
    return { mine: retry, urgency: "backup" };
  }

  dispose(): void {
    this.#askedBefore.dispose();
    this.#beats.clear();
  }

  /**
   * The backup for an origin's ticks: the first node after it, in name order, that is not the
   * one asking. Every server computes the same answer from the node names it knows.
   */
  #isBackupFor(origin: string, requester: unknown, known: readonly string[]): boolean {
    const names = [...new Set([...known, this.#self])].filter((n) => n !== origin && n !== requester).sort();
    const next = names.find((n) => n > origin) ?? names[0];
    return next === this.#self;
  }
}
