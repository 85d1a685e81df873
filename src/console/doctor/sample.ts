// Asking one server for what the doctor needs, with read-only requests only (get_state,
// enum_node, get_value, get_tree_internal), over any KvClient: TCP from the CLI, WebSocket from
// the inspector. Browser-safe.

import type { KvClient, Msg } from "../../client/client.js";
import type { Tick } from "../../core/tick.js";
import { formatPath } from "../../wire/path-text.js";
import { Path } from "../../wire/path.js";
import { PathExpander } from "../../wire/relative-path.js";
import type { EntryRef, ServerSample, StateReply } from "./diagnose.js";

/** What `internal state -ndmrk` asks for, and present (the doctor needs who holds the data). */
export const DOCTOR_STATE_REQUEST = { nodes: true, deleted: true, missing: true, remote_missing: true, present: true, known: true } as const;

/** One get_state sample of the server `c` talks to. */
export async function sampleServer(c: KvClient, now: () => number = Date.now): Promise<ServerSample> {
  const state = (await c.request("get_state", { ...DOCTOR_STATE_REQUEST })) as StateReply;
  const server = typeof state.node === "string" ? state.node : c.greeting.node;
  return { server, address: c.server, at: now(), state };
}

/**
 * Entries whose newest change is by `node` (enum_node current), with their paths, at most
 * `limit` of them: what a mark of the node's ticks could leave stale. Empty when the server holds
 * no entry of the node.
 */
export async function entriesBy(c: KvClient, server: string, node: string, limit = 20): Promise<EntryRef[]> {
  let ticks: unknown[];
  try {
    ticks = ((await c.request("enum_node", { node, current: true })).result ?? []) as unknown[];
  } catch {
    return []; // the server holds no entries of that node
  }
  const out: EntryRef[] = [];
  for (const t of ticks) {
    if (!(typeof t === "number" || typeof t === "bigint")) continue;
    if (out.length >= limit) break;
    try {
      const e = await c.request("get_value", { node, tick: t, nchain: 0 });
      out.push({ path: e.path instanceof Path ? formatPath(e.path) : String(e.path), tick: t as Tick, server });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/**
 * Where the server's `hostmap` (upstream's internal entries `hostmap NAME` = [host, port]) says
 * the other servers' client ports are; {} when it has none (ticktock nodes keep theirs in
 * --hostmap, not in the tree).
 */
export async function hostmapOf(c: KvClient): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const root = Path.of("hostmap");
  try {
    const paths = new PathExpander(root);
    for await (const item of c.stream("get_tree_internal", { path: root, nchain: 0 }) as AsyncIterable<Msg>) {
      const p = paths.expand(item.path, item.depth as number);
      const v = item.value;
      const name = p.elements[p.elements.length - 1];
      if (p.length !== 2 || typeof name !== "string") continue;
      if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "number") out[name] = `${v[0]}:${v[1]}`;
      else if (typeof v === "string" && /:\d+$/.test(v)) out[name] = v;
    }
  } catch {
    /* no hostmap there */
  }
  return out;
}
