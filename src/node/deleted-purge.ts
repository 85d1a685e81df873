// What upstream does with an `info {deleted}` naming ticks whose change this server holds
// (model.py Node.report_deleted -> Entry.mark_deleted, Entry.purge_deleted): the entry is
// gone, value and all, and every link of its chain leaves present and deleted for superseded.
// The ledger handles the named ticks themselves (TickLedger.applyInfo); this handles the
// entries and their other links, which only the node's store knows.

import { RangeSet } from "../core/range-set.js";
import type { TickLedger } from "../ledger/tick-ledger.js";
import { isMap } from "../wire/parse.js";
import type { Entry, EntryStore } from "./entry-store.js";

/**
 * Entries holding a change among `deleted` ({node: ranges}, as received) that is present here.
 * Call before the ledger applies the message. Malformed parts are skipped: the ledger rejects
 * the whole message for them anyway.
 */
export function entriesToPurge(deleted: unknown, store: EntryStore, ledger: TickLedger): Entry[] {
  if (!isMap(deleted)) return [];
  const out = new Set<Entry>();
  for (const [name, state] of Object.entries(deleted)) {
    const n = ledger.get(name);
    if (!n || n.present.isEmpty) continue;
    let r: RangeSet;
    try {
      r = RangeSet.fromState(state);
    } catch {
      continue;
    }
    using held = r.intersect(n.present);
    r.dispose();
    for (const t of held.ticks()) {
      const e = store.byTick(name, t);
      if (e) out.add(e);
    }
  }
  return [...out];
}

/** Purge the entries: each is removed (upstream cuts it from the tree); every link of its chain is superseded, not deleted. */
export function purgeEntries(entries: Entry[], store: EntryStore, ledger: TickLedger): void {
  for (const e of entries) {
    for (const l of e.links) {
      const n = ledger.ensure(l.node);
      n.supersede(l.tick);
      n.deleted.discard(l.tick);
    }
    store.delete(e.path);
  }
}

/**
 * The Delete actor's purge (upstream's server.purge_deleted -> Node.purge_deleted): the named
 * ticks leave present, deleted and remote_missing for superseded, and the tombstones holding
 * them are removed with every link of their chains. A live entry whose chain still names a
 * purged tick (set again after the deletion) is kept, its ticks present: upstream would cut
 * it from its tree with the tombstone (see docs/upstream-differences.md, "Gossip").
 */
export function purgeDeleted(deleted: Map<string, RangeSet>, store: EntryStore, ledger: TickLedger): void {
  const tombstones = new Set<Entry>();
  const live = new Map<string, RangeSet>();
  try {
    for (const [name, r] of deleted) {
      for (const t of store.ticksOf(name)) {
        if (!r.has(t)) continue;
        const e = store.byTick(name, t)!;
        if (e.deleted) tombstones.add(e);
        else for (const l of e.links) {
          let k = live.get(l.node);
          if (!k) live.set(l.node, (k = new RangeSet()));
          k.add(l.tick);
        }
      }
    }
    purgeEntries([...tombstones], store, ledger);
    for (const [name, r] of deleted) {
      using gone = r.clone();
      const k = live.get(name);
      if (k) gone.subtractInPlace(k);
      const n = ledger.ensure(name);
      n.present.subtractInPlace(gone);
      n.deleted.subtractInPlace(r); // a live entry's deletion link, too: every deleter saw it
      n.remoteMissing.subtractInPlace(gone);
      n.superseded.unionInPlace(gone);
    }
  } finally {
    for (const k of live.values()) k.dispose();
  }
}
