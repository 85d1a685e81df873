// Ticks in words and on the command line: a RangeSet's wire form ([2, [5, 9]]) as "2, 5-8" for
// people and as the arguments `internal mark` takes ("2" "5-8", inclusive ranges).

import type { RangeSetState } from "../../core/range-set.js";
import type { Tick } from "../../core/tick.js";

/** The inclusive [first, last] of each wire item. */
function closedItems(state: RangeSetState): [Tick, Tick][] {
  return state.map((it) => {
    if (!Array.isArray(it)) return [it, it];
    const [a, b] = it;
    const last = typeof b === "bigint" ? b - 1n : b - 1;
    return [a, typeof last === "bigint" && last <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(last) : last];
  });
}

/** `internal mark` arguments: "2", "5-8". */
export function tickArgs(state: RangeSetState): string[] {
  return closedItems(state).map(([a, l]) => (a === l || String(a) === String(l) ? String(a) : `${a}-${l}`));
}

/**
 * "tick 2", "ticks 2 and 5-8", "ticks 1-1000000"; at most `limit` items, then "and N more
 * ranges".
 */
export function tickWords(state: RangeSetState, limit = 8): string {
  const args = tickArgs(state);
  const single = args.length === 1 && !args[0]!.includes("-");
  const shown = args.slice(0, limit);
  const rest = args.length - shown.length;
  let list = shown.length > 1 && rest === 0 ? `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}` : shown.join(", ");
  if (rest > 0) list += ` and ${rest} more range${rest === 1 ? "" : "s"}`;
  return `${single ? "tick" : "ticks"} ${list}`;
}
