// One node's ticks, each to the entry whose chain holds it (the entry store keeps one per node).
// Ticks are counters from 1, so they are kept as the indices of a plain array: one slot (8 bytes)
// per tick instead of a Map's ~40 (bench/README.md, "Node: memory"). V8 keeps the array's elements
// in a hash table of its own once they are sparse (ticks of replaced entries leave holes), so a
// sparse index costs about what a Map did. Ticks that are no small array index (bigints, 2^31 and
// above) go to a Map.

import type { Tick } from "../core/tick.js";

const DENSE_LIMIT = 2 ** 31;

const dense = (t: Tick): t is number => typeof t === "number" && Number.isInteger(t) && t >= 0 && t < DENSE_LIMIT;

export class TickIndex<E> {
  readonly #dense: (E | undefined)[] = [];
  #sparse: Map<Tick, E> | undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(t: Tick): E | undefined {
    return dense(t) ? this.#dense[t] : this.#sparse?.get(t);
  }

  set(t: Tick, e: E): void {
    if (dense(t)) {
      if (this.#dense[t] === undefined) this.#size++;
      this.#dense[t] = e;
    } else {
      const m = (this.#sparse ??= new Map());
      if (!m.has(t)) this.#size++;
      m.set(t, e);
    }
  }

  delete(t: Tick): void {
    if (dense(t)) {
      if (this.#dense[t] === undefined) return;
      this.#size--;
      delete this.#dense[t]; // a hole, not undefined: V8 can then turn a sparse array into a dictionary
    } else if (this.#sparse?.delete(t)) this.#size--;
  }

  /** Every tick with its entry: the small ones ascending, then the others in insertion order. */
  *entries(): IterableIterator<[Tick, E]> {
    const d = this.#dense, held = this.#size - (this.#sparse?.size ?? 0);
    if (held * 4 >= d.length) {
      for (let t = 0; t < d.length; t++) if (d[t] !== undefined) yield [t, d[t]!];
    } else {
      // sparse: for…in visits only the indices present, ascending, instead of every slot
      for (const k in d) yield [Number(k), d[k as unknown as number]!];
    }
    if (this.#sparse) yield* this.#sparse;
  }

  *keys(): IterableIterator<Tick> {
    for (const [t] of this.entries()) yield t;
  }
}
