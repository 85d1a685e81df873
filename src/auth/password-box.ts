// How a password travels in upstream's `password` auth method (moat/kv/auth/password.py): the
// SHA-256 digest of its UTF-8 bytes, sealed with the Diffie-Hellman key in a NaCl secretbox
// (XSalsa20-Poly1305, as PyNaCl's SecretBox: a random 24-byte nonce, then the 16-byte tag and the
// ciphertext). The server keeps the bare digest as the user's `password` and compares digests.
//
// Runs wherever JavaScript does: @noble/ciphers provides the cipher, the random nonce and the
// constant-time comparison; the digest is WebCrypto's (globalThis.crypto.subtle: Node 20+, Deno,
// edge isolates, and browsers on secure pages: https, or http from 127.0.0.1/localhost).

import { xsalsa20poly1305 } from "@noble/ciphers/salsa.js";
import { equalBytes, randomBytes, utf8ToBytes } from "@noble/ciphers/utils.js";

const NONCE = 24;

/** The digest upstream stores and compares: sha256 of the password's UTF-8 bytes. */
export async function passwordDigest(password: string): Promise<Uint8Array> {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (!subtle) {
    throw new Error("logging in needs WebCrypto's SHA-256 (crypto.subtle), which browsers give only to secure pages: open the page over https, or as http://127.0.0.1 or http://localhost");
  }
  return new Uint8Array(await subtle.digest("SHA-256", utf8ToBytes(password)));
}

/** Client side: the `password` field of `auth` and `auth_set`. */
export async function sealPassword(key: Uint8Array, password: string): Promise<Uint8Array> {
  const nonce = randomBytes(NONCE);
  const box = xsalsa20poly1305(key, nonce).encrypt(await passwordDigest(password));
  const out = new Uint8Array(NONCE + box.length);
  out.set(nonce);
  out.set(box, NONCE);
  return out;
}

/** Server side: the digest inside a sealed `password`; throws when it does not open with this key. */
export function openPassword(key: Uint8Array, sealed: unknown): Uint8Array {
  if (!(sealed instanceof Uint8Array) || sealed.length < NONCE + 16) {
    throw new Error(`password: expected a sealed box of at least ${NONCE + 16} bytes, got ${sealed instanceof Uint8Array ? `${sealed.length} bytes` : typeof sealed}`);
  }
  try {
    return xsalsa20poly1305(key, sealed.subarray(0, NONCE)).decrypt(sealed.subarray(NONCE));
  } catch {
    throw new Error("password: the sealed box does not open with this connection's key (was diffie_hellman run on this connection?)");
  }
}

/** Constant-time comparison of two digests. */
export function sameDigest(a: unknown, b: Uint8Array): boolean {
  return a instanceof Uint8Array && a.length === b.length && equalBytes(a, b);
}
