// A clock for the actor's state machine that moves only when a test advances it: timers fire
// in order of their due time (then of their creation), each at its own moment.
import type { ActorClock } from "../../src/node/actor/actor.js";

export class ManualClock implements ActorClock {
  t = 0;
  #seq = 0;
  readonly #due = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#seq;
    this.#due.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.#due.delete(h as number);
  }
  /** Run every timer due up to now + ms, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.#due) if (e[1].at <= end && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[0] < next[0]))) next = e;
      if (!next) break;
      this.#due.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }
}
