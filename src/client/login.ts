// Logging in to a MoaT-KV server (ticktock or upstream) as upstream's client does
// (client.py _run_auth): when the greeting's `auth` names a method first, run it; otherwise
// nothing is needed and credentials are not sent. The password method runs `diffie_hellman`
// once per connection, then `auth` with the password sealed with the shared key; the key is
// kept for the connection (auth_set seals new passwords with it).
//
//   const c = await connectTcp("127.0.0.1:27586");
//   await login(c, parseCredentials("password name=joe password=secret"));
//   const w = await connectWebSocket("ws://127.0.0.1:27596", { credentials: { method: "password", name: "ann", password } });
//
// Plain JavaScript throughout (../auth/diffie-hellman.ts, ../auth/password-box.ts), so browsers,
// their workers, Deno and edge isolates log in as Node does.

import { dhOffer } from "../auth/diffie-hellman.js";
import { sealPassword } from "../auth/password-box.js";
import { ClientError, type KvClient, type Msg } from "./client.js";

export type Credentials = { method: "password"; name: string; password: string } | { method: "root" };

/**
 * Upstream's `-a` form: "password name=joe password=secret", or "root". Values may not hold
 * spaces there; `--user` and `--password-file` are the way to give any password.
 */
export function parseCredentials(spec: string): Credentials {
  const [method, ...words] = spec.trim().split(/\s+/);
  const kw: Record<string, string> = {};
  for (const w of words) {
    const i = w.indexOf("=");
    if (i <= 0) throw new ClientError(`auth "${spec}": ${JSON.stringify(w)} is not NAME=VALUE; expected "password name=NAME password=PASSWORD" or "root"`);
    kw[w.slice(0, i)] = w.slice(i + 1);
  }
  if (method === "root") return { method: "root" };
  if (method === "password") {
    if (!kw.name || kw.password === undefined) throw new ClientError(`auth "${spec}": the password method needs name=NAME and password=PASSWORD`);
    return { method: "password", name: kw.name, password: kw.password };
  }
  throw new ClientError(`auth "${spec}": method ${JSON.stringify(method)} is not one ticktock speaks; expected password or root`);
}

/** The methods the server's greeting asks for (first: the one to use; null or none: no login needed). */
export function authWanted(c: KvClient): (string | null)[] {
  const a = (c.greeting as unknown as Msg).auth;
  return Array.isArray(a) ? (a as (string | null)[]) : [];
}

const keys = new WeakMap<KvClient, Uint8Array>();

/** This connection's Diffie-Hellman key, exchanged on first use (a server allows one exchange). */
export async function dhKey(c: KvClient): Promise<Uint8Array> {
  const have = keys.get(c);
  if (have) return have;
  const offer = dhOffer();
  const r = await c.request("diffie_hellman", { pubkey: offer.pubkey, length: offer.length });
  if (!(r.pubkey instanceof Uint8Array)) throw new ClientError(`diffie_hellman: ${c.server} answered no pubkey`);
  const key = offer.finish(r.pubkey);
  keys.set(c, key);
  return key;
}

/** A password sealed for this connection (for `auth` and `auth_set`). */
export async function sealedPassword(c: KvClient, password: string): Promise<Uint8Array> {
  return sealPassword(await dhKey(c), password);
}

/** Log in when the server asks for it; without credentials there, fail with what to give. */
export async function login(c: KvClient, cred: Credentials | undefined): Promise<void> {
  const want = authWanted(c)[0];
  if (!want) return; // auth is off: nothing to do (as upstream, credentials are not sent)
  if (!cred) throw new ClientError(`${c.server} wants a login (auth method ${want}); give --user NAME with --password-file FILE, or --auth "${want} name=NAME password=PASSWORD"`);
  if (cred.method !== want) throw new ClientError(`${c.server} wants auth method ${want}, not ${cred.method}`);
  await authenticate(c, cred);
}

/**
 * A new connection, logged in when `cred` is given and the server asks for a login (connectTcp
 * and connectWebSocket's `credentials`); closed again when the login fails.
 */
export async function loggedIn(c: KvClient, cred: Credentials | undefined): Promise<KvClient> {
  if (!cred) return c;
  try {
    await login(c, cred);
  } catch (e) {
    c.close();
    throw e;
  }
  return c;
}

/** Run `auth` with these credentials (also to test them on a server that does not ask). */
export async function authenticate(c: KvClient, cred: Credentials): Promise<void> {
  const fields: Msg = cred.method === "password"
    ? { typ: "password", iter: false, ident: cred.name, password: await sealedPassword(c, cred.password) }
    : { typ: "root", iter: false, ident: "*" };
  try {
    for await (const _ of c.stream("auth", fields)); // start, end (or an error)
  } catch (e) {
    throw new ClientError(`login to ${c.server} as ${cred.method === "password" ? cred.name : "root"} failed: ${(e as ClientError).serverError ?? (e as Error).message}`);
  }
}
