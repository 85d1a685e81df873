// msgpack as MoaT-KV writes it (@msgpack/msgpack with upstream's extension types).
//
//   ext 3  Path: the path's elements, each msgpack-encoded, concatenated (empty: c7 00 03)
//   ext 2  an unsigned integer >= 2^64: big-endian minimal magnitude
//   other  extensions (4 proxy, 5 object, 6 marked path) decode to ExtData and re-encode as they came
//
// Integers: numbers while safe; uint64/int64 on the wire decode as bigint (ticks are 63-bit),
// and bigints encode as uint64/int64, which is what upstream's msgpack writes for them. The
// recorded messages re-encode to the same bytes (test/wire/codec.test.ts).

import { Decoder, Encoder, ExtensionCodec, decodeMulti, decodeMultiStream } from "./msgpack.js";
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
    return new Path(plainElements(data) ?? ([...decodeMulti(data, { extensionCodec, useBigInt64: true })] as PathElement[]));
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

/**
 * A path's elements when they are all ASCII strings (fixstr, str 8), small non-negative integers,
 * nil or booleans, as almost every path is; else undefined (the general decoder reads it). The
 * general one builds a Decoder and a generator for every path, a tenth of a node's ingest time.
 */
function plainElements(data: Uint8Array): PathElement[] | undefined {
  const out: PathElement[] = [];
  for (let i = 0; i < data.length; ) {
    const b = data[i]!;
    if (b <= 0x7f) {
      out.push(b);
      i++;
      continue;
    }
    if (b === 0xc0 || b === 0xc2 || b === 0xc3) {
      out.push(b === 0xc0 ? null : b === 0xc3);
      i++;
      continue;
    }
    let start: number, len: number;
    if ((b & 0xe0) === 0xa0) (start = i + 1), (len = b & 0x1f);
    else if (b === 0xd9 && i + 1 < data.length) (start = i + 2), (len = data[i + 1]!);
    else return undefined;
    const end = start + len;
    if (end > data.length) return undefined;
    for (let j = start; j < end; j++) if (data[j]! > 0x7f) return undefined;
    // one flat string (adding characters one by one would leave a rope of them in every stored path)
    out.push(String.fromCharCode.apply(null, data.subarray(start, end) as unknown as number[]));
    i = end;
  }
  return out;
}

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
