// The tick ledger: what one server knows of every node's ticks, with upstream MoaT-KV's
// semantics (moat/kv/model.py Node, server.py user_info / get_state / fake_info).
//
// Worker-friendly by design: every input and output is a plain wire-form object (ticks as
// numbers or bigints, range sets as RangeSetState lists), and each call handles one whole
// message or query. The RangeSets stay inside; nothing that holds wasm memory leaks out.
//
// Every message is checked completely before anything is applied: a malformed one throws a
// MessageError naming the field and changes nothing.

import { MessageError } from "../core/errors.js";
import { RangeSet, type RangeSetState } from "../core/range-set.js";
import { tickMax, tickOut, type Tick } from "../core/tick.js";
import type { ChainLink, InfoMessage, RangeMap, StateFlags, StateReply, UpdateMessage } from "../wire/messages.js";
import { fieldChain, fieldNodeDrop, fieldRangeMap, fieldString, fieldTick, fieldTickMap, isMap, parseUpdate, type ParsedUpdate } from "../wire/parse.js";
import { NodeTicks } from "./node-ticks.js";

/** What applying an update did. */
export interface UpdateEffect {
  /** The update deleted its entry (no value). */
  deleted: boolean;
  /** Ticks that became superseded, per node. */
  superseded: Record<string, Tick[]>;
}

/** What applying an info message did. */
export interface InfoEffect {
  /** The message came from this server itself and was ignored (as upstream does). */
  ignored: boolean;
  /** Ticks the sender asked for (`missing`): a server holding them re-sends or announces them. */
  requested: RangeMap;
  /** Nodes this message's `node_drop` made the ledger forget. */
  dropped: string[];
}

/** What mark() did: the fake_info body (to broadcast with fake_info_send) and what changed. */
export interface MarkResult {
  /** {superseded: {...}} or {deleted: {...}}, with node "" and tick 0 as upstream sends it. */
  message: InfoMessage;
  /** Per node, the ticks that were not marked before and are now. Empty: nothing changed. */
  changed: RangeMap;
}

export interface MarkOptions {
  /** Mark as deleted (also superseded) instead of superseded. */
  deleted?: boolean;
  /** Compute `changed` and `message` but change nothing. */
  dryRun?: boolean;
}

export class TickLedger {
  /** This server's own node name. */
  readonly node: string;
  /** The Lamport-ish clock: raised to every tock seen, incremented for every reply and message sent. */
  tock: Tick = 0;
  readonly #nodes = new Map<string, NodeTicks>();
  /** Names dropped from the cluster (node_drop). */
  readonly nodeDrop = new Set<string>();

  constructor(node: string) {
    if (typeof node !== "string") throw new MessageError(`TickLedger: node ${String(node)} is not a string; expected a node name`, "node");
    this.node = node;
  }

  /** Node names, in the order first seen (upstream's order in every reply). */
  get nodeNames(): string[] {
    return [...this.#nodes.keys()];
  }

  get(name: string): NodeTicks | undefined {
    return this.#nodes.get(name);
  }

  /** The node's record, created on first sight; a dropped node seen again is no longer dropped (as upstream's node cache). */
  ensure(name: string): NodeTicks {
    let n = this.#nodes.get(name);
    if (!n) {
      n = new NodeTicks(name);
      this.#nodes.set(name, n);
      this.nodeDrop.delete(name);
    }
    return n;
  }

  /** Raise tock to at least t. */
  seeTock(t: Tick): void {
    this.tock = tickMax(this.tock, t);
  }

  /** Increment tock and return it (one per message sent or reply given). */
  nextTock(): Tick {
    this.tock = typeof this.tock === "number" && this.tock < Number.MAX_SAFE_INTEGER ? this.tock + 1 : tickOut(BigInt(this.tock) + 1n);
    return this.tock;
  }

  /**
   * Apply an update's chain (the gossip `update`, fresh or re-sent).
   *
   * `previous` is the chain the entry held before, when the caller (the node's data store)
   * accepted this update as newer; every tick of it that the new chain does not repeat becomes
   * superseded. With `accepted: false` the update was stale: its own ticks that differ from
   * `previous` become superseded instead, and nothing becomes present.
   *
   * Always: every link raises its node's tick and leaves remote_missing; tock advances; a
   * deletion (no `value`) puts its head tick in `deleted`.
   */
  applyUpdate(msg: UpdateMessage, previous: ChainLink | null = null, accepted = true): UpdateEffect {
    const api = "TickLedger.applyUpdate";
    const u = parseUpdate(api, msg);
    const old = previous === null || previous === undefined ? [] : fieldChain(api, previous, "previous");
    return this.applyParsedUpdate(u, old, accepted);
  }

  /** applyUpdate for an update already checked by parseUpdate (the node parses once, here). */
  applyParsedUpdate(u: ParsedUpdate, previous: readonly { node: string; tick: Tick }[], accepted: boolean): UpdateEffect {
    const { links } = u;
    if (u.tock !== undefined) this.seeTock(u.tock);
    if (u.sender !== undefined && u.senderTick !== undefined && u.sender !== "") this.ensure(u.sender).raise(u.senderTick);
    for (const l of links) {
      const n = this.ensure(l.node);
      n.raise(l.tick);
      n.remoteMissing.discard(l.tick);
    }
    if (u.deleted) this.ensure(links[0]!.node).deleted.add(links[0]!.tick);

    const superseded: Record<string, Tick[]> = {};
    const drop = (from: readonly { node: string; tick: Tick }[], keep: readonly { node: string; tick: Tick }[]) => {
      for (const l of from) {
        const k = keep.find((x) => x.node === l.node);
        if (k !== undefined && k.tick === l.tick) continue;
        this.ensure(l.node).supersede(l.tick);
        (superseded[l.node] ??= []).push(l.tick);
      }
    };
    if (accepted) {
      drop(previous, links);
      for (const l of links) this.ensure(l.node).markPresent(l.tick);
    } else {
      drop(links, previous);
    }
    return { deleted: u.deleted, superseded };
  }

  /**
   * Apply an info message (gossip `info`, or the body of fake_info) as upstream's user_info,
   * plus get_state's fields (nodes, remote_missing) so a state reply or file loads the same way:
   *
   *   ticks / nodes      raise each node's tick
   *   missing            into remote_missing; returned as `requested`
   *   known / superseded minus present ticks, into superseded; out of remote_missing
   *   deleted            into superseded, out of present and remote_missing; into deleted
 *                      unless present here (upstream purges those entries)
   *   remote_missing     into remote_missing
   *   present            into present, minus superseded (get_state snapshots only)
   *   node_drop          forget those nodes, last, unless `keep` vetoes one (a server keeps a
   *                      node whose change is the newest of an entry it holds, as upstream does);
   *                      names not known here are only remembered as dropped
   *
   * A message from this server itself (node == own name) is ignored, as upstream does.
   */
  applyInfo(msg: InfoMessage, keep?: (node: string) => boolean): InfoEffect {
    const api = "TickLedger.applyInfo";
    if (!isMap(msg)) throw new MessageError(`${api}: info ${String(msg)} is not a map`, "");
    const sender = msg.node === undefined ? "" : fieldString(api, msg.node, "node");
    if (sender !== "" && sender === this.node) return { ignored: true, requested: {}, dropped: [] };

    // Check everything first: a bad field rejects the whole message.
    const sets: Map<string, RangeSet>[] = [];
    const parseRanges = (v: unknown, field: string) => {
      if (v === undefined) return undefined;
      const m = fieldRangeMap(api, v, field);
      sets.push(m);
      return m;
    };
    try {
      // null, as upstream sends them: `tick` of a fresh server (no tick yet), `ticks` of nodes whose
      // tick it does not know (upstream's max_n skips them); a null tock is skipped by tock_seen
      const tock = msg.tock === undefined || msg.tock === null ? undefined : fieldTick(api, msg.tock, "tock");
      const senderTick = msg.tick === undefined || msg.tick === null ? undefined : fieldTick(api, msg.tick, "tick");
      const ticks = msg.ticks === undefined ? undefined : fieldTickMap(api, msg.ticks, "ticks", true);
      const nodes = msg.nodes === undefined ? undefined : fieldTickMap(api, msg.nodes, "nodes", true);
      const missing = parseRanges(msg.missing, "missing");
      const known = parseRanges(msg.known, "known");
      const supersededField = parseRanges(msg.superseded, "superseded");
      const deleted = parseRanges(msg.deleted, "deleted");
      const remoteMissing = parseRanges(msg.remote_missing, "remote_missing");
      const present = parseRanges(msg.present, "present");
      const drop = msg.node_drop === undefined ? undefined : fieldNodeDrop(api, msg.node_drop, "node_drop");

      if (tock !== undefined) this.seeTock(tock);
      if (sender !== "" && senderTick !== undefined && senderTick !== 0) this.ensure(sender).raise(senderTick);
      // A node dropped here comes back when it speaks (it is the sender) or when its changes arrive
      // (updates), not because another server names it: that server's announcement may have left
      // before it heard the drop, and reviving the node would make this server ask for every tick
      // of it that the drop took out of the chains. (Upstream revives it; the next node_drop in
      // that server's gossip drops it again, after the requests went out.)
      // (Only gossip: a snapshot or state record, without a sender, says what this server held.)
      const stale = (name: string) => sender !== "" && name !== sender && this.nodeDrop.has(name) && !this.#nodes.has(name);
      for (const m of [ticks, nodes]) if (m) for (const name of [...m.keys()]) if (stale(name)) m.delete(name);
      for (const m of [missing, known, supersededField, deleted, remoteMissing, present]) {
        if (m) for (const [name, r] of [...m]) if (stale(name)) (r.dispose(), m.delete(name));
      }
      for (const m of [ticks, nodes]) if (m) for (const [name, t] of m) this.ensure(name).raise(t);

      const requested: RangeMap = {};
      if (missing) {
        for (const [name, r] of missing) {
          if (r.isEmpty) continue;
          this.ensure(name).remoteMissing.unionInPlace(r);
          requested[name] = r.toState();
        }
      }
      for (const m of [known, supersededField]) {
        if (!m) continue;
        for (const [name, r] of m) {
          const n = this.ensure(name);
          r.subtractInPlace(n.present);
          n.superseded.unionInPlace(r);
          n.remoteMissing.subtractInPlace(r);
        }
      }
      if (deleted) {
        for (const [name, r] of deleted) {
          const n = this.ensure(name);
          // ticks held here are purged (upstream's report_deleted -> Entry.purge_deleted): they leave
          // present and deleted alike; the others stay deleted until the Delete actor purges them
          using purged = r.intersect(n.present);
          n.deleted.unionInPlace(r).subtractInPlace(purged);
          n.superseded.unionInPlace(r);
          n.present.subtractInPlace(r);
          n.remoteMissing.subtractInPlace(r);
        }
      }
      if (remoteMissing) {
        for (const [name, r] of remoteMissing) this.ensure(name).remoteMissing.unionInPlace(r);
      }
      if (present) {
        // only in snapshots (a get_state reply seeding an observer): held somewhere, not missing
        for (const [name, r] of present) {
          const n = this.ensure(name);
          n.present.unionInPlace(r.subtractInPlace(n.superseded));
        }
      }
      const dropped: string[] = [];
      if (drop) {
        for (const name of drop) {
          if (!this.#nodes.has(name)) this.nodeDrop.add(name); // passed on in this server's announcements
          else if (!keep?.(name)) {
            this.dropNode(name);
            dropped.push(name);
          }
        }
      }
      return { ignored: false, requested, dropped };
    } finally {
      for (const m of sets) for (const r of m.values()) r.dispose();
    }
  }

  /** Forget a node (node_drop). */
  dropNode(name: string): void {
    const n = this.#nodes.get(name);
    if (n) {
      n.dispose();
      this.#nodes.delete(name);
    }
    this.nodeDrop.add(name);
  }

  /** Missing ticks per node; nodes with nothing missing (or tick 0) are left out. */
  missing(): RangeMap {
    const out: RangeMap = {};
    for (const [name, n] of this.#nodes) {
      if (n.tick === 0) continue;
      using m = n.missing();
      if (!m.isEmpty) out[name] = m.toState();
    }
    return out;
  }

  /**
   * get_state's reply: the requested maps in upstream's key order (nodes, known, present,
   * deleted, missing, remote_missing, node_drop), then node and tock. Each map leaves out nodes
   * whose set is empty; `missing` also leaves out nodes whose tick is 0. Costs one tock.
   */
  getState(flags: StateFlags = {}): StateReply {
    const f = flags ?? {};
    const rangeMap = (pick: (n: NodeTicks) => RangeSet): RangeMap => {
      const out: RangeMap = {};
      for (const [name, n] of this.#nodes) {
        const r = pick(n);
        if (!r.isEmpty) out[name] = r.toState();
      }
      return out;
    };
    const reply: Partial<StateReply> = {};
    if (f.nodes) {
      const nodes: Record<string, Tick | null> = {};
      for (const [name, n] of this.#nodes) nodes[name] = n.tick === 0 ? null : n.tick;
      reply.nodes = nodes;
    }
    if (f.known || f.superseded) reply.known = rangeMap((n) => n.superseded);
    if (f.present) reply.present = rangeMap((n) => n.present);
    if (f.deleted) reply.deleted = rangeMap((n) => n.deleted);
    if (f.missing) reply.missing = this.missing();
    if (f.remote_missing) reply.remote_missing = rangeMap((n) => n.remoteMissing);
    if (f.node_drop) reply.node_drop = [...this.nodeDrop];
    reply.node = this.node;
    reply.tock = this.nextTock();
    return reply as StateReply;
  }

  /**
   * The operator's repair (upstream's `internal mark`, applied like fake_info): put ticks into
   * NODE's superseded set, or with `deleted` into its deleted set. `ticks` may be a list or a
   * RangeSetState, or "missing" to take NODE's current missing ticks; the empty node name with
   * "missing" marks every node's missing ticks. Present ticks are never marked.
   */
  mark(node: string, ticks: RangeSetState | "missing", options: MarkOptions = {}): MarkResult {
    const api = "TickLedger.mark";
    fieldString(api, node, "node");
    const key = options.deleted ? "deleted" : "superseded";
    let target: RangeMap;
    if (ticks === "missing") {
      const all = this.missing();
      target = node === "" ? all : all[node] ? { [node]: all[node]! } : {};
    } else {
      if (node === "") throw new MessageError(`${api}: ticks need a node name; use "missing" with the empty name to mark every node's missing ticks`, "node");
      target = { [node]: ticks };
    }
    const parsed = fieldRangeMap(api, target, "ticks");
    const changed: RangeMap = {};
    try {
      for (const [name, r] of parsed) {
        const n = this.#nodes.get(name);
        using fresh = n ? r.subtract(n.present) : r.clone();
        if (n) fresh.subtractInPlace(options.deleted ? n.deleted : n.superseded);
        if (!fresh.isEmpty) changed[name] = fresh.toState();
      }
    } finally {
      for (const r of parsed.values()) r.dispose();
    }
    const message: InfoMessage = { [key]: target, node: "", tick: 0 };
    if (!options.dryRun) this.applyInfo(message);
    return { message, changed };
  }

  /** Free every set's wasm memory. */
  dispose(): void {
    for (const n of this.#nodes.values()) n.dispose();
    this.#nodes.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
