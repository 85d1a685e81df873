// MoaT-KV's messages as ticktock reads and writes them: the gossip (update, info) and the
// client protocol's get_state. One place for their shapes; see ../shared/moat-kv/PROTOCOL.md.
//
// Field names are upstream's, so these objects go onto the wire (msgpack) unchanged and cross
// a worker boundary (structured clone) unchanged.

import type { Tick } from "../core/tick.js";
import type { RangeSetState } from "../core/range-set.js";

/** One link of an entry's change chain: newest first; `prev: null` ends it, absent means truncated. */
export interface ChainLink {
  node: string;
  tick: Tick;
  prev?: ChainLink | null;
}

/** Ranges per node name, e.g. {ghost: [2]}. */
export type RangeMap = Record<string, RangeSetState>;

/**
 * `update` gossip. A fresh change carries its chain inline (node, tick, prev); one re-sent to
 * fill a gap carries `chain` and the sender's own node and tick. No `value`: a deletion.
 */
export interface UpdateMessage {
  node: string;
  tick: Tick;
  prev?: ChainLink | null;
  chain?: ChainLink;
  path?: unknown;
  value?: unknown;
  tock?: Tick;
}

/** `info` gossip (and the body of fake_info): the sender's node, tick and tock plus any of the rest. */
export interface InfoMessage {
  node?: string;
  /** null: a fresh upstream server's, which has no tick yet. */
  tick?: Tick | null;
  tock?: Tick;
  /** Raise each node's tick to at least this (null: unknown, as upstream sends it). */
  ticks?: Record<string, Tick | null>;
  /** get_state's spelling of `ticks` (as in a state file or a join). */
  nodes?: Record<string, Tick | null>;
  /** The sender lacks these ticks. */
  missing?: RangeMap;
  /** These ticks were replaced: the seed's and upstream's wire name. */
  known?: RangeMap;
  /** Newer spelling of `known`. */
  superseded?: RangeMap;
  deleted?: RangeMap;
  remote_missing?: RangeMap;
  /** Only in get_state snapshots: ticks held. */
  present?: RangeMap;
  node_drop?: string[];
}

/** get_state's boolean flags; `known` and `superseded` are the same flag. */
export interface StateFlags {
  nodes?: boolean;
  known?: boolean;
  superseded?: boolean;
  present?: boolean;
  deleted?: boolean;
  missing?: boolean;
  remote_missing?: boolean;
  node_drop?: boolean;
}

/** get_state's reply, keys in upstream's order (superseded answers as `known`). */
export interface StateReply {
  nodes?: Record<string, Tick | null>;
  known?: RangeMap;
  present?: RangeMap;
  deleted?: RangeMap;
  missing?: RangeMap;
  remote_missing?: RangeMap;
  node_drop?: string[];
  node: string;
  tock: Tick;
}
