// The operator's repair, over the client protocol: what `internal mark` does, shared by the CLI,
// the console worker role and the browser inspector.
//
//   plan:  which ticks a mark would change on the server (ticks already present, superseded or
//          deleted are left alone), and which entries could resurface;
//   apply: fake_info on the server, and with `broadcast` fake_info_send to every server.

import { RangeSet } from "../core/range-set.js";
import type { KvClient, Msg } from "../client/client.js";
import type { RangeMap } from "../wire/messages.js";
import { formatPath } from "../wire/path-text.js";
import { Path } from "../wire/path.js";

export type MarkKind = "superseded" | "deleted";

export interface MarkPlan {
  kind: MarkKind;
  /** The ticks to mark, per node. */
  target: RangeMap;
  /** Of those, what the mark would change here. */
  changes: RangeMap;
  /** Already present, or already marked: no change. */
  unchanged: RangeMap;
  /** Entries whose newest change is by the node and older than the marked ticks. */
  couldResurface: string[];
}

/**
 * The ticks to mark: the given ones for `node`, or (ticks "missing") the server's current
 * missing ticks of `node`, or of every node when `node` is "". Empty when nothing is missing.
 */
export async function markTarget(c: KvClient, node: string, ticks: RangeMap[string] | "missing"): Promise<RangeMap> {
  if (ticks !== "missing") {
    if (node === "") throw new Error('ticks need a node name; the empty name "" marks every node\'s missing ticks, without ticks');
    return { [node]: ticks };
  }
  const missing = ((await c.request("get_state", { missing: true })).missing ?? {}) as RangeMap;
  return node === "" ? missing : missing[node] ? { [node]: missing[node]! } : {};
}

/** What a mark of `target` would do on the server (changes nothing). */
export async function planMark(c: KvClient, target: RangeMap, kind: MarkKind, resurfaceLimit = 20): Promise<MarkPlan> {
  const state = await c.request("get_state", { present: true, known: true, deleted: true });
  const sets = (k: string) => (state[k] ?? {}) as RangeMap;
  const changes: RangeMap = {}, unchanged: RangeMap = {};
  for (const [node, ticks] of Object.entries(target)) {
    using want = RangeSet.fromState(ticks);
    using present = RangeSet.fromState(sets("present")[node] ?? []);
    using done = RangeSet.fromState((kind === "deleted" ? sets("deleted") : sets("known"))[node] ?? []);
    using fresh = want.subtract(present).subtractInPlace(done);
    using same = want.subtract(fresh);
    if (!fresh.isEmpty) changes[node] = fresh.toState();
    if (!same.isEmpty) unchanged[node] = same.toState();
  }
  return { kind, target, changes, unchanged, couldResurface: await resurfacing(c, changes, resurfaceLimit) };
}

/**
 * Entries that could resurface: those whose newest change is by the node and older than the
 * ticks being marked. A lost change of that node may have replaced or deleted one of them;
 * once its tick is marked, the older value stays current everywhere.
 */
async function resurfacing(c: KvClient, changes: RangeMap, limit: number): Promise<string[]> {
  const out: string[] = [];
  for (const [node, ticks] of Object.entries(changes)) {
    using r = RangeSet.fromState(ticks);
    const last = r.last()!;
    let mine: unknown[];
    try {
      mine = (await c.request("enum_node", { node, current: true })).result as unknown[];
    } catch {
      continue; // the server holds no entries of that node
    }
    for (const t of mine) {
      if (!(typeof t === "number" || typeof t === "bigint") || !(t < last)) continue;
      if (out.length >= limit) return [...out, `... and more (showing ${limit})`];
      try {
        const e = await c.request("get_value", { node, tick: t, nchain: 0 });
        out.push(`${e.path instanceof Path ? formatPath(e.path) : String(e.path)} (${node} tick ${t})`);
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return out;
}

/** Apply the mark (fake_info; with broadcast also fake_info_send); returns get_state of that kind. */
export async function applyMark(c: KvClient, target: RangeMap, kind: MarkKind, opts: { broadcast?: boolean; source?: string } = {}): Promise<Msg> {
  const msg = { [kind]: target, node: opts.source ?? "?" };
  await c.request("fake_info", msg);
  if (opts.broadcast) await c.request("fake_info_send", msg);
  return c.request("get_state", { [kind]: true });
}
