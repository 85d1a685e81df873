// The Diffie-Hellman exchange upstream's `diffie_hellman` action runs before a password travels
// (moat.lib.diffiehellman), the client's half, in plain JavaScript so that every runtime can log
// in: Node, Deno, browsers and their workers, edge isolates. RFC 3526 MODP group 14 (2048 bits,
// generator 2), or group 5 (1536 bits) when the requested `length` is below 32 (upstream's debug
// mode asks for 16). Public keys travel as unsigned big-endian bytes without leading zeros; the
// shared key is the first 32 bytes of the shared secret in that form.
//
//   client → {action: "diffie_hellman", pubkey, length: 1024}
//   server → {pubkey}            both now hold the same 32-byte key
//
// No library fits: WebCrypto has no MODP Diffie-Hellman, @noble/curves only elliptic curves, and
// crypto-browserify's `diffie-hellman` (last released 2018) brings bn.js and Buffer shims and is
// slower than the engines' own BigInt. So the one operation needed, g^x mod p, is done with native
// BigInt below: a login's two exponentiations with upstream's 1088-bit private keys take about
// 12 ms in Node (node:crypto: 0.5 ms), little beside a connection, so Node's clients use this one
// code path too. The random bytes and byte conversions come from @noble/ciphers' utilities. The
// server's half (Node only) stays on node:crypto: diffie-hellman-answer.ts.

import { bytesToNumberBE, numberToBytesBE, randomBytes } from "@noble/ciphers/utils.js";
import { modpGroup, type ModpGroup } from "./modp-groups.js";

/** The key length upstream's clients ask for (bits of private key; it only picks the group). */
export const DH_LENGTH = 1024;

/** Unsigned big-endian bytes without leading zeros (upstream's num2byte). */
export function minimalBytes(n: bigint): Uint8Array {
  return numberToBytesBE(n, Math.max(1, (n.toString(16).length + 1) >> 1));
}

/** The shared key from a shared secret: its first 32 bytes in upstream's num2byte form. */
export function keyOfSecret(secret: bigint): Uint8Array {
  return minimalBytes(secret).slice(0, 32);
}

/**
 * base^exp mod p, walking a fixed number of exponent bits from the top. Every step squares and
 * multiplies and then picks one of the two results, so the sequence of operations does not
 * depend on the private exponent's bits (BigInt arithmetic itself makes no timing promises; the
 * key is ephemeral, one per connection).
 */
function modPow(base: bigint, exp: bigint, bits: number, p: bigint): bigint {
  let r = 1n;
  for (let i = bits - 1; i >= 0; i--) {
    r = (r * r) % p;
    const withBase = (r * base) % p;
    r = (exp >> BigInt(i)) & 1n ? withBase : r;
  }
  return r;
}

/** Upstream's check of the peer's public key (moat.lib.diffiehellman): 2 < key < p - 1. */
function peerKey(group: ModpGroup, bytes: Uint8Array, who: string): bigint {
  const y = bytesToNumberBE(bytes);
  if (!(y > 2n && y < group.prime - 1n)) {
    throw new Error(`${who}: the peer's public key (${bytes.length} bytes) is not usable: outside 3 … p-2 of MODP group ${group.id}`);
  }
  return y;
}

/**
 * Client side: our half of the exchange; `finish` with the server's public key gives the shared key.
 * The private key has upstream's size, `max(200, length) / 8 + 8` random bytes (1088 bits for 1024).
 */
export function dhOffer(length = DH_LENGTH): { pubkey: Uint8Array; length: number; finish(serverPubkey: Uint8Array): Uint8Array } {
  const group = modpGroup(length);
  const bits = (Math.floor(Math.max(200, length) / 8) + 8) * 8;
  const x = bytesToNumberBE(randomBytes(bits / 8));
  const pubkey = minimalBytes(modPow(group.generator, x, bits, group.prime));
  return {
    pubkey,
    length,
    finish: (serverPubkey) => keyOfSecret(modPow(peerKey(group, serverPubkey, "diffie_hellman reply"), x, bits, group.prime)),
  };
}
