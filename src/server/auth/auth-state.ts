// Whether a node wants its clients to log in, and who a connection is. Auth is on when the
// internal entry `auth` names a `current` method that has records below it (upstream's
// ServerClient.run); the greeting then lists the methods, the current one first, and the
// connection starts with no user. With auth off, every connection is upstream's RootServerUser
// (a maintainer) from the start, and stays one even if auth is turned on later.

import type { EntryStore } from "../../node/entry-store.js";
import { AUTH_ROOT, type Role } from "../../auth/user-records.js";
import { Path } from "../../wire/path.js";

export interface AuthUser {
  /** The method the user logged in with (undefined: nobody logged in, auth was off). */
  method: string | undefined;
  name: string;
  role: Role;
}

/** The user of a connection made while auth was off (upstream's RootServerUser). */
export const ROOT_USER: AuthUser = Object.freeze({ method: undefined, name: "*", role: "maintainer" });

/** One connection's login state. */
export class SessionAuth {
  /** Who is logged in; undefined until `auth` succeeds on a node with auth on. */
  user: AuthUser | undefined;
  /** The key of this connection's Diffie-Hellman exchange, once run (only once, as upstream). */
  dhKey: Uint8Array | undefined;
  /** The method the greeting asked for (undefined: auth was off). */
  readonly required: string | undefined;

  constructor(store: EntryStore) {
    this.required = authConfig(store)?.current;
    this.user = this.required === undefined ? ROOT_USER : undefined;
  }
}

/** The methods with records (in tree order) and the current one, or undefined without an `auth` node. */
export function authConfig(store: EntryStore): { current: string | undefined; methods: string[] } | undefined {
  if (!store.hasNode(AUTH_ROOT)) return undefined;
  // the children of the auth node, as upstream's auth.keys(): a walk of that subtree only
  const methods = store.walk(AUTH_ROOT).filter(({ path: p }) => p.length === AUTH_ROOT.length + 1).map(({ path: p }) => String(p.elements[AUTH_ROOT.length]));
  const e = store.get(AUTH_ROOT);
  const v = e && !e.deleted ? e.value : undefined;
  const cur = v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>).current : undefined;
  return { current: typeof cur === "string" && methods.includes(cur) ? cur : undefined, methods };
}

/** The greeting's `auth` field: [current or null, other methods…]; undefined without an `auth` node. */
export function greetingAuth(store: EntryStore): (string | null)[] | undefined {
  const c = authConfig(store);
  if (!c) return undefined;
  return [c.current ?? null, ...c.methods.filter((m) => m !== c.current)];
}

/**
 * Whether deleting the record at `path` would leave the current method without a user: every
 * new connection would be refused, with no way back but a state file edit.
 */
export function lastUserOfCurrent(store: EntryStore, path: Path): boolean {
  const [, top, method, kind] = path.elements;
  if (path.length !== 5 || top !== "auth" || kind !== "user" || authConfig(store)?.current !== method) return false;
  const users = Path.of(null, "auth", String(method), "user");
  return !store.walk(users).some(({ path: p, entry: e }) => e && !e.deleted && p.key !== path.key && p.length === users.length + 1);
}
