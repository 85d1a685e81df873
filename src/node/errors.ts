// How a node words its refusals.
import { show } from "../core/errors.js";
import type { RangeMap } from "../wire/messages.js";

/** Format a missing map as "test1 [2], ghost [[5, 8]]". */
export function formatMissing(missing: RangeMap): string {
  return Object.entries(missing).map(([n, r]) => `${n} ${show(r)}`).join(", ");
}
