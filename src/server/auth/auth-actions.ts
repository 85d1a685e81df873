// The auth actions of upstream's client protocol (server.py: cmd_diffie_hellman, SCmd_auth,
// SCmd_auth_get/_set/_list, cmd_auth_info, cmd_set_auth_typ), for the `password` and `root`
// methods. Records live in the internal tree (../../auth/user-records.ts), so they gossip and
// persist like any entry. Who may call what is the gate's business (gate.ts).
//
//   diffie_hellman {pubkey, length}          → {pubkey}; the connection now has a shared key
//   auth {typ, ident, password}              → stream: start, end (or start, error, end)
//   auth_set {typ, kind, ident, chain, password?, role?} → set_internal's reply
//   auth_get / auth_list {typ, kind, ident?, nchain}     → {name, role?, [typ, kind, ident,] chain?}
//   set_auth_typ {typ | null}                → set_internal's reply for (None, "auth")

import { MessageError, show } from "../../core/errors.js";
import { DH_LENGTH } from "../../auth/diffie-hellman.js";
import { dhAnswer } from "../../auth/diffie-hellman-answer.js";
import { openPassword, sameDigest } from "../../auth/password-box.js";
import { AUTH_METHODS, AUTH_ROOT, isAuthMethod, roleOf, ROLES, userPath, USER_NAME, type AuthMethod } from "../../auth/user-records.js";
import type { Entry } from "../../node/entry-store.js";
import { Path } from "../../wire/path.js";
import { toWire } from "../../node/chain.js";
import { chainLimit, type Handler, type Msg } from "../handler.js";
import { setInternalEntry } from "../internal-entry.js";
import type { ClientSession } from "../session.js";
import { authConfig } from "./auth-state.js";

function method(action: string, typ: unknown): AuthMethod {
  if (isAuthMethod(typ)) return typ;
  throw new MessageError(`${action}: auth method ${show(typ)} is not one this server serves; expected one of ${AUTH_METHODS.join(", ")}`, "typ");
}

function kindOf(action: string, msg: Msg): string {
  const k = msg.kind ?? "user";
  if (k !== "user") throw new MessageError(`${action}: kind ${show(k)} is not served; expected "user"`, "kind");
  return k;
}

function identOf(action: string, typ: AuthMethod, ident: unknown): string {
  if (typ === "root") return "*"; // upstream's root method has one record, "*"
  if (typeof ident === "string" && USER_NAME.test(ident)) return ident;
  throw new MessageError(`${action}: user name ${show(ident)} is not one; expected a letter, then letters, digits or _`, "ident");
}

function live(s: ClientSession, p: Path): Entry | undefined {
  const e = s.node.store.get(p);
  return e && !e.deleted ? e : undefined;
}

/** What a record shows (never the digest): its name, and its role when it has one. */
function info(typ: AuthMethod, ident: string, value: unknown): Msg {
  if (typ === "root") return {};
  const out: Msg = { name: ident };
  if (value !== null && typeof value === "object" && "role" in value) out.role = roleOf(value);
  return out;
}

const diffie_hellman: Handler = (s, msg) => {
  if (s.auth.dhKey) throw new MessageError("diffie_hellman: can't call dh twice on one connection", "action");
  if (!(msg.pubkey instanceof Uint8Array)) throw new MessageError(`diffie_hellman: pubkey ${show(msg.pubkey)} is not bytes`, "pubkey");
  const length = msg.length ?? DH_LENGTH;
  if (typeof length !== "number" || !Number.isInteger(length) || length <= 0) throw new MessageError(`diffie_hellman: length ${show(length)} is not a positive integer`, "length");
  const { pubkey, key } = dhAnswer(msg.pubkey, length);
  s.auth.dhKey = key;
  return { pubkey };
};

const auth: Handler = (s, msg, seq) => {
  const st = s.stream(seq); // as upstream: start, (error,) end
  const typ = method("auth", msg.typ);
  const current = authConfig(s.node.store)?.current;
  if (!s.auth.user && typ !== current) throw new MessageError(`auth: wrong auth type ${typ}; this server wants ${current ?? "none"}`, "typ");
  const ident = identOf("auth", typ, msg.ident);
  const e = live(s, userPath(typ, ident));
  // an unknown user and a wrong password get the same answer: names are not given away
  const failed = () => {
    s.node.log.warn(`failed login as ${ident} (auth method ${typ})`);
    return new MessageError(`AuthFailedError: user ${ident} and this password do not match`, "password");
  };
  if (!e) throw failed();
  if (typ === "password") {
    if (!s.auth.dhKey) throw new MessageError("auth: the client has not executed the diffie_hellman key exchange", "password");
    const digest = openPassword(s.auth.dhKey, msg.password);
    const stored = e.value !== null && typeof e.value === "object" ? (e.value as Msg).password : undefined;
    if (!sameDigest(stored, digest)) throw failed();
  }
  // a connection that is logged in (or was made with auth off) stays who it is: upstream's test mode
  if (!s.auth.user) s.node.log.info(`logged in: ${ident} (auth method ${typ}, role ${roleOf(e.value)})`);
  s.auth.user ??= { method: typ, name: ident, role: roleOf(e.value) };
  st.end();
};

const auth_get: Handler = (s, msg) => {
  const typ = method("auth_get", msg.typ);
  const kind = kindOf("auth_get", msg);
  const ident = identOf("auth_get", typ, msg.ident);
  const e = live(s, userPath(typ, ident, kind));
  if (!e) throw new MessageError(`auth_get: no ${kind} ${ident} for auth method ${typ}`, "ident");
  const out = info(typ, ident, e.value);
  const limit = chainLimit(msg);
  if (limit > 0) out.chain = toWire(e.links, e.ended, limit);
  return out;
};

function listed(typ: AuthMethod, kind: string, e: Entry, limit: number): Msg {
  const ident = String(e.path.elements[4]);
  const out: Msg = { ...info(typ, ident, e.value), typ, kind, ident };
  if (limit > 0) out.chain = toWire(e.links, e.ended, limit);
  return out;
}

const auth_list: Handler = (s, msg, seq) => {
  const typ = method("auth_list", msg.typ);
  const kind = kindOf("auth_list", msg);
  const limit = chainLimit(msg);
  if (msg.ident !== undefined) {
    const ident = identOf("auth_list", typ, msg.ident);
    const e = live(s, userPath(typ, ident, kind));
    if (!e) throw new MessageError(`auth_list: no ${kind} ${ident} for auth method ${typ}`, "ident");
    return listed(typ, kind, e, limit);
  }
  const st = s.stream(seq);
  const under = Path.of(null, "auth", typ, kind);
  for (const { entry: e, path } of s.node.store.hasNode(under) ? s.node.store.walk(under) : []) {
    if (e && !e.deleted && path.length === under.length + 1) st.item(listed(typ, kind, e, limit));
  }
  st.end();
};

const auth_set: Handler = (s, msg) => {
  const typ = method("auth_set", msg.typ);
  const kind = kindOf("auth_set", msg);
  const ident = identOf("auth_set", typ, msg.ident);
  const path = userPath(typ, ident, kind);
  const cur = live(s, path)?.value;
  const record: Msg = typ === "root" ? {} : { ...(cur !== null && typeof cur === "object" && !Array.isArray(cur) ? (cur as Msg) : {}) };
  if (typ === "password") {
    if (msg.password !== undefined && msg.password !== null) {
      if (!s.auth.dhKey) throw new MessageError("auth_set: run diffie_hellman first: the password travels sealed with its key", "password");
      record.password = openPassword(s.auth.dhKey, msg.password);
    } else if (!(record.password instanceof Uint8Array)) throw new MessageError(`auth_set: new user ${ident} needs a password`, "password");
    if (msg.role !== undefined) {
      if (!(ROLES as unknown[]).includes(msg.role)) throw new MessageError(`auth_set: role ${show(msg.role)} is not one; expected ${ROLES.join(" or ")}`, "role");
      record.role = msg.role;
    }
  }
  return setInternalEntry(s, path, record, msg, "auth_set");
};

/** Upstream's cmd_auth_info reads (None, None, "auth"), which never exists: it answers nothing. */
const auth_info: Handler = (_s, msg) => (chainLimit(msg) > 0 ? { chain: null } : {});

const set_auth_typ: Handler = (s, msg) => {
  const e = live(s, AUTH_ROOT);
  const val: Msg = e && e.value !== null && typeof e.value === "object" && !Array.isArray(e.value) ? { ...(e.value as Msg) } : {};
  if (msg.typ === null || msg.typ === undefined) delete val.current;
  else {
    const typ = method("set_auth_typ", msg.typ);
    const users = Path.of(null, "auth", typ, "user");
    const any = s.node.store.hasNode(users) && s.node.store.walk(users).some(({ entry: u }) => u && !u.deleted);
    if (!any) throw new MessageError(`set_auth_typ: auth method ${typ} has no users yet; add one first (auth user add)`, "typ");
    val.current = typ;
  }
  const { chain: _c, ...rest } = msg;
  return setInternalEntry(s, AUTH_ROOT, val, rest, "set_auth_typ");
};

export const AUTH_ACTIONS = { diffie_hellman, auth, auth_get, auth_set, auth_list, auth_info, set_auth_typ } as const;
