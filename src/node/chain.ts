// Change chains: an entry's history of changes, newest first, each node at most once
// (upstream's NodeEvent). Kept flat here; the wire form nests them ({node, tick, prev}).
//
// Ordering, as upstream decides which of two versions of an entry wins:
//   a is based on b (a "succeeds" b) when a's chain contains b's head node at b's head tick or
//   later. Neither based on the other: concurrent changes; the larger tock wins, and ticktock
//   breaks a tock tie by node name so that every server picks the same winner.

import type { Tick } from "../core/tick.js";
import type { ChainLink } from "../wire/messages.js";

export interface Link {
  node: string;
  tick: Tick;
}

export function sameHead(a: readonly Link[], b: readonly Link[]): boolean {
  return a.length > 0 && b.length > 0 && a[0]!.node === b[0]!.node && a[0]!.tick === b[0]!.tick;
}

/** Whether chain a is based on chain b (and not the same change). */
export function succeeds(a: readonly Link[], b: readonly Link[]): boolean {
  if (b.length === 0) return a.length > 0;
  if (sameHead(a, b)) return false;
  const head = b[0]!;
  const l = a.find((x) => x.node === head.node);
  return l !== undefined && l.tick >= head.tick;
}

/** The chain of a new local change: this node's tick first, its own older link filtered out. */
export function extend(node: string, tick: Tick, prev: readonly Link[]): Link[] {
  return [{ node, tick }, ...prev.filter((l) => l.node !== node)];
}

/**
 * The wire form of a chain. With `limit`, only that many links go out and the last one has no
 * `prev` (truncated); otherwise the last one has `prev: null` when the chain really ends.
 */
export function toWire(links: readonly Link[], ended: boolean, limit = Infinity): ChainLink | null {
  const n = Math.min(links.length, limit);
  if (n === 0) return null;
  let prev: ChainLink | null | undefined = n === links.length && ended ? null : undefined;
  for (let i = n - 1; i >= 0; i--) {
    const l = links[i]!;
    prev = prev === undefined ? { node: l.node, tick: l.tick } : { node: l.node, tick: l.tick, prev };
  }
  return prev ?? null;
}
