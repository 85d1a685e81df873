// The nodes of upstream's data tree that hold something, for the requests that walk them:
// get_value of an empty parent, enum, delete_tree. The tree itself (creation order, empty
// parents, watched paths) is kept by the entry store (node/tree-order.ts); here it is narrowed
// to the nodes at or below which an entry (live or deleted) exists.

import type { EntryStore } from "../node/entry-store.js";
import type { Path } from "../wire/path.js";

/** The nodes at and below `root` that hold something (root included if so), parent first, in upstream's order. */
export function treeNodes(store: EntryStore, root: Path): Path[] {
  const holding = new Set<string>();
  for (const e of store.values()) {
    if (!e.path.startsWith(root)) continue;
    for (let n = root.length; n <= e.path.length; n++) holding.add(e.path.slice(0, n).key);
  }
  return store.walk(root).flatMap(({ path }) => (holding.has(path.key) ? [path] : []));
}

/** Whether upstream's tree has a node at `path`: written, watched, or an ancestor of one (the root always). */
export function hasNode(store: EntryStore, path: Path): boolean {
  return path.length === 0 || store.hasNode(path);
}
