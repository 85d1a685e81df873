// Upstream's actor (asyncactor's Actor) as an event-driven state machine: one ping per cycle in
// the whole cluster, a history of the latest pingers, and a turn ("tag") for the node whose
// ping nobody superseded. The rules and timings follow asyncactor 0.70.22's so that ticktock
// nodes and upstream servers take turns with each other:
//
//   start     send init and vers; after cycle + (1.5 .. 1.75) * gap send the first ping.
//   ping      value [tock, tick] (null while not ready) and the history, own name first.
//   tagged    after our ping: 1 -> 2 at once; 2 -> 3 after gap ("tag": we are it, for
//             cycle - gap/2); 3 -> 0 ("untag"), and ping again 1.5 * gap later unless someone
//             else pinged. Any valid ping of another node ends our turn.
//   untagged  ping at `next ping time`: cycle + gap * f after the last ping seen, f from our
//             place in the history (the last in the history pings first: 0.5, 0.75, ...; nodes
//             not in it rarely try early, else 1.5 .. 2).
//   collide   two pings on the same predecessor: the one with the higher value (then the lower
//             name) wins. Pings on different predecessors: two histories met after a split; a
//             ready node emits "recover" with its place in its side's history, and the first
//             node of its side sends a `hist` message (the side's last ping) for the other side.
//   config    a higher `version` in a `vers` replaces the config; a lower one gets ours back.
//   listen    (asyncactor's disabled actor, enabled: false or disable()) never pings and keeps no
//             history: every message counts as a ping for the "ping" event, one per 2 * gap.
//             enable() joins the pinging; enable(n) first raises the config's `nodes` to n
//             (a new version). upstream's Delete actor uses this.
//
// Times are seconds in the config (as on the wire) and milliseconds on the clock. Nothing here
// throws at a bad message: parse errors are the caller's, and the actor only logs.

import type { Tick } from "../../core/tick.js";
import { NodeList } from "./node-list.js";
import {
  PING_DEFAULTS, historyMessage, initMessage, parseActorMessage, pingMessage, senderOf, setupMessage, verifyConfig,
  type ActorConfig, type ActorMessage, type ActorValue, type SetupMessage,
} from "./messages.js";

/** What the actor tells its node. */
export type ActorEvent =
  /** We are "it" until untag: upstream's server asks for missing data now. */
  | { type: "tag"; node: string; value: ActorValue }
  | { type: "untag" }
  /** A better ping arrived while we were it. */
  | { type: "detag"; node: string }
  /** The cluster's ping settled (no other ping within 2 * gap): `node` is it; `history` that of its message ([] for init, vers). */
  | { type: "ping"; node: string; value: ActorValue; history: string[] }
  /** While we are not ready: these nodes are ready, a source to copy data from. */
  | { type: "good"; nodes: string[] }
  /** Two histories met (a healed split): `prio` our place on our side, 0 first. */
  | { type: "recover"; prio: number; replace: boolean; local: string[]; remote: string[] }
  /** The network's config replaced ours. */
  | { type: "setup"; config: ActorConfig };

/** Timers and a monotonic clock, injectable for tests. */
export interface ActorClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: ActorClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface ActorOptions {
  /** This node's name: unique in the cluster. */
  name: string;
  /** Publish a message on `<root>/ping`. */
  send: (msg: ActorMessage) => void;
  /** Our current value: null while not ready, else [tock, tick]. Read whenever needed. */
  value: () => ActorValue;
  /** Hear events. */
  onEvent: (e: ActorEvent) => void;
  /** Timing config; defaults: upstream's server (PING_DEFAULTS). */
  config?: Partial<ActorConfig>;
  /** Random source in [0, 1). Default Math.random. */
  random?: () => number;
  clock?: ActorClock;
  /** false: start listen-only (asyncactor's enabled=False). Default true. */
  enabled?: boolean;
  log?: (level: "info" | "warn", line: string) => void;
}

/** Messages held until the first ping (upstream reads none before it); as upstream's queue. */
const MAX_EARLY = 99;

/**
 * Node names remembered (their last value, their last unasked ping). Upstream keeps every name
 * for ever; here the oldest go first beyond this, so pings under made-up names cannot grow memory
 * without bound. Far above any real cluster.
 */
export const MAX_KNOWN_NODES = 10_000;

interface RecoverWait {
  timer: unknown;
}

export class Actor {
  readonly name: string;
  #config: SetupMessage;
  readonly #o: Required<Omit<ActorOptions, "config" | "log" | "enabled">> & Pick<ActorOptions, "log">;
  #started = false;
  #stopped = false;
  #selfSeen = false;
  /** Until the first ping: messages wait here. */
  #early: ActorMessage[] | undefined = [];
  /** -1: listen-only; 0: not our turn; 1, 2, 3: our ping is progressing (3: we are "it"). */
  #tagged = 0;
  /** The history length while listen-only (asyncactor's _off_nodes). */
  #offNodes: number;
  #validPings = 0;
  readonly #values = new Map<string, ActorValue>();
  #history: NodeList;
  #nextPingTime = 0;
  #tDest = 0;
  #countNotOn = 0;
  /** node -> a recovery ping we wait for, or the valid-ping count when its ping came unasked. */
  readonly #recoverPings = new Map<string, RecoverWait | number>();
  #timer: unknown;
  #pingWindow: unknown;
  #windowMsg: ActorMessage | undefined;
  #versionJob: unknown;
  readonly #timers = new Set<unknown>();

  constructor(options: ActorOptions) {
    this.name = options.name;
    this.#o = { ...options, random: options.random ?? Math.random, clock: options.clock ?? systemClock };
    const cfg = { ...PING_DEFAULTS, ...options.config };
    verifyConfig(cfg, "actor config");
    this.#config = setupMessage(this.name, cfg);
    this.#history = new NodeList(this.#config.nodes);
    this.#offNodes = this.#config.nodes;
    if (options.enabled === false) this.#tagged = -1;
  }

  /** Whether the actor pings (false: listen-only). */
  get enabled(): boolean {
    return this.#tagged >= 0;
  }

  /** The history length in force: the config's, or the listen-only one. */
  get maxNodes(): number {
    return this.#tagged < 0 ? this.#offNodes : this.#config.nodes;
  }

  /**
   * Take part in the pinging (asyncactor's enable). `length`: raise the config's `nodes` to it
   * first, announcing a new version, if it is larger.
   */
  enable(length?: number): void {
    if (this.#stopped) return;
    if (length !== undefined && this.#config.nodes < length) {
      this.#config = { ...this.#config, nodes: length, version: this.#config.version + 1 };
      this.#send(this.#config);
    }
    if (this.#tagged !== -1) return;
    this.#tagged = 0;
    this.#history = new NodeList(this.#config.nodes);
    this.#countNotOn = 1;
    if (!this.#started || this.#early) return; // the first ping is still to come
    this.#sendPing();
    this.#step();
  }

  /**
   * Listen only (asyncactor's disable): no pings; the history keeps `length` names (null: as
   * many as come; upstream's default is 0).
   */
  disable(length: number | null = 0): void {
    if (this.#stopped) return;
    if (this.#tagged === 3) this.#emit({ type: "untag" });
    if (length !== null) this.#offNodes = length;
    this.#history.maxlen = length ?? 0;
    this.#tagged = -1;
  }

  /** The config in force (ours, or a newer one from the network). */
  get config(): ActorConfig {
    return this.#config;
  }

  /** The current history, newest first. */
  get history(): string[] {
    return this.#history.toArray();
  }

  /** Whether we are "it" now. */
  get tagged(): boolean {
    return this.#tagged === 3;
  }

  /** The value a node sent last (null if none or not ready). */
  valueOf(node: string): ActorValue {
    return this.#values.get(node) ?? null;
  }

  /** The longest time between two "it"s of the cluster, ms. */
  get cycleTimeMax(): number {
    return (this.#config.cycle + 2.5 * this.#config.gap) * 1000;
  }

  random(): number {
    return this.#o.random();
  }

  start(): void {
    if (this.#started) throw new Error("actor: start() was called twice");
    this.#started = true;
    this.#send(initMessage(this.name));
    this.#send(this.#config);
    this.#after(((this.random() / 2 + 1.5) * this.#config.gap + this.#config.cycle) * 1000, () => {
      if (!this.#selfSeen) this.#o.log?.("warn", `actor: our own init message did not come back within a cycle; is the broker delivering ${this.name}'s pings?`);
      this.#sendPing();
      const early = this.#early ?? [];
      this.#early = undefined;
      for (const m of early) this.#handle(m);
      this.#step();
    });
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) this.#o.clock.clearTimeout(t);
    this.#timers.clear();
  }

  /** A message as it came off the wire: checked, or dropped with `refuse(why)` (one log line). */
  receiveWire(msg: unknown, refuse: (why: string) => void): void {
    let m: ActorMessage;
    try {
      m = parseActorMessage(msg);
    } catch (e) {
      refuse((e as Error).message);
      return;
    }
    this.receive(m);
  }

  /** A checked message from `<root>/ping` (see parseActorMessage). */
  receive(msg: ActorMessage): void {
    if (this.#stopped) return;
    if (msg.t === "init" && msg.node === this.name) {
      if (this.#selfSeen) this.#o.log?.("warn", `actor: a second node named ${this.name} started (its init message arrived); node names must be unique`);
      this.#selfSeen = true;
    }
    if (this.#early) {
      if (this.#early.length < MAX_EARLY) this.#early.push(msg);
      return;
    }
    this.#handle(msg);
    this.#step();
  }

  // ---- the main loop, one step per message or timeout ----

  #handle(msg: ActorMessage): void {
    if (this.#tagged === 1) this.#tagged = 0; // a message just before our turn: skip the turn
    if (this.#process(msg)) {
      if (this.#tagged === 3) {
        this.#emit({ type: "untag" });
        this.#countNotOn = 0;
      }
      this.#tagged = 0;
    }
  }

  /** Decide the next timeout, advancing our turn when its time is up. */
  #step(): void {
    if (this.#stopped) return;
    const now = this.#o.clock.now();
    const { cycle, gap } = this.#config;
    let t: number;
    if (this.#tagged === 0) t = Math.max(this.#nextPingTime - now, 0);
    else if (this.#tDest - now <= 0) {
      if (this.#tagged < 0) t = 2 * gap;
      else if (this.#tagged === 1) {
        t = gap;
        this.#tagged = 2;
      } else if (this.#tagged === 2) {
        t = cycle - gap / 2;
        this.#emit({ type: "tag", node: this.name, value: this.#o.value() });
        this.#tagged = 3;
        this.#validPings++;
      } else {
        t = gap * 1.5;
        this.#emit({ type: "untag" });
        this.#countNotOn = 0;
        this.#tagged = 0;
      }
      t *= 1000;
      this.#tDest = now + t;
    } else t = this.#tDest - now;
    if (this.#timer !== undefined) this.#clear(this.#timer);
    this.#timer = this.#after(t, () => {
      this.#timer = undefined;
      if (this.#tagged === 0) this.#sendPing();
      this.#step();
    });
  }

  // ---- messages in ----

  /** asyncactor's process_msg: true for a valid ping that is not superseded. */
  #process(msg: ActorMessage): boolean {
    if (this.#tagged < 0) {
      this.#nextPing();
      this.#pingSeen(msg);
      return false;
    }
    const prevNode = this.#history.at(0);
    if (msg.t === "ping") {
      const wait = this.#recoverPings.get(msg.node);
      if (wait !== undefined && typeof wait !== "number") this.#recoverPingArrived(msg.node, wait);
      else this.#remember(this.#recoverPings, msg.node, this.#validPings); // maybe before its cause: do not send it too
    } else if (msg.t === "init") return false;
    else if (msg.t === "vers") {
      this.#onSetup(msg);
      return false;
    }
    const node = senderOf(msg)!;
    if (node === this.name || node === prevNode) return false; // our own, or a repeat
    const value = msg.value;
    this.#remember(this.#values, node, value);
    if (this.#o.value() === null && value !== null) {
      this.#emit({ type: "good", nodes: msg.history.filter((h) => this.valueOf(h) !== null) });
    }
    if (msg.history.length > 0 && msg.history[1] === this.#history.at(0)) {
      if (msg.t === "hist") return false; // recovery started already when we saw the split
      this.#history.add(node);
      this.#nextPing();
      this.#pingSeen(msg);
      return true;
    }
    // colliding pings
    const samePrev = msg.history.length > 0 && msg.history[1] === this.#history.at(1);
    const preferNew = prevNode === undefined || this.#hasPriority(node, prevNode);
    const hist = this.#history.clone(0);
    if (preferNew) {
      this.#history = new NodeList(this.#config.nodes, msg.history);
      if (this.#tagged) {
        if (this.#tagged === 3) this.#emit({ type: "detag", node });
        this.#tagged = 0;
      }
      this.#nextPing();
      this.#pingSeen(msg);
    }
    if (samePrev) return preferNew;
    // a healed split (or we are new)
    if (this.#o.value() !== null) {
      const pos = hist.indexOf(this.name);
      if (pos >= 0) {
        const remote = new NodeList(0, msg.history);
        if (msg.t !== "hist") remote.add(node);
        this.#emit({ type: "recover", prio: pos, replace: preferNew, local: hist.toArray(), remote: remote.toArray() });
        this.#delayRecoverPing(pos, hist);
      }
    }
    return preferNew;
  }

  #onSetup(msg: SetupMessage): void {
    if (msg.version > this.#config.version) {
      try {
        verifyConfig(msg, `actor: config version ${msg.version} from ${msg.node}`);
      } catch (e) {
        // upstream adopts it anyway; a cycle of 0 would make every node ping without pause
        this.#o.log?.("warn", `${(e as Error).message}; keeping version ${this.#config.version}`);
        return;
      }
      this.#o.log?.("info", `actor: config version ${msg.version} from ${msg.node} replaces version ${this.#config.version}`);
      this.#config = msg;
      this.#emit({ type: "setup", config: msg });
    } else if (msg.version < this.#config.version) {
      if (this.#tagged > 1) this.#send(this.#config);
      else {
        const pos = this.#history.indexOf(this.name);
        if (pos >= 0) this.#delayVersion(pos);
      }
    } else if (this.#versionJob !== undefined) {
      this.#clear(this.#versionJob);
      this.#versionJob = undefined;
    }
  }

  /** asyncactor's has_priority: a value beats none, a higher value a lower, then the lower name. */
  #hasPriority(a: string, b: string): boolean {
    const av = this.valueOf(a);
    const bv = this.valueOf(b);
    if (av === null) {
      if (bv !== null) return false;
    } else if (bv === null) return true;
    else {
      const c = compareValues(av, bv);
      if (c !== 0) return c > 0;
    }
    return a < b;
  }

  /** A ping entered the history: the "ping" event follows once no other ping came for 2 * gap. */
  #pingSeen(msg: ActorMessage): void {
    this.#windowMsg = msg;
    if (this.#pingWindow !== undefined) return;
    this.#pingWindow = this.#after(this.#config.gap * 2000, () => {
      this.#pingWindow = undefined;
      const m = this.#windowMsg!;
      if (this.#tagged <= 0) {
        this.#validPings++;
        const ping = m.t === "ping" || m.t === "hist";
        this.#emit({ type: "ping", node: senderOf(m)!, value: ping ? m.value : null, history: ping ? [...m.history] : [] });
      }
    });
  }

  // ---- messages out ----

  /** A ping of ours, or (with `history`) the `hist` message of our side after a split. */
  #sendPing(history?: NodeList): void {
    if (this.#tagged < 0) return;
    if (history) {
      this.#send(historyMessage(this.valueOf(history.at(0)!), history.slice(0, this.#config.splits)));
      return;
    }
    const value = this.#o.value();
    this.#values.set(this.name, value);
    if (this.#history.length > 0) this.#tagged = 1;
    this.#history.add(this.name);
    this.#nextPing();
    this.#send(pingMessage(this.name, value, this.#history.slice(0, this.#config.splits)));
  }

  #send(msg: ActorMessage): void {
    if (this.#stopped) return;
    this.#o.send(msg);
  }

  /** After a split, the first node of our side's history sends at once, the next after gap/2... */
  #delayRecoverPing(pos: number, history: NodeList): void {
    const node = history.at(0)!;
    const ping = this.#recoverPings.get(node);
    if (typeof ping === "object" || (typeof ping === "number" && this.#config.nodes > 1 && ping < this.#validPings - this.#config.nodes / 2)) {
      if (typeof ping === "number") this.#recoverPings.delete(node);
      return;
    }
    const wait: RecoverWait = { timer: undefined };
    this.#recoverPings.set(node, wait);
    wait.timer = this.#after(this.#config.gap * (1 - 1 / 2 ** pos) * 1000, () => {
      if (this.#recoverPings.get(node) !== wait) return; // superseded
      this.#recoverPings.delete(node);
      if (pos) this.#o.log?.("info", `actor: no recovery ping came from my side of the split; sending it (place ${pos})`);
      this.#sendPing(history);
    });
  }

  #recoverPingArrived(node: string, wait: RecoverWait): void {
    this.#clear(wait.timer);
    if (this.#recoverPings.get(node) === wait) this.#recoverPings.delete(node);
  }

  #delayVersion(pos: number): void {
    if (this.#versionJob !== undefined) this.#clear(this.#versionJob);
    this.#versionJob = this.#after(this.#config.gap * (1 - 1 / 2 ** pos) * 1000, () => {
      this.#versionJob = undefined;
      this.#send(this.#config);
    });
  }

  // ---- timing ----

  #nextPing(): void {
    this.#nextPingTime = this.#o.clock.now() + (this.#config.cycle + this.#config.gap * this.#pingDelay()) * 1000;
  }

  /** asyncactor's _time_to_next_ping, in gaps after a cycle. */
  #pingDelay(): number {
    const h = this.#history;
    if (h.length === 0) return 1.9 - this.random() / 5; // we might be the only node
    if (h.at(0) === this.name) return 2; // we sent the last ping
    const nodes = this.#config.nodes;
    let p = 0, s = 0, lv = 1;
    for (const n of h.toArray()) {
      if (this.valueOf(n) !== null && p === 0) p = lv;
      if (n === this.name) s = lv;
      lv++;
      if (nodes > 0 && lv > nodes) break;
    }
    // upstream's server never calls set_ready: this rule always applies there, so here too
    if (p > Math.floor(lv / 2)) return 2 + this.random() / 3;
    return this.#placeDelay(s - 1, lv, nodes > 0 ? nodes - h.length : 1, Math.max(this.#values.size, this.#config.n_hosts));
  }

  /** asyncactor's ping_delay: 0 .. 2, spread so that collisions are rare. */
  #placeDelay(pos: number, length: number, todo: number, total: number): number {
    if (pos >= 0) return 1 - 1 / 2 ** (length - pos) / 2; // on the chain
    if (this.#config.force_in) {
      if (this.#countNotOn >= total) return this.random() / 4;
      if (this.random() > (this.#countNotOn - 1) / total) return 0.5 + this.random() / 2;
      return this.random() / 2;
    }
    let f: number;
    if (todo > 0) f = todo;
    else {
      this.#countNotOn++;
      f = total;
    }
    if (this.random() < 1 / f / total) return this.random() / 3; // early: try to get on the chain
    return 1.5 + this.random() / 2;
  }

  /** Set m[key] as the newest entry, dropping the oldest beyond MAX_KNOWN_NODES (never ours). */
  #remember<V>(m: Map<string, V>, key: string, v: V): void {
    m.delete(key);
    m.set(key, v);
    if (m.size <= MAX_KNOWN_NODES) return;
    for (const k of m.keys()) {
      if (k !== this.name && !this.#history.includes(k)) {
        m.delete(k);
        return;
      }
    }
  }

  #emit(e: ActorEvent): void {
    try {
      this.#o.onEvent(e);
    } catch (err) {
      this.#o.log?.("warn", `actor: handling a ${e.type} event failed: ${(err as Error).message}`);
    }
  }

  #after(ms: number, fn: () => void): unknown {
    const h = this.#o.clock.setTimeout(() => {
      this.#timers.delete(h);
      if (!this.#stopped) fn();
    }, Math.max(0, ms));
    this.#timers.add(h);
    return h;
  }

  #clear(h: unknown): void {
    this.#o.clock.clearTimeout(h);
    this.#timers.delete(h);
  }
}

/** Values compare as Python compares (tock, tick) tuples; a null tick counts lowest. */
function compareValues(a: NonNullable<ActorValue>, b: NonNullable<ActorValue>): number {
  const compareTicks = (x: Tick, y: Tick) => (x < y ? -1 : x > y ? 1 : 0);
  const c = compareTicks(a[0], b[0]);
  if (c !== 0) return c;
  if (a[1] === b[1]) return 0;
  if (a[1] === null) return -1;
  if (b[1] === null) return 1;
  return compareTicks(a[1], b[1]);
}
