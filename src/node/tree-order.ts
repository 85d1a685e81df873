// Upstream's tree order. Upstream keeps its data as a tree of dicts, so get_tree and watch walk
// it depth first, a parent before its children and siblings in the order they were first
// created (not sorted). A path that only ever held children (`one` of `one.two`), or that a
// client watched, is a node of its own: get_tree with `empty` lists it, without a value, with
// the tock its parent had when it was created. The root has one more child from the start:
// `None`, under which upstream keeps its internal tree (ticktock's is empty). This index keeps
// exactly that shape beside the entries.
//
// Memory: this index has a node for every entry, so it is kept lean (see bench/README.md, "Node:
// memory"): a leaf has no children map until it gets a child, a node created for the written
// path itself shares that Path instead of a copy, and a child is found by its element itself
// when the element is a string (no key string per node).

import type { Tick } from "../core/tick.js";
import { Path, type PathElement } from "../wire/path.js";

interface TreeNode {
  path: Path;
  /** The tock this node got when it was created (its parent's); an entry's own tock replaces it. */
  tock: Tick | null;
  /** Created with the first child: most nodes are leaves. */
  children: Map<string, TreeNode> | undefined;
}

/** A path in tree order, with the tock it was created with. */
export interface TreePlace {
  path: Path;
  tock: Tick | null;
}

/**
 * A child's key in its parent's map, one-to-one: a string element is its own key (no new string)
 * unless it starts with NUL, which gets one more NUL in front; any other element is NUL followed
 * by its path key, whose JSON never starts with NUL.
 */
const elementKey = (e: PathElement): string => (typeof e === "string" ? (e.charCodeAt(0) === 0 ? `\0${e}` : e) : `\0${Path.of(e).key}`);

export class TreeOrder {
  readonly #root: TreeNode = { path: new Path(), tock: null, children: new Map() };

  constructor() {
    this.#root.children!.set(elementKey(null), { path: Path.of(null), tock: null, children: undefined });
  }

  /**
   * Record a path and its ancestors the first time each is written or watched; later writes
   * keep their place. `tockOf` gives the tock of the entry at a path, if there is one.
   */
  add(path: Path, tockOf: (p: Path) => Tick | undefined): void {
    let node = this.#root;
    const elements = path.elements, n = elements.length;
    for (let i = 0; i < n; i++) {
      const k = elementKey(elements[i]!);
      let next = node.children?.get(k);
      if (!next) {
        next = { path: i === n - 1 ? path : path.slice(0, i + 1), tock: tockOf(node.path) ?? node.tock, children: undefined };
        (node.children ??= new Map()).set(k, next);
      }
      node = next;
    }
  }

  /**
   * A purged entry leaves the tree (upstream's `_chop`), and so does every parent left without
   * children, up to the first one `keep` names (one holding an entry) or the root. Upstream
   * chops valued parents too; ticktock keeps listing them, as their entries stay.
   */
  remove(path: Path, keep: (p: Path) => boolean): void {
    const trail: TreeNode[] = [this.#root];
    for (const e of path.elements) {
      const next = trail[trail.length - 1]!.children?.get(elementKey(e));
      if (!next) return;
      trail.push(next);
    }
    for (let i = trail.length - 1; i > 0; i--) {
      const node = trail[i]!, parent = trail[i - 1]!;
      if (i < trail.length - 1 && ((node.children?.size ?? 0) > 0 || keep(node.path))) return;
      parent.children!.delete(elementKey(node.path.elements[node.path.length - 1]!));
      if (parent.children!.size === 0) parent.children = undefined;
    }
  }

  /** Whether a path was ever written or watched, or is an ancestor of one (upstream's tree has a node there). */
  has(path: Path): boolean {
    let node: TreeNode | undefined = this.#root;
    for (const e of path.elements) if (!(node = node.children?.get(elementKey(e)))) return false;
    return true;
  }

  /** `under` and every path below it, depth first in creation order; none if it never existed. */
  walk(under: Path): TreePlace[] {
    let node: TreeNode | undefined = this.#root;
    for (const e of under.elements) if (!(node = node.children?.get(elementKey(e)))) return [];
    const out: TreePlace[] = [];
    const visit = (n: TreeNode) => {
      out.push({ path: n.path, tock: n.tock });
      if (n.children) for (const c of n.children.values()) visit(c);
    };
    visit(node);
    return out;
  }
}
