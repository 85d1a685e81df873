// The server's half of upstream's Diffie-Hellman exchange (diffie-hellman.ts has the client's and
// the format): node:crypto does the arithmetic, since any client may ask before logging in and
// OpenSSL's is some twenty times cheaper than BigInt's (0.5 ms against 12). Servers run on Node
// only. node:crypto loads with the first exchange, not with every server.

import { createRequire } from "node:module";
import { DH_LENGTH } from "./diffie-hellman.js";

/** Unsigned big-endian bytes without leading zeros (upstream's num2byte). */
function minimal(b: Buffer): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return new Uint8Array(b.subarray(i));
}

/** Server side: answer a client's public key; returns our public key and the shared key. */
export function dhAnswer(peerPubkey: Uint8Array, length = DH_LENGTH): { pubkey: Uint8Array; key: Uint8Array } {
  const { getDiffieHellman } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  const dh = getDiffieHellman(length < 32 ? "modp5" : "modp14");
  dh.generateKeys();
  let secret: Buffer;
  try {
    secret = dh.computeSecret(peerPubkey);
  } catch (e) {
    throw new Error(`diffie_hellman: the peer's public key (${peerPubkey.length} bytes) is not usable: ${(e as Error).message}`);
  }
  return { pubkey: minimal(dh.getPublicKey()), key: minimal(secret).slice(0, 32) };
}
