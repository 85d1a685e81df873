// The key-value data a node holds: entries by path, each with its value (or a deletion
// tombstone), its change chain and its tock; plus an index from (node, tick) to the entry whose
// chain holds that tick, so a requested tick can be re-sent.

import type { Tick } from "../core/tick.js";
import type { Path } from "../wire/path.js";
import type { Link } from "./chain.js";
import { TreeOrder } from "./tree-order.js";

export interface Entry {
  path: Path;
  /** The value; undefined for a deleted entry (a tombstone, kept for its chain). */
  value: unknown;
  deleted: boolean;
  /** The change chain, newest first. */
  links: Link[];
  /** Whether the chain ends (false: it arrived truncated). */
  ended: boolean;
  tock: Tick;
}

export class EntryStore {
  /** The entries, in upstream's tree order (tree-order.ts holds them). */
  readonly #order = new TreeOrder<Entry>();
  readonly #byTick = new Map<string, Map<Tick, Entry>>();
  /** Each node name once, for the links that name it. */
  readonly #names = new Map<string, string>();

  get size(): number {
    return this.#order.size;
  }

  get(path: Path): Entry | undefined {
    return this.#order.get(path);
  }

  #unindex(old: Entry): void {
    for (const l of old.links) {
      const m = this.#byTick.get(l.node);
      if (m?.get(l.tick) === old) m.delete(l.tick);
    }
  }

  /** Insert or replace the entry at its path, keeping the tick index in step. */
  set(entry: Entry): void {
    const old = this.#order.set(entry);
    if (old) this.#unindex(old);
    for (const l of entry.links) {
      let m = this.#byTick.get(l.node);
      if (!m) {
        this.#byTick.set(l.node, (m = new Map()));
        this.#names.set(l.node, l.node);
      } else l.node = this.#names.get(l.node) ?? l.node; // one string per node name, not one per decoded message
      m.set(l.tick, entry);
    }
  }

  /** Remove the entry at a path (a purge), keeping the tick index in step. */
  delete(path: Path): void {
    const old = this.#order.get(path);
    if (!old) return;
    this.#unindex(old);
    this.#order.remove(path);
  }

  /** The ticks of `node` that some entry's chain holds (upstream's Node.entries keys). */
  ticksOf(node: string): Iterable<Tick> {
    return [...(this.#byTick.get(node)?.keys() ?? [])];
  }

  /** A tick of `node` whose change is the newest of its entry (upstream's `enumerate(current=True)`), if any. */
  currentTickOf(node: string): Tick | undefined {
    for (const [tick, e] of this.#byTick.get(node) ?? []) if (e.links[0]?.node === node) return tick;
    return undefined;
  }

  /**
   * Take `node` out of every chain that holds it (upstream's `kill_this_node`, when a node is
   * dropped from the cluster). Refused while a change of node's is the newest of an entry: that
   * entry would be left without a chain. Returns how many chains lost a link.
   */
  dropFromChains(node: string): number {
    const held = this.#byTick.get(node);
    if (!held) return 0;
    const current = this.currentTickOf(node);
    if (current !== undefined) throw new Error(`EntryStore.dropFromChains: ${node}'s tick ${current} is the newest change of its entry`);
    const entries = [...new Set(held.values())];
    for (const e of entries) this.set({ ...e, links: e.links.filter((l) => l.node !== node) });
    this.#byTick.delete(node);
    this.#names.delete(node);
    return entries.length;
  }

  /** The entry whose chain holds node's tick, if any. */
  byTick(node: string, tick: Tick): Entry | undefined {
    return this.#byTick.get(node)?.get(tick);
  }

  /** Every entry, in upstream's tree order (a parent before its children, siblings in creation order). */
  values(): IterableIterator<Entry> {
    return this.#order.entries();
  }

  /**
   * `under` and every path below it in upstream's tree order (see tree-order.ts), each with its
   * entry (live or deleted), or none for a path without one, which has the tock it was created with.
   * Walking the root leaves out what is below the internal tree's node (paths [null, …]).
   */
  walk(under: Path): { path: Path; entry?: Entry; tock: Tick | null }[] {
    // what is below the internal tree's node (upstream's None, listed as `:n`) is not data
    const walked = this.#order.walk(under);
    return under.length > 0 ? walked : walked.filter(({ path }) => path.length <= 1 || path.elements[0] !== null);
  }

  /** Whether upstream's tree would have a node at this path (written, watched, or an ancestor of one). */
  hasNode(path: Path): boolean {
    return this.#order.has(path);
  }

  /** A path a client watches: upstream creates it (and its ancestors) as an empty node. */
  touch(path: Path): void {
    this.#order.add(path);
  }

  /** Entries sorted by path: a parent before its children, siblings sorted. */
  sorted(): Entry[] {
    return [...this.values()].sort((a, b) => comparePaths(a.path.elements, b.path.elements));
  }
}

function compareElement(a: unknown, b: unknown): number {
  const ta = typeof a, tb = typeof b;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (ta === "string" || ta === "number" || ta === "bigint") return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  const sa = JSON.stringify(a, (_k, v) => (typeof v === "bigint" ? v.toString() : v)), sb = JSON.stringify(b, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Lexicographic by elements; a prefix sorts first. */
export function comparePaths(a: readonly unknown[], b: readonly unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareElement(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}
