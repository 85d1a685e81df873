// Reads of upstream's internal tree (get_internal, get_tree_internal, enum_internal), which the
// upstream CLI's `internal dump`, `internal deleter`, `acl`, `codec` and `type` commands use.
// Upstream keeps ACLs, auth, codecs, types and its Deleter list there; ticktock keeps only the
// Deleter list (deleter-list.ts: get_internal and set_internal of `actor del`), so every other
// read answers as upstream does for an empty tree: no value, no entries. Other writes
// (set_internal elsewhere, delete_internal) are not served: an error names the action and
// path (see docs/upstream-differences.md, "Command line").

import { MessageError, show } from "../core/errors.js";
import { Path } from "../wire/path.js";
import type { Handler } from "./handler.js";
import { getDeleterList, isDeleterList, setDeleterList } from "./deleter-list.js";

const get_internal: Handler = (s, msg) => {
  if (isDeleterList(msg.path)) {
    const e = getDeleterList(s, msg);
    if (e) return e;
  }
  // upstream's get_value of an absent path: {} or, when a chain was asked for, {chain: null}
  const n = msg.nchain;
  return n === undefined || n === null || n === false || n === 0 ? {} : { chain: null };
};

/** Only the internal tree's root exists: upstream answers KeyError for any other path. */
function requireRoot(action: string, p: unknown): void {
  if (p instanceof Path ? p.length === 0 : Array.isArray(p) && p.length === 0) return;
  throw new MessageError(`${action}: no internal entry at ${p instanceof Path ? String(p) : show(p)}; ticktock's internal tree is empty`, "path");
}

const get_tree_internal: Handler = (s, msg, seq) => {
  requireRoot("get_tree_internal", msg.path);
  s.stream(seq).end();
};

const enum_internal: Handler = (_s, msg) => {
  requireRoot("enum_internal", msg.path);
  return { result: [] };
};

const set_internal: Handler = (s, msg) => {
  if (!isDeleterList(msg.path)) throw new MessageError(`set_internal: ticktock's internal tree holds only the deleter list (actor del), not ${msg.path instanceof Path ? String(msg.path) : show(msg.path)}`, "path");
  return setDeleterList(s, msg);
};

export const INTERNAL_ACTIONS = { get_internal, set_internal, get_tree_internal, enum_internal } as const;
