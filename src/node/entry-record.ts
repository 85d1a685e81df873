// An entry as the entry store keeps it: one object of six fields. A node holds one per path it
// ever saw written, so each field counts (bench/README.md, "Node: memory"): the path is kept as
// the Path of its parent's node in the tree (tree-order.ts), which all its siblings share, and
// its last element (no Path or array of its own: one is made when asked); a deletion as a marker
// in the value's field; the change chain packed: the newest link in two fields, and a chain of
// more links (one per other node that changed the entry) or a truncated one as one flat array in
// the second of them. The `Entry` fields are
// getters over these, so readers see the same shape as before; `links` and `path` are made afresh
// on each read, and changing what they return does not change the entry (replace it instead).

import type { Tick } from "../core/tick.js";
import { Path, type PathElement } from "../wire/path.js";
import type { Link } from "./chain.js";

/** An entry's fields as readers see them (entry-store.ts re-exports it as Entry). */
export interface EntryFields {
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

/** The value's field of a deleted entry. */
const TOMBSTONE: unique symbol = Symbol("deleted");

/**
 * A chain that is more than one ended link: the newest link's tick, then the older links flat
 * (node, tick, node, tick, …), then `false` when the chain does not end (arrived truncated).
 */
type LongChain = (string | Tick | false)[];

export class EntryRecord implements EntryFields {
  /** The parent's path (none: this is the root's entry) and the last element. */
  readonly #parent: Path | undefined;
  readonly #last: PathElement;
  readonly #value: unknown;
  readonly tock: Tick;
  /** The newest link's node; undefined only for an empty chain. */
  readonly #node: string | undefined;
  /** The newest link's tick, for the usual chain (one link, ended); else the whole LongChain. */
  readonly #tick: Tick | LongChain;

  /**
   * `parent`: the path of e.path's parent, the same elements (the tree's copy, to share); none
   * for the root path. `name` gives the one string the store keeps for a node name.
   */
  constructor(e: EntryFields, parent: Path | undefined, name: (node: string) => string = (n) => n) {
    const elements = e.path.elements;
    if (parent === undefined ? elements.length !== 0 : parent.length !== elements.length - 1) {
      throw new Error(`EntryRecord: ${parent ? parent.toString() : "no parent"} is not the parent of ${e.path.toString()}`);
    }
    this.#parent = parent;
    this.#last = parent === undefined ? null : elements[elements.length - 1]!;
    this.#value = e.deleted ? TOMBSTONE : e.value;
    this.tock = e.tock;
    const links = e.links, n = links.length;
    this.#node = n > 0 ? name(links[0]!.node) : undefined;
    if (n === 1 && e.ended) this.#tick = links[0]!.tick;
    else {
      const long: LongChain = [n > 0 ? links[0]!.tick : 0];
      for (let i = 1; i < n; i++) long.push(name(links[i]!.node), links[i]!.tick);
      if (!e.ended) long.push(false);
      this.#tick = long;
    }
  }

  get path(): Path {
    const p = this.#parent;
    return p === undefined ? new Path() : new Path(Object.freeze([...p.elements, this.#last])); // frozen: taken as is
  }

  get value(): unknown {
    return this.#value === TOMBSTONE ? undefined : this.#value;
  }

  get deleted(): boolean {
    return this.#value === TOMBSTONE;
  }

  get ended(): boolean {
    const t = this.#tick;
    return typeof t !== "object" || t.length % 2 === 1;
  }

  /** How many links the chain has. */
  get linkCount(): number {
    const t = this.#tick;
    return this.#node === undefined ? 0 : typeof t !== "object" ? 1 : (t.length + 1) >> 1;
  }

  /** The newest link's node (undefined for an empty chain). */
  get headNode(): string | undefined {
    return this.#node;
  }

  /** Link i's node and tick, newest first (i < linkCount). */
  nodeAt(i: number): string {
    return i === 0 ? this.#node! : ((this.#tick as LongChain)[2 * i - 1] as string);
  }

  tickAt(i: number): Tick {
    const t = this.#tick;
    return typeof t !== "object" ? t : (t[2 * i] as Tick);
  }

  get links(): Link[] {
    const n = this.linkCount, out: Link[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = { node: this.nodeAt(i), tick: this.tickAt(i) };
    return out;
  }

  /** The fields as a plain object (to replace some of them: `{ ...r.fields(), links }`). */
  fields(): EntryFields {
    return { path: this.path, value: this.value, deleted: this.deleted, links: this.links, ended: this.ended, tock: this.tock };
  }
}
