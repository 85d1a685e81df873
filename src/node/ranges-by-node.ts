// Tick sets kept per node name (Map<node, RangeSet>), as the node, its policies and actors keep
// what was asked for, owed or seen. The map owns its sets: they are disposed with it.

import type { RangeSet } from "../core/range-set.js";

/** m[name] |= r (r is copied; the caller keeps it). */
export function addTo(m: Map<string, RangeSet>, name: string, r: RangeSet): void {
  const cur = m.get(name);
  if (cur) cur.unionInPlace(r);
  else m.set(name, r.clone());
}

/** Dispose every set of `m` and empty it. */
export function disposeAll(m: Map<string, RangeSet>): void {
  for (const r of m.values()) r.dispose();
  m.clear();
}
