// Seeded mutations of recorded messages, for the fuzz campaign (test/node/fuzz.test.ts and
// bench/fuzz.ts): byte-level damage (flips, cuts, splices, random runs) and structural damage
// (a decoded message with one value swapped for one of another type, re-encoded), so that both
// the msgpack reader and the checks behind it are hit.
import { decodeValue, encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";
import { captureText, mqttMessages } from "./captures.js";
export { rng } from "./prng.js";

const hexBytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

/** Recorded gossip by action (update, info, ping, del), from the upstream captures. */
export function gossipCorpus(): Map<string, Uint8Array[]> {
  const out = new Map<string, Uint8Array[]>();
  for (const m of mqttMessages()) {
    const action = m.topic.split("/").pop()!;
    if (!out.has(action)) out.set(action, []);
    out.get(action)!.push(hexBytes(m.hex));
  }
  return out;
}

/** Recorded client requests (C>S), one msgpack message each. */
export function clientCorpus(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const line of captureText("tcp_cli_test1.raw.txt").split("\n")) {
    const m = /^\S+ \d+ C>S ([0-9a-f]+)$/.exec(line);
    if (m) out.push(hexBytes(m[1]!));
  }
  return out;
}

/** Values of every type and edge, to swap in. */
const WEIRD: unknown[] = [
  null, true, -1, 0, 2 ** 53, -(2 ** 63), 2n ** 64n - 1n, 1.5, NaN, "", "x".repeat(300), new Uint8Array(3), [], [[5, 1]], [[1, 2], [0, 9]],
  {}, { a: -3 }, Path.of("a", 1, null), new Path([]), [1, [2, [3, [4]]]], Array.from({ length: 200 }, (_, i) => i),
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/** Swap one value somewhere in a decoded message for a WEIRD one (or drop a key). */
function mutateTree(v: unknown, r: () => number, depth = 0): unknown {
  if (Array.isArray(v) && v.length > 0 && r() < 0.7) {
    const copy = [...v];
    const i = Math.floor(r() * copy.length);
    copy[i] = r() < 0.5 && depth < 6 ? mutateTree(copy[i], r, depth + 1) : pick(r, WEIRD);
    return copy;
  }
  if (v !== null && typeof v === "object" && !(v instanceof Uint8Array) && !(v instanceof Path) && !Array.isArray(v)) {
    const copy = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(copy);
    if (keys.length === 0) return { [pick(r, ["node", "tick", "missing", "_p0", "seq", "action"])]: pick(r, WEIRD) };
    const k = pick(r, keys);
    const roll = r();
    if (roll < 0.15) delete copy[k];
    else if (roll < 0.6 && depth < 6) copy[k] = mutateTree(copy[k], r, depth + 1);
    else copy[k] = pick(r, WEIRD);
    return copy;
  }
  return pick(r, WEIRD);
}

/** One mutation of `bytes` (or of a splice with `other`). */
export function mutate(bytes: Uint8Array, other: Uint8Array, r: () => number): Uint8Array {
  const b = new Uint8Array(bytes);
  const at = () => Math.floor(r() * Math.max(1, b.length));
  switch (Math.floor(r() * 8)) {
    case 0: { // flip a bit
      if (b.length) b[at()]! ^= 1 << Math.floor(r() * 8);
      return b;
    }
    case 1: { // a random byte, often a msgpack type byte
      if (b.length) b[at()] = r() < 0.5 ? pick(r, [0xc1, 0xc6, 0xdb, 0xdd, 0xdf, 0xd4, 0xc7, 0x80, 0x90, 0xff]) : Math.floor(r() * 256);
      return b;
    }
    case 2: // cut short
      return b.subarray(0, at());
    case 3: { // a run of random bytes inserted
      const i = at();
      const run = Uint8Array.from({ length: 1 + Math.floor(r() * 16) }, () => Math.floor(r() * 256));
      return new Uint8Array([...b.subarray(0, i), ...run, ...b.subarray(i)]);
    }
    case 4: { // head of one message, tail of another
      return new Uint8Array([...b.subarray(0, at()), ...other.subarray(Math.floor(r() * other.length))]);
    }
    case 5: // nothing but random bytes
      return Uint8Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256));
    default: { // structural: decode, swap a value, encode
      try {
        return encodeValue(mutateTree(decodeValue(b), r));
      } catch {
        return b;
      }
    }
  }
}
