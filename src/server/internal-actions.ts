// Reads of upstream's internal tree (get_internal, get_tree_internal, enum_internal), which the
// upstream CLI's `internal dump`, `internal deleter`, `acl`, `codec` and `type` commands use.
// Upstream keeps ACLs, auth, codecs, types and its Deleter list there; ticktock has none of
// these, so its internal tree is empty and every read answers as upstream does for an empty
// tree: no value, no entries. Writes (set_internal, delete_internal) are not served: an
// error names the action (see docs/upstream-differences.md, "Command line").

import { MessageError, show } from "../core/errors.js";
import { Path } from "../wire/path.js";
import type { Handler } from "./actions.js";

const get_internal: Handler = (_s, msg) => {
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

export const INTERNAL_ACTIONS = { get_internal, get_tree_internal, enum_internal } as const;
