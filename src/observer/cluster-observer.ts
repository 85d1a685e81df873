// The passive observer: listens to a cluster's gossip without being a node, and rebuilds what
// every server holds and lacks. Used by `ticktock watch` and the browser inspector (in a worker).
//
// It runs a passive TicktockNode (applies every update and info, sends nothing), so its own
// ledger is the cluster's union view: ticks nobody ever published show up as its `lost`
// ticks. Per server it keeps what the server last said: its tick and tock, the ticks it
// announced (`info {ticks}`), the ticks it asked for (`info {missing}`: what it lacks), and when
// it was last heard. A cluster matrix pairs every lack with the servers that could serve it.

import { RangeSet } from "../core/range-set.js";
import { tickMax, type Tick } from "../core/tick.js";
import { TicktockNode } from "../node/node.js";
import type { LogSink } from "../node/log.js";
import type { GossipTransport, Action } from "../transport/transport.js";
import { formatPath } from "../wire/path-text.js";
import { Path } from "../wire/path.js";
import type { RangeMap } from "../wire/messages.js";
import { show } from "../core/errors.js";
import { missingWithin, runsAt, type TickRun } from "./tick-runs.js";

/** One message in the live feed. */
export interface GossipEvent {
  at: number;
  action: Action;
  from: string;
  summary: string;
}

/** What one server last told the cluster. */
export interface ServerView {
  name: string;
  tick: Tick;
  tock: Tick;
  lastSeen: number;
  /** Ticks it asked for in its last `info {missing}`: what it lacks. */
  lacks: RangeMap;
  /** Its last `info {ticks}`. */
  announced: Record<string, Tick>;
  messages: number;
}

export interface NodeSummary {
  name: string;
  tick: Tick;
  counts: { present: Tick; superseded: Tick; deleted: Tick; missing: Tick; remoteMissing: Tick };
}

export interface MatrixCell {
  server: string;
  node: string;
  lacks: RangeMap[string];
  /**
   * Servers that could serve those ticks: the origin, and servers whose announced tick covers
   * them and that did not ask for them; nobody when the ticks were never seen published.
   */
  canServe: string[];
}

export interface ClusterSnapshot {
  at: number;
  nodes: NodeSummary[];
  servers: ServerView[];
  /**
   * Ticks the observer has not seen published (its own missing set): lost, or sent before it
   * listened (see seed). Each node's list is cut to its first SNAPSHOT_ITEMS items (the page
   * does not need a million); unseenCount has the full number of ticks.
   */
  unseen: RangeMap;
  unseenCount: Record<string, Tick>;
  matrix: MatrixCell[];
  feed: GossipEvent[];
}

/** Pixels of one node's timeline, one Float32Array per band (share of each pixel's ticks). */
export interface NodeRaster {
  node: string;
  lo: Tick;
  hi: Tick;
  width: number;
  present: Float32Array;
  superseded: Float32Array;
  deleted: Float32Array;
  missing: Float32Array;
  remoteMissing: Float32Array;
}

export interface ObserverOptions {
  transport: GossipTransport;
  /** Messages kept for the feed. Default 200. */
  feedSize?: number;
  /** A server unheard for this long is shown as gone, ms. Default 30,000. */
  staleAfter?: number;
  /** Where the observer's own log lines go (connection trouble, dropped garbage). Default: nowhere. */
  log?: LogSink;
}

const OBSERVER = "\u0000observer";
/** Items of a range list a snapshot carries at most, per node. */
export const SNAPSHOT_ITEMS = 50;

function describe(action: Action, msg: Record<string, unknown>): string {
  const keys = (o: unknown) => (o && typeof o === "object" ? Object.keys(o) : []);
  if (action === "update") {
    const chain = (msg.chain ?? msg) as { node?: unknown; tick?: unknown };
    const path = msg.path instanceof Path ? formatPath(msg.path) : "?";
    const resent = msg.chain !== undefined ? " (re-sent)" : "";
    return `${"value" in msg ? "set" : "delete"} ${path} as ${String(chain.node)}:${String(chain.tick)}${resent}`;
  }
  if (action === "info") {
    const parts: string[] = [];
    for (const k of ["ticks", "missing", "known", "superseded", "deleted", "node_drop"]) {
      if (msg[k] === undefined) continue;
      const v = msg[k];
      parts.push(k === "ticks" || k === "node_drop" ? `${k} ${show(v)}` : `${k} ${keys(v).map((n) => `${n} ${show((v as RangeMap)[n])}`).join(", ") || "{}"}`);
    }
    return parts.join("; ") || "info";
  }
  if (action === "ping") return `${String(msg.t)}${Array.isArray(msg.value) ? ` ${show(msg.value)}` : ""}`;
  return String(msg.t ?? action);
}

/** Whether server o said it lacks any of `want` of node's ticks. */
function lacksAny(o: ServerView, node: string, want: RangeSet): boolean {
  const l = o.lacks[node];
  if (!l) return false;
  using r = RangeSet.fromState(l);
  return !r.isDisjointFrom(want);
}

export class ClusterObserver {
  readonly node: TicktockNode;
  readonly #servers = new Map<string, ServerView>();
  readonly #feed: GossipEvent[] = [];
  readonly #feedSize: number;
  readonly #staleAfter: number;
  readonly #listeners = new Set<() => void>();

  constructor(opts: ObserverOptions) {
    this.#feedSize = opts.feedSize ?? 200;
    this.#staleAfter = opts.staleAfter ?? 30_000;
    this.node = new TicktockNode({ name: OBSERVER, transport: opts.transport, passive: true, log: opts.log ?? (() => {}) });
    this.node.on("gossip", (action, msg) => this.#heard(action, msg));
  }

  start(): Promise<void> {
    return this.node.start();
  }

  stop(): Promise<void> {
    return this.node.stop();
  }

  /**
   * Seed the view from a server's get_state ({nodes, known, present, deleted}): an observer
   * that starts late has not seen what was published before, and would take it for lost.
   */
  seed(state: Record<string, unknown>): void {
    this.node.importState(state);
    for (const fn of this.#listeners) fn();
  }

  /** Called after every message heard. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #heard(action: Action, msg: Record<string, unknown>): void {
    const from = typeof msg.node === "string" ? msg.node : Array.isArray(msg.history) && typeof msg.history[0] === "string" ? msg.history[0] : "";
    this.#feed.push({ at: Date.now(), action, from, summary: describe(action, msg) });
    if (this.#feed.length > this.#feedSize) this.#feed.splice(0, this.#feed.length - this.#feedSize);
    if (from !== "") {
      let s = this.#servers.get(from);
      if (!s) this.#servers.set(from, (s = { name: from, tick: 0, tock: 0, lastSeen: 0, lacks: {}, announced: {}, messages: 0 }));
      s.lastSeen = Date.now();
      s.messages++;
      if (typeof msg.tock === "number" || typeof msg.tock === "bigint") s.tock = tickMax(s.tock, msg.tock);
      if (action === "ping" && Array.isArray(msg.value)) s.tock = tickMax(s.tock, msg.value[0] as Tick);
      if (action === "info") {
        if (msg.missing) s.lacks = msg.missing as RangeMap;
        if (msg.ticks) s.announced = msg.ticks as Record<string, Tick>;
      }
      s.tick = this.node.ledger.get(from)?.tick ?? s.tick;
    }
    for (const fn of this.#listeners) fn();
  }

  /** The cluster as the observer sees it now: plain data, cheap to send across a worker boundary. */
  snapshot(): ClusterSnapshot {
    const ledger = this.node.ledger;
    const nodes: NodeSummary[] = [];
    const unseen: RangeMap = {};
    const unseenCount: Record<string, Tick> = {};
    for (const name of ledger.nodeNames) {
      const n = ledger.get(name)!;
      using missing = n.missing(); // one pass per node for both its count and its unseen ticks
      const count = missing.count();
      nodes.push({
        name, tick: n.tick,
        counts: { present: n.present.count(), superseded: n.superseded.count(), deleted: n.deleted.count(), missing: count, remoteMissing: n.remoteMissing.count() },
      });
      if (n.tick === 0 || missing.isEmpty) continue;
      unseenCount[name] = count;
      const items = missing.toState();
      unseen[name] = items.length > SNAPSHOT_ITEMS ? items.slice(0, SNAPSHOT_ITEMS) : items;
    }
    // servers that never changed anything (tick 0) are nodes of the cluster too
    for (const s of this.#servers.values()) {
      if (!ledger.get(s.name)) nodes.push({ name: s.name, tick: 0, counts: { present: 0, superseded: 0, deleted: 0, missing: 0, remoteMissing: 0 } });
    }
    const now = Date.now();
    const servers = [...this.#servers.values()].map((s) => ({ ...s, tick: ledger.get(s.name)?.tick ?? s.tick }));
    const alive = servers.filter((s) => now - s.lastSeen < this.#staleAfter);
    const matrix: MatrixCell[] = [];
    for (const s of servers) {
      for (const [node, lacks] of Object.entries(s.lacks)) {
        using want = RangeSet.fromState(lacks);
        if (want.isEmpty) continue;
        const top = want.last()!;
        using never = RangeSet.fromState(unseen[node] ?? []);
        // ticks never seen published can come from nobody; otherwise the origin, or a server that
        // announced them and did not ask for them itself
        const canServe = !never.isDisjointFrom(want)
          ? []
          : alive.filter((o) => o.name !== s.name && (o.name === node || ((o.announced[node] ?? 0) >= top && !lacksAny(o, node, want)))).map((o) => o.name);
        matrix.push({ server: s.name, node, lacks, canServe });
      }
    }
    return { at: now, nodes, servers, unseen, unseenCount, matrix, feed: [...this.#feed] };
  }

  /** One node's timeline over [lo, hi) (default [1, tick + 1)) in `width` pixels per band. */
  raster(node: string, width: number, lo?: Tick, hi?: Tick): NodeRaster | undefined {
    const n = this.node.ledger.get(node);
    if (!n) return undefined;
    const from = lo ?? 1;
    const to = hi ?? (typeof n.tick === "number" ? n.tick + 1 : BigInt(n.tick) + 1n);
    using missing = missingWithin(n, from, to); // a zoomed window reads only its own intervals
    return {
      node, lo: from, hi: to, width,
      present: n.present.raster(from, to, width),
      superseded: n.superseded.raster(from, to, width),
      deleted: n.deleted.raster(from, to, width),
      missing: missing.raster(from, to, width),
      remoteMissing: n.remoteMissing.raster(from, to, width),
    };
  }

  /** Every kind one tick of a node is (present, superseded, ...), each with its run around the tick. */
  runsAt(node: string, tick: Tick): TickRun[] {
    const n = this.node.ledger.get(node);
    return n ? runsAt(n, tick) : [];
  }
}
