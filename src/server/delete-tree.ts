// delete_tree: delete a subtree, as upstream's cmd_delete_tree does. Every node of the tree at
// and below the path is deleted, parent first: entries with a value, tombstones and the empty
// parents of deeper entries alike, each spending a tick (an absent path is created and deleted,
// so the answer is at least 1). Only a node whose value is nil is left alone (upstream tests
// `data is not None`). The answer is the count `{changed: n}`; with `nchain` a stream instead:
// `{state: start}`, one record per deleted node ({node, tick, prev} of its new chain, its
// relative path, `old_value` when it had one), `{state: end}`, then an empty reply, as upstream.
//
// Unlike upstream, the root cannot be deleted: upstream's check for it never fires (an empty
// Path is truthy there) and its delete_tree of `:` wipes every entry, the root's too.

import { MessageError } from "../core/errors.js";
import { toWire } from "../node/chain.js";
import { Path } from "../wire/path.js";
import { PathShortener } from "../wire/relative-path.js";
import type { Handler } from "./handler.js";
import { treeNodes } from "./tree-nodes.js";

type Msg = Record<string, unknown>;

export const delete_tree: Handler = (s, msg, seq) => {
  const path = msg.path;
  if (!(path instanceof Path) && !Array.isArray(path)) {
    throw new MessageError(path === undefined ? "delete_tree: no path; expected path (a Path)" : `delete_tree: path ${String(path)} is not a Path`, "path");
  }
  const root = path instanceof Path ? path : new Path(path);
  if (root.length === 0) throw new MessageError("delete_tree: the root cannot be deleted; name a subtree", "path");
  const nchain = typeof msg.nchain === "number" ? (msg.nchain < 0 ? Infinity : msg.nchain) : msg.nchain === true ? 1 : 0;
  s.node.tree(root); // the serving check, before anything is deleted
  const reply = (m: Msg) => s.sendWithTock(m);
  if (nchain) reply({ seq, state: "start" });
  const short = new PathShortener(root);
  let count = 0;
  // the path itself is a node even when absent: upstream creates it, then deletes it
  const nodes = treeNodes(s.node.store, root);
  if (!nodes[0]?.equals(root)) nodes.unshift(root);
  for (const p of nodes) {
    const cur = s.node.store.get(p);
    if (cur && !cur.deleted && cur.value === null) continue;
    s.node.delete(p);
    count++;
    if (!nchain) continue;
    const e = s.node.store.get(p)!;
    const rel = short.shorten(p);
    const rec: Msg = { ...toWire(e.links, e.ended, nchain), path: rel.path };
    if (cur && !cur.deleted) rec.old_value = cur.value;
    rec.tock = e.tock;
    rec.seq = seq;
    rec.depth = rel.depth;
    reply(rec);
  }
  if (!nchain) return { changed: count };
  reply({ seq, state: "end" });
  return {};
};
