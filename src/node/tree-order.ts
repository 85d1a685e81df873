// Upstream's tree order. Upstream keeps its data as a tree of dicts, so get_tree and watch walk
// it depth first, a parent before its children and siblings in the order they were first
// created (not sorted). A path that only ever held children (`one` of `one.two`), or that a
// client watched, is a node of its own: get_tree with `empty` lists it, without a value, with
// the tock its parent had when it was created. The root has one more child from the start:
// `None`, under which upstream keeps its internal tree (ticktock's is empty). This index keeps
// exactly that shape, and holds the entries themselves: a node's entry, if it has one, is the
// entry at its path, so an entry costs no map of its own and no key string (see bench/README.md,
// "Node: memory"). A leaf has no children map until it gets a child, a node created for the
// written path itself shares that Path instead of a copy, and a child is found by its element
// itself when the element is a string.

import type { Tick } from "../core/tick.js";
import { Path, type PathElement } from "../wire/path.js";

/**
 * A node of the tree. A leaf holding an entry is kept as the entry itself in its parent's map
 * (no node object: most entries are leaves); it becomes a node when it gets a child, or when a
 * client watches its path.
 */
class TreeNode<E> {
  constructor(
    readonly path: Path,
    /** The entry at this path, if any. */
    public entry: E | undefined,
    /** The tock this node got when it was created (its parent's); an entry's own tock replaces it. */
    readonly tock: Tick | null,
    /** Created with the first child: most nodes are leaves. */
    public children: Map<string, TreeNode<E> | E> | undefined = undefined,
  ) {}
}

/** A path in tree order, with the tock it was created with and its entry, if any. */
export interface TreePlace<E> {
  path: Path;
  tock: Tick | null;
  entry?: E;
}

/**
 * A child's key in its parent's map, one-to-one: a string element is its own key (no new string)
 * unless it starts with NUL, which gets one more NUL in front; any other element is NUL followed
 * by its path key, whose JSON never starts with NUL.
 */
const elementKey = (e: PathElement): string => (typeof e === "string" ? (e.charCodeAt(0) === 0 ? `\0${e}` : e) : `\0${Path.of(e).key}`);

export class TreeOrder<E extends { path: Path; tock: Tick } = { path: Path; tock: Tick }> {
  readonly #root = new TreeNode<E>(new Path(), undefined, null, new Map());
  #size = 0;

  constructor() {
    this.#root.children!.set(elementKey(null), new TreeNode<E>(Path.of(null), undefined, null));
  }

  /** How many paths hold an entry. */
  get size(): number {
    return this.#size;
  }

  /** The node or leaf entry at a path, if the tree has one. */
  #find(path: Path): TreeNode<E> | E | undefined {
    let at: TreeNode<E> | E | undefined = this.#root;
    for (const e of path.elements) {
      if (!(at instanceof TreeNode)) return undefined;
      if (!(at = at.children?.get(elementKey(e)))) return undefined;
    }
    return at;
  }

  /** The child of `parent` under key k as a node, a leaf entry there turned into one. */
  #nodeAt(parent: TreeNode<E>, k: string, at: TreeNode<E> | E): TreeNode<E> {
    if (at instanceof TreeNode) return at;
    // its creation tock was not kept: only a node without an entry shows it, and this one has one
    const node = new TreeNode<E>(at.path, at, at.tock);
    parent.children!.set(k, node);
    return node;
  }

  /** The parent node of `path`'s last element, every ancestor created as add() does. */
  #parentOf(path: Path, tockOf?: (p: Path) => Tick | undefined): TreeNode<E> {
    let node = this.#root;
    const elements = path.elements, n = elements.length;
    for (let i = 0; i < n - 1; i++) node = this.#child(node, elementKey(elements[i]!), path, i, tockOf);
    return node;
  }

  #child(node: TreeNode<E>, k: string, path: Path, i: number, tockOf?: (p: Path) => Tick | undefined): TreeNode<E> {
    const at = node.children?.get(k);
    if (at) return this.#nodeAt(node, k, at);
    const tock = (tockOf ? tockOf(node.path) : node.entry?.tock) ?? node.tock;
    const next = new TreeNode<E>(i === path.length - 1 ? path : path.slice(0, i + 1), undefined, tock);
    (node.children ??= new Map()).set(k, next);
    return next;
  }

  /**
   * Record a path and its ancestors the first time each is written or watched; later writes
   * keep their place. A new node gets the tock of its parent's entry (`tockOf`, default: the
   * entry this tree holds there), else the tock its parent was created with.
   */
  add(path: Path, tockOf?: (p: Path) => Tick | undefined): void {
    if (path.length === 0) return;
    this.#child(this.#parentOf(path, tockOf), elementKey(path.elements[path.length - 1]!), path, path.length - 1, tockOf);
  }

  /** The entry at a path, if any. */
  get(path: Path): E | undefined {
    const at = this.#find(path);
    return at instanceof TreeNode ? at.entry : at;
  }

  /** Hold `entry` at its path (added as add() does, when new); returns the entry it replaces. */
  set(entry: E): E | undefined {
    return this.place(entry.path, () => entry);
  }

  /**
   * Hold the entry `make` returns at `path`, as set() does; `make` is given the Path of the
   * parent's node, which the tree keeps (none for the root), so that an entry can share it.
   */
  place(path: Path, make: (parent: Path | undefined) => E): E | undefined {
    if (path.length === 0) return this.#hold(this.#root, make(undefined));
    const parent = this.#parentOf(path), k = elementKey(path.elements[path.length - 1]!);
    const entry = make(parent.path);
    const at = parent.children?.get(k);
    if (at instanceof TreeNode) return this.#hold(at, entry);
    if (!at) this.#size++;
    (parent.children ??= new Map()).set(k, entry); // a replaced leaf keeps its place in the map
    return at;
  }

  #hold(node: TreeNode<E>, entry: E): E | undefined {
    const old = node.entry;
    if (!old) this.#size++;
    node.entry = entry;
    return old;
  }

  /**
   * A purged entry leaves the tree (upstream's `_chop`), and so does every parent left without
   * children, up to the first one `keep` names (default: one holding an entry) or the root.
   * Upstream chops valued parents too; ticktock keeps listing them, as their entries stay.
   */
  remove(path: Path, keep?: (p: Path) => boolean): void {
    const trail: TreeNode<E>[] = [this.#root];
    let last: TreeNode<E> | E = this.#root;
    for (const e of path.elements) {
      if (!(last instanceof TreeNode)) return;
      const next: TreeNode<E> | E | undefined = last.children?.get(elementKey(e));
      if (!next) return;
      if (next instanceof TreeNode) trail.push(next);
      last = next;
    }
    if (last instanceof TreeNode) {
      if (last.entry) {
        last.entry = undefined;
        this.#size--;
      }
      // a node with children stays, without its entry: the entries below are still held (and
      // listed). Upstream cuts them with it; until the tree held the entries, ticktock kept
      // them but stopped listing them.
      if (last.children || last === this.#root) return;
      trail.pop();
    } else this.#size--;
    const cut = (parent: TreeNode<E>, p: Path) => {
      parent.children!.delete(elementKey(p.elements[p.length - 1]!));
      if (parent.children!.size === 0) parent.children = undefined;
    };
    cut(trail[trail.length - 1]!, path);
    for (let i = trail.length - 1; i > 0; i--) {
      const node = trail[i]!;
      if ((node.children?.size ?? 0) > 0 || (keep ? keep(node.path) : node.entry !== undefined)) return;
      cut(trail[i - 1]!, node.path);
    }
  }

  /** Whether a path was ever written or watched, or is an ancestor of one (upstream's tree has a node there). */
  has(path: Path): boolean {
    return this.#find(path) !== undefined;
  }

  /** `under` and every path below it, depth first in creation order, with their entries; none if it never existed. */
  walk(under: Path): TreePlace<E>[] {
    const at = this.#find(under);
    if (!at) return [];
    const out: TreePlace<E>[] = [];
    const visit = (n: TreeNode<E> | E) => {
      if (!(n instanceof TreeNode)) return void out.push({ path: n.path, tock: n.tock, entry: n });
      out.push(n.entry ? { path: n.path, tock: n.tock, entry: n.entry } : { path: n.path, tock: n.tock });
      if (n.children) for (const c of n.children.values()) visit(c);
    };
    visit(at);
    return out;
  }

  /** Every entry, in tree order (depth first, in creation order). */
  *entries(): IterableIterator<E> {
    const levels: Iterator<TreeNode<E> | E>[] = [[this.#root as TreeNode<E> | E].values()];
    while (levels.length) {
      const next = levels[levels.length - 1]!.next();
      if (next.done) {
        levels.pop();
        continue;
      }
      const n = next.value;
      if (!(n instanceof TreeNode)) yield n;
      else {
        if (n.entry) yield n.entry;
        if (n.children) levels.push(n.children.values());
      }
    }
  }
}
