// The internal tree (upstream's paths below None): get_internal, get_tree_internal,
// enum_internal, which the upstream CLI's `internal dump`, `internal deleter`, `auth`, `acl`,
// `codec` and `type` commands use, and set_internal / delete_internal. Upstream keeps ACLs,
// auth, codecs, types and its Deleter list there; ticktock keeps the Deleter list (`actor del`)
// and the auth records (`auth …`, see auth/), and reads answer for whatever is there, as
// upstream's do. Writes elsewhere in the internal tree are not served: an error names the action
// and path (see docs/upstream-differences.md, "Command line").

import { MessageError, show } from "../core/errors.js";
import { Path } from "../wire/path.js";
import { PathShortener } from "../wire/relative-path.js";
import { chainLimit, type Handler, type Msg } from "./handler.js";
import { isDeleterList } from "./deleter-list.js";
import { enum_ } from "./enum.js";
import { deleteInternalEntry, getInternalEntry, internalPath, setInternalEntry, showInternal } from "./internal-entry.js";
import { lastUserOfCurrent } from "./auth/auth-state.js";

const get_internal: Handler = (s, msg) => {
  const n = msg.nchain;
  const nothing = n === undefined || n === null || n === false || n === 0 ? {} : { chain: null };
  // upstream answers a path that is not one as it answers an absent entry
  if (!(msg.path instanceof Path) && !Array.isArray(msg.path)) return nothing;
  const path = internalPath(msg.path, "get_internal");
  const e = getInternalEntry(s, path, msg);
  if (e) return e;
  // an empty parent of deeper entries is a node upstream: it answers only a tock
  return s.node.store.hasNode(path) ? { tock: s.node.ledger.nextTock() } : nothing;
};

/** Upstream answers KeyError for a path with nothing at or below it (the root always exists). */
function requireNode(s: Parameters<Handler>[0], action: string, path: Path): boolean {
  if (s.node.store.hasNode(path)) return true;
  if (path.length === 1) return false; // the internal tree's root, empty
  throw new MessageError(`${action}: no internal entry at ${showInternal(path)}`, "path");
}

const get_tree_internal: Handler = (s, msg, seq) => {
  const st = s.stream(seq);
  const path = internalPath(msg.path, "get_tree_internal");
  if (requireNode(s, "get_tree_internal", path)) {
    const limit = chainLimit(msg);
    const short = new PathShortener(path);
    for (const { path: p, entry: e, tock } of s.node.store.walk(path)) {
      if (!e && !msg.empty) continue;
      if (e?.deleted && !msg.empty) continue;
      const data: Msg = {};
      if (e && !e.deleted) data.value = e.value;
      if (e && limit > 0) data.chain = getInternalEntry(s, p, msg)!.chain;
      data.tock = e ? e.tock : tock;
      const rel = short.shorten(p);
      st.item({ ...data, path: rel.path, depth: rel.depth });
    }
  }
  st.end();
};

const enum_internal: Handler = (s, msg, seq) => {
  const path = internalPath(msg.path, "enum_internal");
  if (!requireNode(s, "enum_internal", path)) return { result: [] };
  return enum_(s, { ...msg, path }, seq) as Msg;
};

/** The internal paths ticktock writes: the deleter list and the auth records. */
function writable(action: string, p: unknown): Path {
  const path = internalPath(p, action);
  if (isDeleterList(p) || (path.length > 2 && path.elements[1] === "auth")) return path;
  throw new MessageError(`${action}: ticktock's internal tree holds only the deleter list (actor del) and auth records (auth …), not ${p instanceof Path ? String(p) : show(p)}`, "path");
}

const set_internal: Handler = (s, msg) => {
  const path = writable("set_internal", msg.path);
  if (!("value" in msg)) throw new MessageError("set_internal: no value; use delete_internal to delete", "value");
  return setInternalEntry(s, path, msg.value, msg);
};

const delete_internal: Handler = (s, msg) => {
  const path = writable("delete_internal", msg.path);
  if (lastUserOfCurrent(s.node.store, path)) throw new MessageError(`delete_internal: ${String(path.elements[4])} is the last user of auth method ${String(path.elements[2])}, which is on; turn auth off first (auth -m - init -s)`, "path");
  return deleteInternalEntry(s, path, msg);
};

export const INTERNAL_ACTIONS = { get_internal, set_internal, delete_internal, get_tree_internal, enum_internal } as const;
