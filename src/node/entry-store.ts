// The key-value data a node holds: entries by path, each with its value (or a deletion
// tombstone), its change chain and its tock; plus an index from (node, tick) to the entry whose
// chain holds that tick, so a requested tick can be re-sent. The store keeps each entry packed
// (entry-record.ts): what get() and the others return is the store's record, with the fields of
// the entry that was set, not that object itself.

import type { Tick } from "../core/tick.js";
import type { Path } from "../wire/path.js";
import { EntryRecord, type EntryFields } from "./entry-record.js";
import { TickIndex } from "./tick-index.js";
import { TreeOrder } from "./tree-order.js";

/** An entry as it is set; the store hands back its EntryRecord, which reads the same. */
export type Entry = EntryFields;

export class EntryStore {
  /** The entries, in upstream's tree order (tree-order.ts holds them). */
  readonly #order = new TreeOrder<EntryRecord>();
  readonly #byTick = new Map<string, TickIndex<EntryRecord>>();
  /** Each node name once, for the links that name it. */
  readonly #names = new Map<string, string>();
  readonly #name = (node: string): string => this.#names.get(node) ?? node;

  get size(): number {
    return this.#order.size;
  }

  get(path: Path): EntryRecord | undefined {
    return this.#order.get(path);
  }

  #unindex(old: EntryRecord): void {
    for (let i = 0, n = old.linkCount; i < n; i++) {
      const m = this.#byTick.get(old.nodeAt(i)), tick = old.tickAt(i);
      if (m?.get(tick) === old) m.delete(tick);
    }
  }

  /** Insert or replace the entry at its path, keeping the tick index in step. */
  set(entry: Entry): void {
    for (const l of entry.links) {
      if (!this.#byTick.has(l.node)) {
        this.#byTick.set(l.node, new TickIndex());
        this.#names.set(l.node, l.node);
      }
    }
    // one string per node name, not one per decoded message
    let record!: EntryRecord;
    const old = this.#order.place(entry.path, (parent) => (record = new EntryRecord(entry, parent, this.#name)));
    if (old) this.#unindex(old);
    for (let i = 0, n = record.linkCount; i < n; i++) this.#byTick.get(record.nodeAt(i))!.set(record.tickAt(i), record);
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
    const m = this.#byTick.get(node);
    return m ? [...m.keys()] : [];
  }

  /** A tick of `node` whose change is the newest of its entry (upstream's `enumerate(current=True)`), if any. */
  currentTickOf(node: string): Tick | undefined {
    const m = this.#byTick.get(node);
    if (m) for (const [tick, e] of m.entries()) if (e.headNode === node) return tick;
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
    const entries = [...new Set([...held.entries()].map(([, e]) => e))];
    for (const e of entries) this.set({ ...e.fields(), links: e.links.filter((l) => l.node !== node) });
    this.#byTick.delete(node);
    this.#names.delete(node);
    return entries.length;
  }

  /** The entry whose chain holds node's tick, if any. */
  byTick(node: string, tick: Tick): EntryRecord | undefined {
    return this.#byTick.get(node)?.get(tick);
  }

  /** Every entry, in upstream's tree order (a parent before its children, siblings in creation order). */
  values(): IterableIterator<EntryRecord> {
    return this.#order.entries();
  }

  /**
   * `under` and every path below it in upstream's tree order (see tree-order.ts), each with its
   * entry (live or deleted), or none for a path without one, which has the tock it was created with.
   * Walking the root leaves out what is below the internal tree's node (paths [null, …]).
   */
  walk(under: Path): { path: Path; entry?: EntryRecord; tock: Tick | null }[] {
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
  sorted(): EntryRecord[] {
    // each record's path is made once, not on every comparison
    const keyed = [...this.values()].map((e) => ({ elements: e.path.elements, e }));
    return keyed.sort((a, b) => comparePaths(a.elements, b.elements)).map(({ e }) => e);
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
