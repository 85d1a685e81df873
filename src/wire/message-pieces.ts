// Gossip messages in pieces, as upstream MoaT-KV splits them (server.py _pack_multiple and
// _unpack_multiple). Pure logic: bytes in, bytes or messages out; no timers, no I/O.
//
// Sending (update and info): any `_p0`, `_p1`... keys of the message move up one (`_p0` -> `_p1`)
// and `_p0` becomes "", so a receiver can tell an escaped message from a piece. The message is
// encoded; over SPLIT_OVER (450) bytes, its bytes are cut into chunks of
// 450 - 15 - (characters of the node name) bytes, each sent as
//
//     {"_p0": [node, seq, i, chunk]}      i = 1, 2, ... n, the last one negated (-n)
//
// where seq counts the sender's split messages (1, 2, ...; it starts again at a restart).
// Receiving: a piece is held under (node, seq) until every piece from 1 to the last is there;
// then the chunks, joined, decode to the message. `_p0: ""` keys move back down.
//
// Unlike upstream's cache, which keeps incomplete messages forever, the Reassembler is bounded:
// pieces expire, the number of pending messages and their bytes are capped (the oldest go
// first), and a piece that contradicts the ones held drops those (see Reassembler.accept).

import { decodeValue, encodeValue } from "./codec.js";
import { isMap } from "./parse.js";
import { show } from "../core/errors.js";

/** Messages whose encoding is longer than this many bytes are split (upstream's SERF_MAXLEN). */
export const SPLIT_OVER = 450;
/** Room a piece needs besides its chunk and the node name (upstream's SERF_LEN_DELTA). */
export const PIECE_OVERHEAD = 15;

/** The key of a piece, and of escaped messages. */
const PIECE_KEY = "_p0";

/**
 * Bytes per chunk for a node: limit - 15 - the node name's length in characters (code points,
 * as Python's len counts them). Throws when the name leaves no room (upstream would loop forever).
 */
export function chunkLength(node: string, limit = SPLIT_OVER): number {
  const n = limit - PIECE_OVERHEAD - [...node].length;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`message pieces: node name ${show(node)} (${[...node].length} characters) leaves no room for a chunk under the ${limit}-byte limit; expected a name shorter than ${limit - PIECE_OVERHEAD} characters`);
  }
  return n;
}

/** Upstream's escape: `_p0`, `_p1`... move up one key and `_p0` becomes "" (a copy; key order as Python's dict keeps it). */
export function escapePieceKeys(msg: Record<string, unknown>): Record<string, unknown> {
  if (!(PIECE_KEY in msg)) return msg;
  const out = { ...msg };
  let j = 0;
  while (`_p${j}` in out) j++;
  for (let i = j; i > 0; i--) out[`_p${i}`] = out[`_p${i - 1}`];
  out[PIECE_KEY] = "";
  return out;
}

/** Undo escapePieceKeys on a message whose `_p0` is "" (in place). */
function unescapePieceKeys(msg: Record<string, unknown>): Record<string, unknown> {
  let i = 0;
  while (`_p${i + 1}` in msg) {
    msg[`_p${i}`] = msg[`_p${i + 1}`];
    i++;
  }
  delete msg[`_p${i}`];
  return msg;
}

/**
 * A message as upstream puts it on the wire: its `_p` keys escaped, then one payload, or the
 * pieces of sequence number `seq` when the encoding is longer than `limit` bytes.
 */
export function split(msg: Record<string, unknown>, node: string, seq: number | bigint, limit = SPLIT_OVER): Uint8Array[] {
  const bytes = encodeValue(escapePieceKeys(msg));
  if (bytes.length <= limit) return [bytes];
  const len = chunkLength(node, limit);
  const pieces: Uint8Array[] = [];
  for (let at = 0, i = 1; at < bytes.length; at += len, i++) {
    const last = at + len >= bytes.length;
    pieces.push(encodeValue({ [PIECE_KEY]: [node, seq, last ? -i : i, bytes.subarray(at, at + len)] }));
  }
  return pieces;
}

/** A node's outgoing side: split() with the node's own sequence counter (it counts split messages only). */
export class MessageSplitter {
  #seq = 0;

  constructor(readonly node: string, readonly limit = SPLIT_OVER) {
    chunkLength(node, limit); // a name too long for the limit fails here, not at the first large message
  }

  pack(msg: Record<string, unknown>): Uint8Array[] {
    const pieces = split(msg, this.node, this.#seq + 1, this.limit);
    if (pieces.length > 1) this.#seq++;
    return pieces;
  }
}

export interface ReassemblerOptions {
  /** Pieces of a message not complete this long after its first piece are dropped, ms. Default 30,000. */
  timeout?: number;
  /** Incomplete messages held at most; beyond, the oldest is dropped. Default 1000. */
  maxPending?: number;
  /** Bytes held in pieces at most (each piece counts its chunk plus 64); beyond, the oldest message is dropped. Default 16 MiB. */
  maxBytes?: number;
  /** Clock, ms. Default Date.now. */
  now?: () => number;
  /** Where lines about expired and evicted messages go. Default: nowhere. */
  log?: (line: string) => void;
}

/** What one message off the wire turned out to be. */
export type PieceResult =
  /** A whole message: never split, or the last missing piece of one. */
  | { kind: "whole"; msg: Record<string, unknown> }
  /** A piece, held until the rest arrives. */
  | { kind: "partial" }
  /** A bad piece, dropped: `why` names what is wrong; `from` is the sender when the piece names one. */
  | { kind: "dropped"; from?: string; why: string };

/** Bookkeeping cost of a piece besides its chunk, so that empty chunks cannot fill memory for free. */
const PIECE_COST = 64;

interface Pending {
  from: string;
  label: string;
  first: number;
  /** When its latest piece arrived. */
  latest: number;
  /** Piece number -> chunk. */
  chunks: Map<number, Uint8Array>;
  /** The last piece's number once seen. */
  last: number | undefined;
  /** The highest piece number held. */
  top: number;
  bytes: number;
}

/** show(), cut short: a forged piece may hold anything. */
function brief(v: unknown): string {
  const s = show(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function isInteger(v: unknown): v is number | bigint {
  return (typeof v === "number" && Number.isSafeInteger(v)) || typeof v === "bigint";
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Reassembles split gossip messages, keyed by (channel, node, seq), in bounded memory. */
export class Reassembler {
  readonly #timeout: number;
  readonly #maxPending: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  /** In order of each message's first piece: the oldest first, for expiry and eviction. */
  readonly #pending = new Map<string, Pending>();
  #bytes = 0;
  readonly stats = { completed: 0, dropped: 0, expired: 0, evicted: 0 };

  constructor(o: ReassemblerOptions = {}) {
    this.#timeout = o.timeout ?? 30_000;
    this.#maxPending = o.maxPending ?? 1000;
    this.#maxBytes = o.maxBytes ?? 16 * 1024 * 1024;
    this.#now = o.now ?? Date.now;
    this.#log = o.log ?? (() => {});
  }

  /** How long pieces of an incomplete message are held, ms. */
  get timeout(): number {
    return this.#timeout;
  }

  /** Incomplete messages held now, and the bytes they count. */
  get pending(): { messages: number; bytes: number } {
    return { messages: this.#pending.size, bytes: this.#bytes };
  }

  /**
   * Take one decoded message of a channel (the gossip action: pieces of different actions never
   * mix). A piece that contradicts the pieces held for its (node, seq) (other bytes at the same
   * number, another last number, a number beyond the last) means the sender reused the number,
   * as upstream does after a restart, or somebody forges pieces: the held pieces are dropped,
   * logged, and the new piece starts the message afresh, so a mix never decodes to wrong data.
   */
  accept(msg: Record<string, unknown>, channel = ""): PieceResult {
    if (!(PIECE_KEY in msg)) return { kind: "whole", msg };
    const p = msg[PIECE_KEY];
    if (p === "") return { kind: "whole", msg: unescapePieceKeys({ ...msg }) };
    this.expire();
    if (!Array.isArray(p) || p.length !== 4) return this.#bad(undefined, `piece ${brief(p)} is not [node, seq, index, chunk]`);
    const [from, seq, index, chunk] = p as unknown[];
    if (typeof from !== "string") return this.#bad(undefined, `piece's node ${brief(from)} is not a string`);
    if (!isInteger(seq)) return this.#bad(from, `piece's seq ${brief(seq)} is not an integer`);
    const label = `${brief(from)} #${seq}`;
    if (!isInteger(index) || index === 0 || (typeof index === "bigint" && (index > BigInt(Number.MAX_SAFE_INTEGER) || index < -BigInt(Number.MAX_SAFE_INTEGER)))) {
      return this.#bad(from, `piece index ${brief(index)} of message ${label} is not a piece number; expected ±1, ±2, ...`);
    }
    if (!(chunk instanceof Uint8Array)) return this.#bad(from, `piece ${show(index)} of message ${label} carries ${brief(chunk)}, not bytes`);
    const isLast = index < 0;
    const n = Math.abs(Number(index));
    const key = JSON.stringify([channel, from, String(seq)]);
    let m = this.#pending.get(key);
    if (m) {
      const held = m.chunks.get(n);
      const clash = held !== undefined && !sameBytes(held, chunk) ? `piece ${n} differs from the one held`
        : isLast && m.last !== undefined && m.last !== n ? `last piece ${n} disagrees with last piece ${m.last} held`
        : isLast && m.top > n ? `last piece ${n} comes before piece ${m.top} held`
        : m.last !== undefined && n > m.last ? `piece ${n} is beyond last piece ${m.last} held`
        : undefined;
      if (clash) {
        this.stats.dropped++;
        this.#log(`message pieces: ${clash} of message ${label}: dropping the ${m.chunks.size} pieces held and starting afresh`);
        this.#remove(key, m);
        m = undefined;
      } else if (held !== undefined && !(isLast && m.last === undefined)) {
        return { kind: "partial" }; // a duplicate
      }
    }
    if (!m) {
      m = { from, label, first: this.#now(), latest: 0, chunks: new Map(), last: undefined, top: 0, bytes: 0 };
      this.#pending.set(key, m);
    }
    m.latest = this.#now();
    if (!m.chunks.has(n)) {
      m.chunks.set(n, chunk);
      m.top = Math.max(m.top, n);
      const cost = chunk.length + PIECE_COST;
      m.bytes += cost;
      this.#bytes += cost;
    }
    if (isLast) m.last = n;
    if (m.last !== undefined && m.chunks.size === m.last) {
      this.#remove(key, m);
      return this.#complete(m);
    }
    this.#bound(key);
    return { kind: "partial" };
  }

  /**
   * Whether a long message is still arriving: one held with at least `minPieces` pieces whose
   * latest piece came at `since` or later. (A message missing a lost piece stops getting pieces;
   * a short one completes at once.)
   */
  arriving(since: number, minPieces: number): boolean {
    for (const m of this.#pending.values()) if (m.latest >= since && m.chunks.size >= minPieces) return true;
    return false;
  }

  /** Drop messages whose first piece is older than the timeout (accept() calls this too). */
  expire(): void {
    const before = this.#now() - this.#timeout;
    for (const [key, m] of this.#pending) {
      if (m.first > before) break;
      this.stats.expired++;
      this.#log(`message pieces: message ${m.label} expired incomplete after ${this.#timeout} ms with ${this.#describe(m)}`);
      this.#remove(key, m);
    }
  }

  /** Forget everything held. */
  clear(): void {
    this.#pending.clear();
    this.#bytes = 0;
  }

  #bound(keep: string): void {
    for (const [key, m] of this.#pending) {
      if (this.#pending.size <= this.#maxPending && this.#bytes <= this.#maxBytes) return;
      if (key === keep && this.#pending.size === 1) {
        // a single message larger than the byte cap: it can never complete
        this.stats.evicted++;
        this.#log(`message pieces: message ${m.label} is larger than ${this.#maxBytes} bytes; dropped`);
        this.#remove(key, m);
        return;
      }
      if (key === keep) continue;
      this.stats.evicted++;
      this.#log(`message pieces: dropped incomplete message ${m.label} (${this.#describe(m)}) to stay within ${this.#maxPending} messages and ${this.#maxBytes} bytes of pieces`);
      this.#remove(key, m);
    }
  }

  #describe(m: Pending): string {
    return `${m.chunks.size} of ${m.last ?? "?"} pieces`;
  }

  #remove(key: string, m: Pending): void {
    this.#pending.delete(key);
    this.#bytes -= m.bytes;
  }

  #complete(m: Pending): PieceResult {
    const total = [...m.chunks.values()].reduce((s, c) => s + c.length, 0);
    const bytes = new Uint8Array(total);
    for (let i = 1, at = 0; i <= m.chunks.size; i++) {
      const c = m.chunks.get(i)!;
      bytes.set(c, at);
      at += c.length;
    }
    let msg: unknown;
    try {
      msg = decodeValue(bytes);
    } catch (e) {
      return this.#bad(m.from, `the ${m.chunks.size} pieces of message ${m.label} do not decode (${(e as Error).message})`);
    }
    if (!isMap(msg)) return this.#bad(m.from, `the ${m.chunks.size} pieces of message ${m.label} decode to ${brief(msg)}, not a map`);
    this.stats.completed++;
    // upstream marks a reassembled message as escaped, then moves the `_p` keys back down
    msg[PIECE_KEY] = "";
    return { kind: "whole", msg: unescapePieceKeys(msg) };
  }

  #bad(from: string | undefined, why: string): PieceResult {
    this.stats.dropped++;
    return from === undefined ? { kind: "dropped", why } : { kind: "dropped", from, why };
  }
}
