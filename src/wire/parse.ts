// Checking wire values before anything is applied. Each function names the offending field
// (e.g. "missing.ghost", "chain.prev.tick") and value, and throws MessageError; nothing here
// changes state, so a bad message is rejected whole.

import { MessageError, RangeStateError, TickError, show } from "../core/errors.js";
import { RangeSet } from "../core/range-set.js";
import { checkTick, type Tick } from "../core/tick.js";

/** Upstream chains are bounded (5 by default); far longer ones are garbage, not data. */
export const MAX_CHAIN_LENGTH = 1000;

/** Ticks are 63-bit on MoaT-KV's wire. */
export const WIRE_MAX_TICK = (1n << 63n) - 1n;

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

export function fieldTick(api: string, v: unknown, field: string): Tick {
  try {
    return checkTick(v, api, field, WIRE_MAX_TICK);
  } catch (e) {
    if (e instanceof TickError) throw new MessageError(e.message, field);
    throw e;
  }
}

export function fieldString(api: string, v: unknown, field: string): string {
  if (typeof v !== "string") throw new MessageError(`${api}: ${field} ${show(v)} is not a string; expected a node name`, field);
  return v;
}

/** {node: RangeSetState} -> Map of RangeSets (the caller disposes them). */
export function fieldRangeMap(api: string, v: unknown, field: string): Map<string, RangeSet> {
  if (!isMap(v)) throw new MessageError(`${api}: ${field} ${show(v)} is not a map; expected {node: ranges}`, field);
  const out = new Map<string, RangeSet>();
  try {
    for (const [name, state] of Object.entries(v)) {
      try {
        const r = RangeSet.fromState(state);
        out.set(name, r);
        const last = r.last();
        if (last !== undefined && BigInt(last) > WIRE_MAX_TICK) {
          throw new MessageError(`${api}: ${field}.${name} reaches tick ${last}, beyond the 63-bit tick range of the wire`, `${field}.${name}`);
        }
      } catch (e) {
        if (e instanceof RangeStateError) {
          const why = e.message.replace(/^RangeSet\.fromState: /, "");
          throw new MessageError(`${api}: ${field}.${name}: ${why}`, `${field}.${name}`);
        }
        throw e;
      }
    }
  } catch (e) {
    for (const s of out.values()) s.dispose();
    throw e;
  }
  return out;
}

/** {node: tick}; with `nullable`, null (unknown, as get_state's `nodes` has it) reads as 0. */
export function fieldTickMap(api: string, v: unknown, field: string, nullable = false): Map<string, Tick> {
  if (!isMap(v)) throw new MessageError(`${api}: ${field} ${show(v)} is not a map; expected {node: tick}`, field);
  const out = new Map<string, Tick>();
  for (const [name, t] of Object.entries(v)) {
    if (t === null && nullable) {
      out.set(name, 0);
      continue;
    }
    out.set(name, fieldTick(api, t, `${field}.${name}`));
  }
  return out;
}

/**
 * The node names of a `node_drop` list. Upstream 0.70.22 sends `[name, null]` pairs once it has
 * dropped a node itself (its node cache records `pop`'s argument tuple instead of the name); those
 * read as the name, so its info messages are not refused for them.
 */
export function fieldNodeDrop(api: string, v: unknown, field: string): string[] {
  if (!Array.isArray(v)) throw new MessageError(`${api}: ${field} ${show(v)} is not a list; expected node names`, field);
  return v.map((n, i) => {
    if (Array.isArray(n) && n.length === 2 && n[1] === null) return fieldString(api, n[0], `${field}.${i}.0`);
    return fieldString(api, n, `${field}.${i}`);
  });
}

/**
 * A change chain, newest link first. Ticks must be >= 1 and a node may appear only once.
 * Returns the links as a flat list.
 */
export function fieldChain(api: string, v: unknown, field: string): { node: string; tick: Tick }[] {
  const links: { node: string; tick: Tick }[] = [];
  const seen = new Set<string>();
  let cur: unknown = v;
  let where = field;
  while (cur !== null && cur !== undefined) {
    if (!isMap(cur)) throw new MessageError(`${api}: ${where} ${show(cur)} is not a chain link; expected {node, tick, prev}`, where);
    const node = fieldString(api, cur.node, `${where}.node`);
    const tick = fieldTick(api, cur.tick, `${where}.tick`);
    if (tick === 0) throw new MessageError(`${api}: ${where}.tick 0 is not a change; ticks start at 1`, `${where}.tick`);
    if (seen.has(node)) throw new MessageError(`${api}: ${where}.node ${show(node)} appears twice in the chain; expected each node once`, `${where}.node`);
    if (links.length >= MAX_CHAIN_LENGTH) throw new MessageError(`${api}: ${field} is longer than ${MAX_CHAIN_LENGTH} links`, field);
    seen.add(node);
    links.push({ node, tick });
    cur = cur.prev;
    where = `${where}.prev`;
  }
  return links.slice(); // exactly its length: push left room for 17 links, and nodes keep chains
}


/** An update message, checked: its chain as flat links, and the fields around it. */
export interface ParsedUpdate {
  links: { node: string; tick: Tick }[];
  /** The chain ends with prev: null (false: it was cut short). */
  ended: boolean;
  /** No `value`: a deletion. */
  deleted: boolean;
  tock: Tick | undefined;
  /** A re-sent update names its sender and the sender's tick. */
  sender: string | undefined;
  senderTick: Tick | undefined;
}

/**
 * Check an `update` (fresh: node, tick, prev inline; re-sent: `chain` plus the sender's node and
 * tick) and flatten its chain. Throws MessageError naming the field.
 */
export function parseUpdate(api: string, msg: unknown): ParsedUpdate {
  if (!isMap(msg)) throw new MessageError(`${api}: update ${show(msg)} is not a map`, "");
  const resent = msg.chain !== undefined;
  const wire = resent ? msg.chain : "prev" in msg ? { node: msg.node, tick: msg.tick, prev: msg.prev } : { node: msg.node, tick: msg.tick };
  const links = fieldChain(api, wire, resent ? "chain" : "update");
  if (links.length === 0) throw new MessageError(`${api}: update has no chain; expected node and tick`, "chain");
  let ended = true;
  for (let cur = wire as { prev?: unknown } | null; cur && typeof cur === "object"; cur = cur.prev as { prev?: unknown }) {
    if (!("prev" in cur)) ended = false;
  }
  const sender = resent && msg.node !== undefined ? fieldString(api, msg.node, "node") : undefined;
  return {
    links, ended, deleted: !("value" in msg),
    // null: upstream's tock_seen skips it; a re-sent update carries null as the tick of a sender that never changed anything
    tock: msg.tock === undefined || msg.tock === null ? undefined : fieldTick(api, msg.tock, "tock"),
    sender,
    senderTick: sender !== undefined && msg.tick !== undefined && msg.tick !== null ? fieldTick(api, msg.tick, "tick") : undefined,
  };
}
