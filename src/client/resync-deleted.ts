// Upstream's resync_deleted: a node whose Delete actor saw that it missed a whole round of the
// deleters sends one deleter the head tick of every entry it holds (check_deleted, at most 100
// ticks a request, as upstream); the deleter broadcasts `info {deleted}` for those it holds no
// entry for, and every node drops them. The first deleter that can be reached is used.

import { RangeSet } from "../core/range-set.js";
import type { EntryStore } from "../node/entry-store.js";
import type { TicktockNode } from "../node/node.js";
import type { RangeMap } from "../wire/messages.js";
import { connectTcp, type TcpClientOptions } from "./tcp.js";
import { login, type Credentials } from "./login.js";

/** Upstream's batch size for check_deleted. */
export const CHECK_BATCH = 100;

/** The head tick of each data entry in the store (not the internal tree), in batches of at most `size` ticks. */
export function headTickBatches(store: EntryStore, size = CHECK_BATCH): RangeMap[] {
  const out: RangeMap[] = [];
  let cur = new Map<string, RangeSet>();
  let n = 0;
  const flush = () => {
    if (n === 0) return;
    const m: RangeMap = {};
    for (const [name, r] of cur) {
      m[name] = r.toState();
      r.dispose();
    }
    out.push(m);
    cur = new Map();
    n = 0;
  };
  for (const e of store.values()) {
    if (e.path.length > 0 && e.path.elements[0] === null) continue; // upstream walks the data tree only
    const head = e.links[0];
    if (!head) continue;
    let r = cur.get(head.node);
    if (!r) cur.set(head.node, (r = new RangeSet()));
    r.add(head.tick);
    if (++n >= size) flush();
  }
  flush();
  return out;
}

/**
 * Send the node's head ticks to the first reachable deleter (`addressOf`: its client port as
 * host:port, undefined when unknown; over TLS with `tls`). Resolves with the deleter used; throws when
 * none could be reached.
 */
export async function resyncDeleted(node: TicktockNode, deleters: string[], addressOf: (name: string) => string | undefined, cred?: Credentials, tls?: TcpClientOptions["tls"]): Promise<string> {
  const why: string[] = [];
  for (const d of deleters) {
    const at = addressOf(d);
    if (!at) {
      why.push(`${d}: address unknown`);
      continue;
    }
    let c;
    try {
      c = await connectTcp(at, { tls });
      await login(c, cred);
    } catch (e) {
      c?.close();
      why.push(`${d} at ${at}: ${(e as Error).message}`);
      continue;
    }
    try {
      for (const nodes of headTickBatches(node.store)) await c.request("check_deleted", { nodes, nchain: -1 });
      return d;
    } finally {
      c.close();
    }
  }
  throw new Error(`no deleter reachable (${why.join("; ") || "none named"})`);
}
