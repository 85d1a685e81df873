// Upstream's check_deleted (server.py cmd_check_deleted): a server that fell behind the Delete
// actor sends the head tick of each entry it holds; every named tick for which this server holds
// no entry is gone here (purged, or superseded by a later change), and is broadcast as
// `info {deleted}` so the asker drops it too. Upstream tests `tick in node.entries`, one tick
// at a time; here the asked ranges minus the ticks this server's store indexes, so a huge range
// costs the entries held, not its length.

import type { RangeMap } from "../wire/messages.js";
import { fieldRangeMap } from "../wire/parse.js";
import type { EntryStore } from "./entry-store.js";

/** The ticks among `nodes` ({node: ranges}, as received) whose entries `store` does not hold. Throws a MessageError naming a malformed part. */
export function deletedAmong(nodes: unknown, store: EntryStore): RangeMap {
  const asked = fieldRangeMap("check_deleted", nodes, "nodes");
  const out: RangeMap = {};
  try {
    for (const [name, r] of asked) {
      for (const t of store.ticksOf(name)) if (r.has(t)) r.discard(t);
      if (!r.isEmpty) out[name] = r.toState();
    }
  } finally {
    for (const r of asked.values()) r.dispose();
  }
  return out;
}
