// msgpack as MoaT-KV writes it (@msgpack/msgpack with upstream's extension types).
//
//   ext 3  Path: the path's elements, each msgpack-encoded, concatenated (empty: c7 00 03)
//   ext 2  an unsigned integer >= 2^64: big-endian minimal magnitude
//   other  extensions (4 proxy, 5 object, 6 marked path) decode to ExtData and re-encode as they came
//
// Integers: numbers while safe; uint64/int64 on the wire decode as bigint (ticks are 63-bit),
// and bigints encode as uint64/int64, which is what upstream's msgpack writes for them. The
// recorded messages re-encode to the same bytes (test/wire/codec.test.ts).

import { Decoder, Encoder, ExtensionCodec, decodeMulti, decodeMultiStream } from "@msgpack/msgpack";
import { Path, type PathElement } from "./path.js";

export const EXT_BIGINT = 2;
export const EXT_PATH = 3;

/** A wrapper that makes the encoder write a big integer as ext 2. */
class BigExt {
  constructor(readonly value: bigint) {}
}

export const extensionCodec = new ExtensionCodec();

const elementEncoder = (): Encoder => new Encoder({ extensionCodec, useBigInt64: true, ignoreUndefined: true });

extensionCodec.register({
  type: EXT_PATH,
  encode(value: unknown): Uint8Array | null {
    if (!(value instanceof Path)) return null;
    const parts = value.elements.map((e) => encodeValue(e));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  },
  decode(data: Uint8Array): Path {
    return new Path([...decodeMulti(data, { extensionCodec, useBigInt64: true })] as PathElement[]);
  },
});

extensionCodec.register({
  type: EXT_BIGINT,
  encode(value: unknown): Uint8Array | null {
    if (!(value instanceof BigExt)) return null;
    let v = value.value;
    const bytes: number[] = [];
    while (v > 0n) {
      bytes.unshift(Number(v & 0xffn));
      v >>= 8n;
    }
    return Uint8Array.from(bytes);
  },
  decode(data: Uint8Array): bigint {
    let v = 0n;
    for (const b of data) v = (v << 8n) | BigInt(b);
    return v;
  },
});

const encoder = elementEncoder();
const decoder = new Decoder({ extensionCodec, useBigInt64: true });

const U64_LIMIT = 1n << 64n;
const I64_MIN = -(1n << 63n);

/** Whether a value holds an integer beyond 64 bits (the encoder would silently truncate it). */
function hasHuge(v: unknown): boolean {
  if (typeof v === "bigint") return v >= U64_LIMIT || v < I64_MIN;
  if (v === null || typeof v !== "object" || ArrayBuffer.isView(v)) return false;
  if (Array.isArray(v)) return v.some(hasHuge);
  if (v instanceof Path) return v.elements.some(hasHuge);
  for (const k in v) if (hasHuge((v as Record<string, unknown>)[k])) return true;
  return false;
}

/** Wrap integers beyond 64 bits so they go out as ext 2. */
function wrapBig(v: unknown): unknown {
  if (typeof v === "bigint") {
    if (v >= U64_LIMIT) return new BigExt(v);
    if (v < I64_MIN) throw new RangeError(`msgpack: integer ${v} is below -2^63; MoaT-KV has no encoding for it`);
    return v;
  }
  if (Array.isArray(v)) return v.map(wrapBig);
  if (v instanceof Path) return new Path(v.elements.map((e) => wrapBig(e) as PathElement));
  if (v !== null && typeof v === "object" && !ArrayBuffer.isView(v) && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = wrapBig(x);
    return out;
  }
  return v;
}

/** Encode one value (a fresh copy of the bytes). */
export function encodeValue(value: unknown): Uint8Array {
  return encoder.encode(hasHuge(value) ? wrapBig(value) : value);
}

/** Decode exactly one value; throws (DecodeError, RangeError) on malformed or trailing bytes. */
export function decodeValue(bytes: Uint8Array): unknown {
  return decoder.decode(bytes);
}

/** Decode a stream of concatenated values (a state file, a TCP stream's buffered bytes). */
export function* decodeStream(bytes: Uint8Array): Generator<unknown> {
  yield* decodeMulti(bytes, { extensionCodec, useBigInt64: true });
}

/** Decode values as they arrive on a byte stream (a TCP socket, a WebSocket's messages). */
export function decodeAsyncStream(stream: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncGenerator<unknown, void, unknown> {
  return decodeMultiStream(stream, { extensionCodec, useBigInt64: true });
}
