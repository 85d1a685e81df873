// The nodes of upstream's data tree, derived from a node's entries. Upstream keeps a tree in
// which every path with an entry has all its parents as nodes too, valued or not ("empty"); a
// deleted entry stays a node. ticktock stores only entries (tombstones included), so the empty
// parents are derived here, for the requests that answer them: get_value of an empty parent,
// get_tree with `empty`, delete_tree (which deletes them).

import { comparePaths, type EntryStore } from "../node/entry-store.js";
import type { Path } from "../wire/path.js";

/** The nodes at and below `root` that hold something (root included if so), parent first, siblings sorted. */
export function treeNodes(store: EntryStore, root: Path): Path[] {
  const out = new Map<string, Path>();
  for (const e of store.values()) {
    if (!e.path.startsWith(root)) continue;
    for (let n = root.length; n <= e.path.length; n++) {
      const q = e.path.slice(0, n);
      out.set(q.key, q);
    }
  }
  return [...out.values()].sort((a, b) => comparePaths(a.elements, b.elements));
}

/** Whether upstream's tree has a node at `path`: an entry there or below (the root always). */
export function hasNode(store: EntryStore, path: Path): boolean {
  if (path.length === 0) return true;
  for (const e of store.values()) if (e.path.startsWith(path)) return true;
  return false;
}
