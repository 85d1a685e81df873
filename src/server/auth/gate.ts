// The auth gate the session asks once per request. As upstream: with auth on, a connection that
// has not logged in may only run `diffie_hellman` and `auth`. Beyond upstream: a user whose
// record has role "read" may only look (the LOOK actions), and not at the auth records, which
// hold password digests that log in as well as the password does.

import { AUTH_ROOT } from "../../auth/user-records.js";
import { Path } from "../../wire/path.js";
/** A request. */
type Msg = Record<string, unknown>;
import type { SessionAuth } from "./auth-state.js";

/** What a connection may run before it logs in (upstream's noAuth commands). */
const BEFORE_LOGIN = new Set(["diffie_hellman", "auth"]);

/**
 * What a read-only user may run: reads of data, state and the internal tree (outside `auth`),
 * and `stop`, which only ends the caller's own requests (a watch). Everything else writes,
 * broadcasts, drops nodes, touches files on the server or manages users: maintainers only.
 */
export const LOOK = new Set([
  "get_value", "get_tree", "watch", "enum", "get_state", "get_tock", "ping", "enum_node", "stop",
  "get_internal", "get_tree_internal", "enum_internal", "auth_info",
]);

const INTERNAL_READS = new Set(["get_internal", "get_tree_internal", "enum_internal"]);

function readsAuthRecords(action: string, msg: Msg): boolean {
  if (!INTERNAL_READS.has(action)) return false;
  const p = msg.path;
  const els = p instanceof Path ? p.elements : Array.isArray(p) ? p : [];
  return els.length === 0 ? action === "get_tree_internal" : els[0] === AUTH_ROOT.elements[1];
}

/** Why this request is refused, or undefined when it may run. */
export function refusal(auth: SessionAuth, action: string, msg: Msg): string | undefined {
  if (BEFORE_LOGIN.has(action)) return undefined;
  const u = auth.user;
  if (!u) return `NoAuthError: ${action} needs a login; this server wants auth method ${auth.required} (diffie_hellman, then auth)`;
  if (u.role === "maintainer") return undefined;
  if (LOOK.has(action) && !readsAuthRecords(action, msg)) return undefined;
  return `Not allowed: ${action}${readsAuthRecords(action, msg) ? " of the auth records" : ""} needs a maintainer; user ${u.name} may only look`;
}
