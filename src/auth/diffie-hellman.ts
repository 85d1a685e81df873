// The Diffie-Hellman exchange upstream's `diffie_hellman` action runs before a password travels
// (moat.lib.diffiehellman): RFC 3526 MODP group 14 (2048 bits, generator 2), or group 5 (1536
// bits) when the requested `length` is below 32 (upstream's debug mode asks for 16). Public keys
// travel as unsigned big-endian bytes without leading zeros; the shared key is the first 32
// bytes of the shared secret in that form. node:crypto does the arithmetic.
//
//   client → {action: "diffie_hellman", pubkey, length: 1024}
//   server → {pubkey}            both now hold the same 32-byte key

import { getDiffieHellman, type DiffieHellmanGroup } from "node:crypto";

/** The key length upstream's clients ask for (bits of private key; it only picks the group). */
export const DH_LENGTH = 1024;

function group(length: number): DiffieHellmanGroup {
  return getDiffieHellman(length < 32 ? "modp5" : "modp14");
}

/** Unsigned big-endian bytes without leading zeros (upstream's num2byte). */
function minimal(b: Buffer): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return new Uint8Array(b.subarray(i));
}

function sharedKey(dh: DiffieHellmanGroup, peer: Uint8Array, who: string): Uint8Array {
  let secret: Buffer;
  try {
    secret = dh.computeSecret(peer);
  } catch (e) {
    throw new Error(`${who}: the peer's public key (${peer.length} bytes) is not usable: ${(e as Error).message}`);
  }
  return minimal(secret).slice(0, 32);
}

/** Server side: answer a client's public key; returns our public key and the shared key. */
export function dhAnswer(peerPubkey: Uint8Array, length = DH_LENGTH): { pubkey: Uint8Array; key: Uint8Array } {
  const dh = group(length);
  dh.generateKeys();
  return { pubkey: minimal(dh.getPublicKey()), key: sharedKey(dh, peerPubkey, "diffie_hellman") };
}

/** Client side: our half of the exchange; `finish` with the server's public key gives the shared key. */
export function dhOffer(length = DH_LENGTH): { pubkey: Uint8Array; length: number; finish(serverPubkey: Uint8Array): Uint8Array } {
  const dh = group(length);
  dh.generateKeys();
  return { pubkey: minimal(dh.getPublicKey()), length, finish: (p) => sharedKey(dh, p, "diffie_hellman reply") };
}
