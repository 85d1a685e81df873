// Cutting a byte stream into whole msgpack messages (the client protocol on TCP has no other
// framing), with a size limit checked from the headers before the bytes they announce arrive.
//
// The framer reads only headers: a str, bin or ext announces its length, a map or array its
// item count, so a message's size is known to be too large as soon as its header is read (a
// `bin 32` that announces 2 GB is refused after 5 bytes), and each byte is looked at once: the
// work is linear in the bytes received however they are chunked. Whole messages are then decoded
// by @msgpack/msgpack once each.

import { MessageError } from "../core/errors.js";
import { decodeValue } from "./codec.js";

/** The default limit on one message of any input (client TCP, WebSocket, gossip): 16 MiB. */
export const DEFAULT_MAX_MESSAGE = 16 * 1024 * 1024;
/** How deeply maps and arrays may nest in one message. */
export const MAX_DEPTH = 512;

/** A message over the size limit; the stream cannot be resynchronised after it. */
export class MessageTooLargeError extends MessageError {
  constructor(readonly atLeast: number, readonly limit: number) {
    super(`a message of at least ${atLeast} bytes is over the limit of ${limit} bytes`, "");
    this.name = "MessageTooLargeError";
  }
}

// For each first byte: bytes of header after it (length fields, ext type) or of a fixed-size
// body, and what follows. Kinds: 0 scalar (body of `size` bytes), 1 payload (length field of
// `size` bytes, then the payload; `extra` more header bytes for an ext's type), 2 array, 3 map
// (count field of `size` bytes; 0 for the fix forms, whose count is in the byte), -1 never used.
const KIND = new Int8Array(256);
const SIZE = new Uint8Array(256);
const EXTRA = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) KIND[b] = 0;
  else if (b <= 0x8f) KIND[b] = 3;
  else if (b <= 0x9f) KIND[b] = 2;
  else if (b <= 0xbf) KIND[b] = 1; // fixstr: its length is in the byte
  else if (b === 0xc1) KIND[b] = -1;
}
const set = (b: number, kind: number, size: number, extra = 0) => {
  KIND[b] = kind;
  SIZE[b] = size;
  EXTRA[b] = extra;
};
set(0xc4, 1, 1); set(0xc5, 1, 2); set(0xc6, 1, 4); // bin 8/16/32
set(0xc7, 1, 1, 1); set(0xc8, 1, 2, 1); set(0xc9, 1, 4, 1); // ext 8/16/32
set(0xca, 0, 4); set(0xcb, 0, 8); // float 32/64
set(0xcc, 0, 1); set(0xcd, 0, 2); set(0xce, 0, 4); set(0xcf, 0, 8); // uint
set(0xd0, 0, 1); set(0xd1, 0, 2); set(0xd2, 0, 4); set(0xd3, 0, 8); // int
set(0xd4, 0, 2); set(0xd5, 0, 3); set(0xd6, 0, 5); set(0xd7, 0, 9); set(0xd8, 0, 17); // fixext: type + data
set(0xd9, 1, 1); set(0xda, 1, 2); set(0xdb, 1, 4); // str 8/16/32
set(0xdc, 2, 2); set(0xdd, 2, 4); // array 16/32
set(0xde, 3, 2); set(0xdf, 3, 4); // map 16/32

/** Splits a byte stream into whole msgpack messages, refusing one over `maxMessage` bytes from its header. */
export class MessageFramer {
  #buf = new Uint8Array(4096);
  /** Start of the message being read, end of the bytes held, how far the headers are read. */
  #start = 0;
  #end = 0;
  #scan = 0;
  /** Payload bytes still to pass over before the next header. */
  #skip = 0;
  /** Items still to read in each open map or array, innermost last. */
  readonly #open: number[] = [];
  /** The fewest bytes the message needs: what is read plus one byte per announced item. */
  #atLeast = 0;

  constructor(readonly maxMessage: number = DEFAULT_MAX_MESSAGE) {
    if (!(maxMessage >= 1)) throw new RangeError(`MessageFramer: maxMessage ${maxMessage} must be >= 1`);
  }

  /** Bytes held of a message not yet complete. */
  get pending(): number {
    return this.#end - this.#start;
  }

  /**
   * Add bytes; returns the messages they complete, each its own copy of the bytes. Throws
   * MessageTooLargeError for a message over the limit and MessageError for bytes that no
   * msgpack message starts with; the framer is unusable after either.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    this.#append(chunk);
    const out: Uint8Array[] = [];
    for (;;) {
      if (!this.#advance()) break;
      out.push(this.#buf.slice(this.#start, this.#scan));
      this.#start = this.#scan;
      this.#atLeast = 0;
    }
    // a large message has passed: do not hold its buffer for ever
    if (this.#start === this.#end && this.#buf.length > 1 << 20) {
      this.#buf = new Uint8Array(4096);
      this.#start = this.#end = this.#scan = 0;
    }
    return out;
  }

  #append(chunk: Uint8Array): void {
    const held = this.#end - this.#start;
    if (this.#end + chunk.length > this.#buf.length) {
      // compact, and grow (doubling, so that copying stays linear) when still too small
      let size = this.#buf.length;
      while (held + chunk.length > size) size *= 2;
      if (size === this.#buf.length) this.#buf.copyWithin(0, this.#start, this.#end);
      else {
        const next = new Uint8Array(size);
        next.set(this.#buf.subarray(this.#start, this.#end), 0);
        this.#buf = next;
      }
      this.#scan -= this.#start;
      this.#end = held;
      this.#start = 0;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** Read headers as far as the bytes go; true when a whole message ends at #scan. */
  #advance(): boolean {
    const buf = this.#buf;
    for (;;) {
      if (this.#skip > 0) {
        const take = Math.min(this.#skip, this.#end - this.#scan);
        this.#scan += take;
        this.#skip -= take;
        if (this.#skip > 0) return false;
        if (this.#itemDone()) return true;
        continue;
      }
      if (this.#scan >= this.#end) return false;
      const b = buf[this.#scan]!;
      const kind = KIND[b]!;
      if (kind < 0) throw new MessageError(`byte 0x${b.toString(16)} at offset ${this.#scan - this.#start} of a message starts no msgpack value`, "");
      const size = SIZE[b]!;
      if (kind === 0) {
        this.#need(1 + size);
        this.#scan += 1;
        this.#skip = size;
        if (size === 0 && this.#itemDone()) return true;
        continue;
      }
      const head = 1 + size + EXTRA[b]!;
      if (this.#end - this.#scan < head) return false; // the rest of the header is still on its way
      const n = size === 0 ? (kind === 1 ? b & 0x1f : b & 0x0f) : this.#readLength(this.#scan + 1, size);
      this.#scan += head;
      if (kind === 1) {
        this.#need(head + n);
        this.#skip = n;
        if (n === 0 && this.#itemDone()) return true;
        continue;
      }
      const items = kind === 3 ? 2 * n : n;
      this.#need(head + items);
      if (items === 0) {
        if (this.#itemDone()) return true;
        continue;
      }
      if (this.#open.length >= MAX_DEPTH) throw new MessageError(`a message nests maps and arrays deeper than ${MAX_DEPTH}`, "");
      this.#open.push(items);
    }
  }

  #readLength(at: number, size: number): number {
    const buf = this.#buf;
    if (size === 1) return buf[at]!;
    if (size === 2) return (buf[at]! << 8) | buf[at + 1]!;
    return buf[at]! * 0x1000000 + ((buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!);
  }

  /** Count `bytes` more the message certainly needs (the item's own minimum is already counted). */
  #need(bytes: number): void {
    // each announced item was counted as one byte: this one's first byte is part of `bytes`
    this.#atLeast += bytes - (this.#open.length > 0 ? 1 : 0);
    if (this.#atLeast > this.maxMessage) throw new MessageTooLargeError(this.#atLeast, this.maxMessage);
  }

  /** An item ended: close the containers it completes; true when the whole message is done. */
  #itemDone(): boolean {
    const open = this.#open;
    while (open.length > 0) {
      const left = --open[open.length - 1]!;
      if (left > 0) return false;
      open.pop();
    }
    return true;
  }
}

/** The messages of a byte stream, decoded one by one, each refused over `maxMessage` from its header. */
export async function* framedMessages(chunks: AsyncIterable<Uint8Array>, maxMessage = DEFAULT_MAX_MESSAGE): AsyncGenerator<unknown, void, unknown> {
  const framer = new MessageFramer(maxMessage);
  for await (const chunk of chunks) for (const bytes of framer.push(chunk)) yield decodeValue(bytes);
}
