// The internal entry upstream's Deleter list lives in, (None, "actor", "del"), {nodes: [...]},
// which upstream's `internal deleter` reads (get_internal) and writes (set_internal) and the
// Delete actor follows. It is an entry like any other (internal-entry.ts): gossiped as an
// update with the path [null, "actor", "del"], saved in state files; data reads of the root
// leave it out, as upstream's data tree does.

import { DELETER_PATH } from "../node/node-deleter.js";
import { Path, type PathElement } from "../wire/path.js";

/** Whether an internal-tree path (as get_internal gets it) names the deleter list. */
export function isDeleterList(p: unknown): boolean {
  const els = p instanceof Path ? p.elements : Array.isArray(p) ? (p as PathElement[]) : undefined;
  return !!els && new Path([null, ...els]).key === DELETER_PATH.key;
}
