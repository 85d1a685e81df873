// A ticktock node: a MoaT-KV server that gossips over a transport (MQTT), holds the key-value
// data, keeps the tick ledger, recovers missing ticks, and refuses data requests while its
// own data is incomplete (maintainer-only mode) instead of refusing to start.
//
// Life of a node:
//   start()  load the state file, connect, optionally copy from a running server (join),
//            announce `info {ticks}`, listen for `startupWait` ms, then serve, or enter
//            maintainer-only mode when ticks are missing (unless force / authoritative).
//   running  applies updates (chain comparison decides which version wins), info messages,
//            pings; asks for missing ticks with `info {missing}` after a random delay and with
//            bounded backoff, staying quiet about ticks another server just asked for; re-sends
//            what others ask for after a random delay, unless somebody else already did.
//   rejoin   after a reconnect it announces its ticks again, so gaps on either side show up.

import { NotServingError } from "../core/errors.js";
import { RangeSet } from "../core/range-set.js";
import { tickSucc, type Tick } from "../core/tick.js";
import { TickLedger, type MarkResult } from "../ledger/tick-ledger.js";
import { decodeValue, encodeValue } from "../wire/codec.js";
import { MessageSplitter, Reassembler, escapePieceKeys } from "../wire/message-pieces.js";
import { DEFAULT_MAX_MESSAGE } from "../wire/message-framer.js";
import type { InfoMessage, RangeMap, StateFlags, StateReply, UpdateMessage } from "../wire/messages.js";
import { fieldTick, isMap, parseUpdate } from "../wire/parse.js";
import { Path } from "../wire/path.js";
import { MessageError } from "../core/errors.js";
import type { Action, GossipTransport, TransportState } from "../transport/transport.js";
import { extend, sameHead, succeeds, toWire, type Link } from "./chain.js";
import { EntryStore, type Entry } from "./entry-store.js";
import { entriesToPurge, purgeDeleted, purgeEntries } from "./deleted-purge.js";
import { deletedAmong } from "./check-deleted.js";
import { nodeDeleter, type DeleterSettings, type NodeDeleter } from "./node-deleter.js";
import { formatMissing } from "./errors.js";
import { Log, type LogSink } from "./log.js";
import { ResendPolicy, type Urgency } from "./resend-policy.js";
import { RequestPacing } from "./request-pacing.js";
import { RecentTicks } from "./recent-ticks.js";
import { addTo, disposeAll } from "./ranges-by-node.js";
import { StateFileWriter, readStateFile, type Snapshot, type StateStorage } from "./state-file.js";
import { RotatingStateFile } from "./rotating-state-file.js";
import { NodeActor } from "./actor/node-actor.js";
import type { ActorConfig } from "./actor/messages.js";

export type NodeMode = "starting" | "maintainer" | "serving" | "observing" | "stopped";

export interface NodeOptions {
  /** This server's node name. */
  name: string;
  /** The gossip transport (MqttTransport, possibly wrapped). */
  transport: GossipTransport;
  /** Links of a chain sent with each update. Default 5 (upstream's kv.server.change.length). */
  chainLength?: number;
  /** Serve data even while ticks are missing. */
  force?: boolean;
  /** Treat every gap found at start-up as superseded (upstream's -a). */
  authoritative?: boolean;
  /** How long to listen to the cluster before deciding to serve, ms. Default 1500. */
  startupWait?: number;
  /** First delay before asking for missing ticks, ms; grows by half per round. Default 300 (Serf: 1000, see transport.gossip). */
  missingDelay?: number;
  /** Upper bound of that delay, ms. Default 10,000. */
  maxMissingDelay?: number;
  /** Largest random delay before re-sending requested ticks, ms. Default 200. */
  resendDelay?: number;
  /** Interval of the `info {ticks}` heartbeat, ms; 0 turns it off. Default 5000. */
  announceInterval?: number;
  /**
   * After local changes stop for this long, announce the ticks once, ms (default 200): a server
   * that lost the last updates of a burst learns of the gap now, not at the next heartbeat.
   */
  idleAnnounce?: number;
  /** Read this state file at start-up. */
  load?: string;
  /** Write a snapshot to this file, then append every change. */
  save?: string;
  /** Where state files live (needed for load and save): fsStorage in Node and Deno. */
  storage?: StateStorage;
  /** Copy data and state from a running server before serving (see client/join.ts). */
  join?: (node: TicktockNode) => Promise<void>;
  /** Where log lines go. Default: stderr. */
  log?: LogSink;
  /** Random source in [0, 1). */
  random?: () => number;
  /**
   * Listen only: apply what the cluster says but never send anything (no announcements,
   * requests or re-sends) and serve no data changes. For observers and inspectors.
   */
  passive?: boolean;
  /**
   * Split outgoing update and info messages longer than this many bytes into pieces, as upstream
   * does with 450 (its Serf limit). Default: what the transport asks for (`gossip.splitOver`;
   * Serf 450), else 0: whole messages (MQTT carries them). Pieces from other servers are always
   * reassembled.
   */
  splitOver?: number;
  /**
   * Largest gossip message read, in bytes (default 16 MiB, as the client ports); a larger one is
   * dropped with a log line before it is decoded, and pieces of one larger are not collected.
   */
  maxMessage?: number;
  /**
   * Take part in upstream's actor protocol on `<root>/ping` (src/node/actor/), with these
   * timings (seconds; default upstream's server: cycle 10, gap 2, nodes 5, splits 4). false:
   * only listen to pings. Passive nodes never ping.
   */
  actor?: Partial<ActorConfig> | false;
  /**
   * Copy data and state from a ready node the actor names (upstream's fetch_data), given its
   * name; throw when it cannot be reached. Used at start-up by a node that has no data and no
   * `join`: it waits up to cycle + 4.5 gaps for a source, then starts as before.
   */
  fetch?: (node: TicktockNode, source: string) => Promise<void>;
  /**
   * Upstream's Delete actor on `<root>/del` (src/node/node-deleter.ts): listens, pings while
   * this node is on the deleter list (the internal entry `actor del`), and purges tombstones
   * every deleter has seen. false: none (passive nodes have none either).
   */
  deleter?: (Omit<DeleterSettings, "resync"> & { resync?: (node: TicktockNode, deleters: string[]) => Promise<void> }) | false;
}

/** What set/delete did. */
export interface ChangeResult {
  changed: boolean;
  tick?: Tick;
  tock: Tick;
  /** The value before a delete. */
  prev?: unknown;
}

/** What a node tells its listeners (see on()). */
export interface NodeEvents {
  mode: (m: NodeMode) => void;
  entry: (e: Entry) => void;
  /** Every well-formed message heard, after it was applied. */
  gossip: (action: Action, msg: Record<string, unknown>) => void;
}

export interface NodeStats {
  received: number;
  updatesApplied: number;
  dropped: number;
  resent: number;
  /** `info {missing}` messages sent. */
  missingRequests: number;
  /** Of those, the retries: requests that ask again for ticks an earlier one asked for (request-pacing.ts). */
  missingRetries: number;
}

/** The sender of a fake info: "" (nobody) unless a real node name is given. */
function fakeSource(node: unknown): string {
  return typeof node === "string" && node !== "?" ? node : "";
}

/**
 * A split message of this many pieces held is "long": while one keeps arriving, requests wait
 * (see #awaitingPieces). Short ones complete within a hop or have lost a piece.
 */
const LONG_MESSAGE_PIECES = 8;

/**
 * Splitting and the missing delay: as given, else what the transport asks for (Serf: split at
 * 450 bytes, wait longer). A transport that must split refuses whole messages or larger pieces.
 */
function gossipSettings(o: NodeOptions): { splitOver: number; missingDelay: number } {
  const want = o.transport.gossip ?? {};
  const splitOver = o.splitOver ?? want.splitOver ?? 0;
  if (want.splitOver !== undefined && (splitOver === 0 || splitOver > want.splitOver)) {
    throw new RangeError(`TicktockNode: splitOver ${splitOver} does not suit the transport, which carries messages of at most ${want.splitOver} bytes; expected 1..${want.splitOver}`);
  }
  return { splitOver, missingDelay: o.missingDelay ?? want.missingDelay ?? 300 };
}

/** What a node sends in answer to requests: entries as updates, superseded and deleted ticks in an info. */
interface Answer {
  entries: Set<Entry>;
  known: RangeMap;
  deleted: RangeMap;
}

export class TicktockNode {
  readonly name: string;
  readonly ledger: TickLedger;
  readonly store = new EntryStore();
  readonly stats: NodeStats = { received: 0, updatesApplied: 0, dropped: 0, resent: 0, missingRequests: 0, missingRetries: 0 };
  #mode: NodeMode = "starting";
  readonly #o: Required<Omit<NodeOptions, "load" | "save" | "join" | "log" | "storage" | "fetch" | "deleter">> & Pick<NodeOptions, "load" | "save" | "join" | "storage" | "fetch" | "deleter">;
  /** The Delete actor (undefined: none). */
  readonly deleter: NodeDeleter | undefined;
  #actor: NodeActor | undefined;
  readonly #log: Log;
  /** The node's log, for what serves it (client ports) to log in the same voice. */
  get log(): Log {
    return this.#log;
  }
  readonly #transport: GossipTransport;
  readonly #splitter: MessageSplitter | undefined;
  readonly #pieces: Reassembler;
  #writer: StateFileWriter | RotatingStateFile | undefined;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #checkTimer: ReturnType<typeof setTimeout> | undefined;
  #missingTimer: ReturnType<typeof setTimeout> | undefined;
  #missingGap: number;
  #resendTimer: ReturnType<typeof setTimeout> | undefined;
  #resendDue = 0;
  /** What the last `info {missing}` asked for: asking for something new restarts the backoff. */
  #lastAsked = "";
  /** Whether the last request is still being answered (see request-pacing.ts). */
  readonly #pacing: RequestPacing;
  #announceTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Ticks other servers asked for since our last request: we stay quiet about them. */
  readonly #seenMissing = new Map<string, RangeSet>();
  /** Ticks others asked for that we may re-send. */
  readonly #pendingResend = new Map<string, RangeSet>();
  /** Who answers which request, and how soon (see resend-policy.ts). */
  readonly #resendPolicy: ResendPolicy;
  /** Own ticks re-sent lately, and those of them asked for again: sent twice (recent-ticks.ts). */
  readonly #recentResends: RecentTicks;
  readonly #pendingTwice = new Map<string, RangeSet>(); // (a map, like the others: no RangeSet before init())
  #lastMissing = "";
  /** Since when requests wait for a long split message still arriving (0: not waiting). */
  #waitingForPiecesSince = 0;
  readonly #listeners = {
    mode: new Set<(m: NodeMode) => void>(),
    entry: new Set<(e: Entry) => void>(),
    gossip: new Set<(action: Action, msg: Record<string, unknown>) => void>(),
  };

  constructor(options: NodeOptions) {
    this.name = options.name;
    this.#o = {
      chainLength: 5, force: false, authoritative: false, passive: false, startupWait: 1500, maxMissingDelay: 10_000,
      resendDelay: 200, announceInterval: 5000, idleAnnounce: 200, random: Math.random, maxMessage: DEFAULT_MAX_MESSAGE, actor: {}, ...options,
      ...gossipSettings(options),
    };
    this.#missingGap = this.#o.missingDelay;
    this.#transport = options.transport;
    this.#log = new Log(`ticktock ${this.name}`, options.log);
    this.ledger = new TickLedger(this.name);
    this.#resendPolicy = new ResendPolicy(this.name, 3 * this.#o.announceInterval, Date.now, this.#o.maxMissingDelay);
    this.#pacing = new RequestPacing(this.#o.missingDelay, this.#o.maxMissingDelay);
    this.#recentResends = new RecentTicks(this.#o.maxMissingDelay);
    this.#splitter = this.#o.splitOver > 0 ? new MessageSplitter(this.name, this.#o.splitOver) : undefined;
    this.#pieces = new Reassembler({ log: (line) => this.#log.warn(line), maxBytes: this.#o.maxMessage });
    if (this.#o.actor !== false && !this.#o.passive) this.#actor = this.#newActor(this.#o.actor); // checks the timings
    this.deleter = this.#o.deleter === false || this.#o.passive ? undefined : nodeDeleter(this, (p) => this.#transport.publish("del", p), this.#log, this.#deleterSettings(this.#o.deleter), this.#o.random);
  }

  #deleterSettings(d: NodeOptions["deleter"]): DeleterSettings {
    if (!d) return {};
    const { resync, ...rest } = d;
    return resync ? { ...rest, resync: (deleters) => resync(this, deleters) } : rest;
  }

  /** Pieces of split messages held until they are complete (bounded: see message-pieces.ts). */
  get pieceCache(): { messages: number; bytes: number } {
    return this.#pieces.pending;
  }

  get mode(): NodeMode {
    return this.#mode;
  }

  /** The transport's state (connected, reconnecting...). */
  get connection(): TransportState {
    return this.#transport.state;
  }

  on(event: "mode", fn: (m: NodeMode) => void): () => void;
  on(event: "entry", fn: (e: Entry) => void): () => void;
  /** Every well-formed message heard, after it was applied. */
  on(event: "gossip", fn: (action: Action, msg: Record<string, unknown>) => void): () => void;
  on(event: "mode" | "entry" | "gossip", fn: (...x: never[]) => void): () => void {
    const set = this.#listeners[event] as Set<typeof fn>;
    set.add(fn);
    return () => set.delete(fn);
  }

  #setMode(m: NodeMode, why: string): void {
    if (m === this.#mode) return;
    this.#mode = m;
    this.#log.info(`${m === "maintainer" ? "maintainer-only mode" : m}: ${why}`);
    this.#emit("mode", m);
  }

  // ---- life cycle ----

  async start(): Promise<void> {
    if (this.#o.load) this.#loadFile(this.#o.load);
    const fresh = this.store.size === 0 && (this.ledger.get(this.name)?.tick ?? 0) === 0;
    this.#transport.onMessage((a, p) => this.#onMessage(a, p));
    this.#transport.onState((s, detail) => this.#onTransport(s, detail));
    await this.#transport.start();
    if (this.#mode === "stopped") return;
    if (this.#o.passive) {
      this.#setMode("observing", "listening to the cluster; sending nothing");
      return;
    }
    this.#log.info(`connected; ${this.store.size} entries, tick ${this.ledger.get(this.name)?.tick ?? 0}`);
    this.#actor?.start();
    this.deleter?.start();
    if (this.#o.join) {
      try {
        await this.#o.join(this);
      } catch (e) {
        this.#log.warn(`could not copy from a running server (${(e as Error).message}); joining from gossip`);
      }
    } else if (fresh && this.#actor && this.#o.fetch) {
      const fetch = this.#o.fetch;
      const wait = this.#actor.actor.cycleTimeMax + this.#actor.actor.config.gap * 2000;
      const source = await this.#actor.findSource((n) => fetch(this, n), wait);
      if ((this.#mode as NodeMode) === "stopped") return;
      if (source === undefined) this.#log.info(`no ready node named by the actor within ${Math.round(wait)} ms; starting from gossip`);
    }
    this.#announce();
    if (this.#o.announceInterval > 0) {
      this.#heartbeat = setInterval(() => this.#safely("announcing ticks", () => this.#announce()), this.#o.announceInterval * (0.75 + this.#o.random() / 2));
    }
    await this.#sleep(this.#o.startupWait);
    if ((this.#mode as NodeMode) === "stopped") return;
    if (this.#o.authoritative) {
      const { changed } = this.ledger.mark("", "missing");
      if (Object.keys(changed).length) this.#log.info(`authoritative: marked missing ticks superseded: ${formatMissing(changed)}`);
    }
    if (this.#o.save) this.#openWriter(this.#o.save);
    const missing = this.ledger.missing();
    if (Object.keys(missing).length === 0) this.#setMode("serving", "nothing missing");
    else if (this.#o.force) this.#setMode("serving", `forced, although ticks are missing: ${formatMissing(missing)}`);
    else this.#setMode("maintainer", `missing ticks ${formatMissing(missing)}`);
    this.#check();
  }

  async stop(): Promise<void> {
    if (this.#mode === "stopped") return;
    this.#mode = "stopped";
    this.#actor?.stop();
    this.deleter?.stop();
    for (const t of this.#timers) clearTimeout(t);
    for (const t of [this.#checkTimer, this.#missingTimer, this.#resendTimer, this.#announceTimer, this.#idleTimer]) if (t) clearTimeout(t);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#writer?.close();
    this.#pieces.clear();
    await this.#transport.close();
    this.#resendPolicy.dispose();
    this.#recentResends.dispose();
    this.#pacing.clear();
    for (const m of [this.#seenMissing, this.#pendingResend, this.#pendingTwice]) disposeAll(m);
    this.ledger.dispose();
  }

  /**
   * Run background work (a timer's job) or a listener: an exception there is logged as one line
   * and never escapes, since it would take the whole process down with it.
   */
  #safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.#log.warn(`${what} failed: ${(e as Error).message}`);
    }
  }

  #emit<K extends keyof NodeEvents>(event: K, ...args: Parameters<NodeEvents[K]>): void {
    for (const fn of this.#listeners[event] as Set<(...a: typeof args) => void>) this.#safely(`an "${event}" listener`, () => fn(...args));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        resolve();
      }, ms);
      this.#timers.add(t);
    });
  }

  #onTransport(s: TransportState, detail?: string): void {
    if (this.#mode === "stopped") return;
    if (detail) this.#log.warn(detail);
    if (s === "connected" && this.#mode !== "starting") {
      this.#log.info("reconnected; announcing ticks to rejoin");
      this.#announce();
      this.#check();
    }
  }

  // ---- sending ----

  #publish(action: Action, msg: Record<string, unknown>): void {
    if (this.#o.passive) return;
    // update and info as upstream's _send_event sends them: `_p` keys escaped, split if asked to
    if (action !== "update" && action !== "info") this.#transport.publish(action, encodeValue(msg));
    else if (this.#splitter) for (const p of this.#splitter.pack(msg)) this.#transport.publish(action, p);
    else this.#transport.publish(action, encodeValue(escapePieceKeys(msg)));
  }

  /** Send an info message with the sender fields upstream appends: tock, node, tick. */
  #sendInfo(body: Record<string, unknown>): void {
    this.#publish("info", { ...body, tock: this.ledger.nextTock(), node: this.name, tick: this.ledger.get(this.name)?.tick ?? 0 });
  }

  #announce(): void {
    if (this.#announceTimer) {
      clearTimeout(this.#announceTimer);
      this.#announceTimer = undefined;
    }
    const ticks: Record<string, Tick> = {};
    for (const n of this.ledger.nodeNames) {
      const t = this.ledger.get(n)!.tick;
      if (t !== 0) ticks[n] = t;
    }
    this.#sendInfo(this.#withDropped({ ticks }));
  }

  /** Announcements and requests carry the nodes dropped here, as upstream's do, so a drop reaches every server. */
  #withDropped(body: Record<string, unknown>): Record<string, unknown> {
    if (this.ledger.nodeDrop.size) body.node_drop = [...this.ledger.nodeDrop];
    return body;
  }

  // ---- receiving ----

  #onMessage(action: Action, payload: Uint8Array): void {
    if (this.#mode === "stopped") return;
    this.stats.received++;
    if (payload.length > this.#o.maxMessage) {
      this.#drop(action, undefined, `${payload.length} bytes, over the limit of ${this.#o.maxMessage} (maxMessage)`);
      return;
    }
    let msg: unknown;
    try {
      msg = decodeValue(payload);
    } catch (e) {
      this.#drop(action, undefined, `not msgpack (${(e as Error).message})`);
      return;
    }
    if (!isMap(msg)) {
      this.#drop(action, undefined, `not a map but ${typeof msg === "object" ? (Array.isArray(msg) ? "a list" : String(msg)) : typeof msg}`);
      return;
    }
    const whole = this.#pieces.accept(msg, action);
    if (whole.kind === "partial") return;
    if (whole.kind === "dropped") return this.#drop(action, whole.from, whole.why);
    this.#apply(action, whole.msg);
  }

  #apply(action: Action, msg: Record<string, unknown>): void {
    try {
      if (action === "update") this.#onUpdate(msg as unknown as UpdateMessage);
      else if (action === "info") {
        this.#onInfo(msg as InfoMessage);
        if (typeof msg.node === "string" && msg.node !== this.name) this.#actor?.infoSeen(msg.node, msg); // split recovery steps
      }
      else if (action === "ping") {
        this.#onPing(msg);
        this.#actor?.receive(msg);
      } else if (action === "del") this.deleter?.receive(msg);
    } catch (e) {
      // "TickLedger.applyInfo: missing.a: ..." -> "missing.a: ...": the log line names the action
      this.#drop(action, msg.node, (e as Error).message.replace(/^[A-Za-z.]+: (?=\S+ )/, ""));
      return;
    }
    this.#emit("gossip", action, msg);
    this.#scheduleCheck();
  }

  #drop(action: Action, from: unknown, why: string): void {
    this.stats.dropped++;
    this.#log.warn(`dropped ${action}${typeof from === "string" ? ` from ${from}` : ""}: ${why}`);
  }

  /** Apply an update from gossip, a state file or a join: decide which version wins. */
  #onUpdate(msg: UpdateMessage): void {
    const path = msg.path;
    if (!(path instanceof Path)) throw new MessageError("update.path is not a Path (msgpack ext 3)", "path");
    const u = parseUpdate("update", msg);
    const links = u.links as Link[];
    const tock = u.tock ?? 0;
    const cur = this.store.get(path);
    const curLinks = cur ? cur.links : []; // made afresh by the store's record: once
    if (cur && sameHead(curLinks, links)) {
      // An echo or a re-send of the version held: its ticks are present; keep the longer chain.
      this.ledger.applyParsedUpdate(u, [], true);
      if (links.length > curLinks.length) this.store.set({ ...cur.fields(), links, ended: u.ended });
      return;
    }
    let accepted: boolean;
    if (!cur) accepted = true;
    else if (succeeds(curLinks, links)) accepted = false; // stale: what we hold is based on it
    else if (succeeds(links, curLinks)) accepted = true;
    // concurrent (after a split, say): the higher tock wins, against a deletion too, whichever
    // arrives first (upstream lets any concurrent change replace a deletion, so its result
    // depends on the order of arrival)
    else accepted = tock > cur.tock || (tock === cur.tock && links[0]!.node > curLinks[0]!.node);
    this.ledger.applyParsedUpdate(u, curLinks, accepted);
    if (!accepted) return;
    const entry: Entry = { path, value: u.deleted ? undefined : msg.value, deleted: u.deleted, links, ended: u.ended, tock };
    this.store.set(entry);
    this.stats.updatesApplied++;
    this.#writer?.appendUpdate({ node: links[0]!.node, tick: links[0]!.tick, prev: toWire(links.slice(1), u.ended), path, value: entry.value, deleted: u.deleted, tock });
    this.#emit("entry", entry);
  }

  #onInfo(msg: InfoMessage): void {
    const purge = entriesToPurge(msg.deleted, this.store, this.ledger);
    const eff = this.ledger.applyInfo(msg, this.#keepsNode);
    if (eff.ignored) return;
    for (const n of eff.dropped) this.#forget(n);
    purgeEntries(purge, this.store, this.ledger);
    let answer: Urgency | undefined;
    const order: Urgency[] = ["fallback", "backup", "own"];
    for (const [name, state] of Object.entries(eff.requested)) {
      using req = RangeSet.fromState(state);
      addTo(this.#seenMissing, name, req);
      const claim = this.#resendPolicy.claim(name, msg.node, req, this.ledger.nodeNames);
      using mine = claim.mine;
      if (!mine.isEmpty) {
        addTo(this.#pendingResend, name, mine);
        if (name === this.name) {
          using again = this.#recentResends.among(this.name, mine);
          if (!again.isEmpty) addTo(this.#pendingTwice, name, again);
        }
        if (answer === undefined || order.indexOf(claim.urgency) > order.indexOf(answer)) answer = claim.urgency;
      }
    }
    if (answer) this.#scheduleResend(answer);
    const known = msg.known ?? msg.superseded;
    if (this.#writer && (known || msg.deleted)) {
      this.#writer.appendState({ known, deleted: msg.deleted, node: this.name, tock: this.ledger.tock });
    }
    const ticks = msg.ticks ?? msg.nodes;
    if (ticks && typeof msg.node === "string" && msg.node !== "") {
      this.#resendPolicy.heardTicks(msg.node);
      this.#answerTicks(ticks);
    }
  }

  /** Another server announced its ticks: if it is behind us, announce ours (once, soon). */
  #answerTicks(theirs: Record<string, Tick | null>): void {
    let behind = false;
    for (const n of this.ledger.nodeNames) {
      const t = this.ledger.get(n)!.tick;
      if (t !== 0 && !((theirs[n] ?? 0) >= t)) behind = true;
    }
    if (!behind) {
      // Somebody told the cluster at least what we know; our pending announcement is redundant.
      if (this.#announceTimer) {
        clearTimeout(this.#announceTimer);
        this.#announceTimer = undefined;
      }
      return;
    }
    this.#announceTimer ??= setTimeout(() => {
      this.#announceTimer = undefined;
      this.#safely("announcing ticks", () => this.#announce());
    }, this.#o.random() * this.#o.resendDelay);
  }

  /** Upstream's actor ping: value [tock, tick] of the sending node. */
  #onPing(msg: Record<string, unknown>): void {
    if (msg.t !== "ping" || typeof msg.node !== "string" || !Array.isArray(msg.value) || msg.value.length !== 2) return;
    // [tock, null]: a fresh upstream server has no tick yet
    const tock = msg.value[0] === null ? 0 : fieldTick("ping", msg.value[0], "value.0");
    const tick = msg.value[1] === null ? 0 : fieldTick("ping", msg.value[1], "value.1");
    this.ledger.seeTock(tock);
    if (tick !== 0) this.ledger.ensure(msg.node).raise(tick);
  }

  /** The actor on `<root>/ping`: ready (a value) once serving; being "it" asks for missing ticks. */
  #newActor(config: Partial<ActorConfig>): NodeActor {
    return new NodeActor({
      name: this.name, config, random: this.#o.random, log: this.#log,
      publish: (payload) => this.#transport.publish("ping", payload),
      value: () => (this.#mode === "serving" ? [this.ledger.tock, this.ledger.get(this.name)?.tick ?? 0] : null),
      askMissing: () => this.#requestMissing(),
      announce: () => this.#announce(),
    });
  }

  // ---- recovery ----

  #scheduleCheck(): void {
    this.#checkTimer ??= setTimeout(() => {
      this.#checkTimer = undefined;
      this.#safely("checking for missing ticks", () => this.#check());
    }, 20);
  }

  /** Look at what is missing: log gaps and recoveries, change mode, start asking. */
  #check(): void {
    if (this.#o.passive) return;
    if (this.#mode === "stopped" || this.#mode === "starting") {
      if (this.#mode === "starting") this.#kickMissing();
      return;
    }
    const missing = this.ledger.missing();
    const text = formatMissing(missing);
    if (text !== this.#lastMissing) {
      if (text === "") {
        this.#log.info("recovered: nothing missing");
        // as upstream does after a recovery round: tells observers this server lacks nothing now
        this.#sendInfo(this.#withDropped({ missing: {} }));
      } else this.#log.info(`gap: missing ticks ${text}`);
      this.#lastMissing = text;
    }
    if (text === "") {
      this.#missingGap = this.#o.missingDelay;
      if (this.#mode === "maintainer") this.#setMode("serving", "all missing ticks recovered or marked");
      return;
    }
    if (this.#mode === "serving" && !this.#o.force && missing[this.name]) {
      this.#setMode("maintainer", `this node's own ticks are missing: ${formatMissing({ [this.name]: missing[this.name]! })}`);
    }
    this.#kickMissing();
  }

  #kickMissing(): void {
    if (this.#missingTimer || this.#mode === "stopped") return;
    const delay = this.#missingGap * (1 + this.#o.random() / 2);
    this.#missingTimer = setTimeout(() => {
      this.#missingTimer = undefined;
      this.#safely("asking for missing ticks", () => this.#requestMissing());
    }, delay);
  }

  #requestMissing(): void {
    if (this.#mode === "stopped") return;
    const all = this.ledger.missing();
    if (Object.keys(all).length > 0 && this.#awaitingPieces()) {
      this.#kickMissing(); // what others asked for meanwhile stays in #seenMissing
      return;
    }
    const req: RangeMap = {};
    for (const [name, state] of Object.entries(all)) {
      using m = RangeSet.fromState(state);
      const seen = this.#seenMissing.get(name);
      if (seen) m.subtractInPlace(seen);
      if (!m.isEmpty) req[name] = m.toState();
    }
    disposeAll(this.#seenMissing);
    if (Object.keys(all).length === 0) {
      this.#missingGap = this.#o.missingDelay;
      this.#waitingForPiecesSince = 0;
      this.#pacing.clear();
      return;
    }
    const { ask, kind } = this.#pacing.plan(all, req);
    const asked = formatMissing(ask);
    if (asked !== "") {
      this.stats.missingRequests++;
      if (kind === "retry") this.stats.missingRetries++;
      this.#log.debug(`asking for missing ticks ${asked}${kind === "gaps" ? " (new gaps; the last request is still being answered)" : kind === "retry" ? " (again)" : ""}`);
      this.#sendInfo(this.#withDropped({ missing: ask }));
    }
    if (kind === "gaps") {
      this.#missingGap = this.#o.missingDelay; // look again soon: the answers are coming
    } else {
      // Backoff only while asking for the same ticks again: nobody has them (yet).
      this.#missingGap = asked !== this.#lastAsked ? this.#o.missingDelay : Math.min(this.#missingGap * 1.5, this.#o.maxMissingDelay);
      this.#lastAsked = asked;
    }
    this.#kickMissing();
  }

  /**
   * Pieces of a long split message are still arriving (Serf carries a 64 KB value as ~150 events,
   * a few dozen a second between two agents): the missing tick may be on its way, and asking again
   * would make its holder send all of it once more, and Serf delivers the newer events first, so
   * the first copy would complete later still. Wait while pieces keep coming, but never longer
   * than the pieces are held (30 s), so a flood of pieces that never complete cannot stop
   * recovery.
   */
  #awaitingPieces(): boolean {
    const now = Date.now();
    if (!this.#pieces.arriving(now - this.#o.missingDelay, LONG_MESSAGE_PIECES)) {
      this.#waitingForPiecesSince = 0;
      return false;
    }
    if (this.#waitingForPiecesSince === 0) this.#waitingForPiecesSince = now;
    if (now - this.#waitingForPiecesSince < this.#pieces.timeout) return true;
    this.#waitingForPiecesSince = 0;
    return false;
  }

  /**
   * Answer a request after a delay. The origin of the requested ticks answers almost at once;
   * the backup (or a holder answering a retry) waits one to two resendDelays, a fallback for an
   * upstream server two to three, so each only steps in when those before it are gone or their
   * answers were lost, and otherwise sees the answer and stays quiet.
   */
  #scheduleResend(urgency: Urgency): void {
    const r = this.#o.random();
    const delay = this.#o.resendDelay * (urgency === "own" ? r * 0.1 : urgency === "backup" ? 1 + r : 2 + r);
    if (this.#resendTimer && !(delay < this.#resendDue - Date.now())) return;
    if (this.#resendTimer) clearTimeout(this.#resendTimer);
    this.#resendDue = Date.now() + delay;
    this.#resendTimer = setTimeout(() => {
      this.#resendTimer = undefined;
      this.#safely("re-sending requested ticks", () => this.#resend());
    }, delay);
  }

  /** Serve what others asked for and nobody has served yet: updates, then known/deleted. */
  #resend(): void {
    if (this.#mode === "stopped") return;
    const out: Answer = { entries: new Set(), known: {}, deleted: {} };
    for (const [name, req] of this.#pendingResend) {
      const n = this.ledger.get(name);
      if (!n) continue;
      using want = req.intersect(n.remoteMissing);
      if (want.isEmpty) continue;
      using served = this.#collectAnswer(name, want, out);
      n.remoteMissing.subtractInPlace(served);
      if (name === this.name) this.#scheduleSecondCopy(served);
    }
    // own ticks asked for again but not sent now (nobody lacks them any more) are not owed a second copy
    const own = this.#pendingResend.get(this.name);
    if (own) this.#pendingTwice.get(this.name)?.subtractInPlace(own);
    disposeAll(this.#pendingResend);
    this.#sendAnswer(out);
  }

  /**
   * Add what this node holds of `ticks` (of node `name`) to `out`: the entries of present ticks,
   * superseded and deleted ones as ranges. Returns the ticks answered (the caller disposes it).
   */
  #collectAnswer(name: string, ticks: RangeSet, out: Answer): RangeSet {
    const n = this.ledger.get(name)!;
    using present = ticks.intersect(n.present);
    for (const t of present.ticks()) {
      const e = this.store.byTick(name, t);
      if (e) out.entries.add(e);
    }
    using sup = ticks.intersect(n.superseded);
    using del = ticks.intersect(n.deleted);
    using supOnly = sup.subtract(del);
    if (!supOnly.isEmpty) out.known[name] = supOnly.toState();
    if (!del.isEmpty) out.deleted[name] = del.toState();
    return present.union(sup).unionInPlace(del);
  }

  #sendAnswer(out: Answer): void {
    const tick = this.ledger.get(this.name)?.tick ?? 0;
    for (const e of out.entries) {
      const msg: Record<string, unknown> = {};
      if (!e.deleted) msg.value = e.value;
      msg.chain = toWire(e.links, e.ended);
      msg.tock = e.tock;
      msg.path = e.path;
      msg.node = this.name;
      msg.tick = tick;
      this.#publish("update", msg);
      this.stats.resent++;
    }
    if (Object.keys(out.known).length || Object.keys(out.deleted).length) this.#sendInfo({ known: out.known, deleted: out.deleted });
  }

  /**
   * Own ticks just re-sent: remember them, and send those asked for again (their first answer was
   * lost) once more, a resendDelay later, so that a second loss in a row is needed to lose them.
   */
  #scheduleSecondCopy(served: RangeSet): void {
    this.#recentResends.add(this.name, served);
    const owed = this.#pendingTwice.get(this.name);
    if (!owed) return;
    using twice = served.intersect(owed);
    owed.subtractInPlace(served);
    if (twice.isEmpty) return;
    const ticks = twice.toState(); // no RangeSet held while the timer waits: stop() only clears timers
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#safely("re-sending requested ticks a second time", () => {
        if (this.#mode === "stopped") return;
        const out: Answer = { entries: new Set(), known: {}, deleted: {} };
        using again = RangeSet.fromState(ticks);
        this.#collectAnswer(this.name, again, out).dispose();
        this.#sendAnswer(out);
      });
    }, this.#o.resendDelay);
    this.#timers.add(timer);
  }

  // ---- data (refused unless serving) ----

  /**
   * Data requests need a serving node. Reads of internal paths (a first element starting with
   * ".", such as upstream's .moat.kv.config) are maintenance and always allowed.
   */
  #requireServing(action: string, path?: Path): void {
    if (this.#mode === "observing" && !/^(set|delete)_value$/.test(action)) return; // an observer reads what it heard
    if (this.#mode === "serving" || (this.#o.force && this.#mode !== "stopped")) return;
    const first = path?.elements[0];
    if (typeof first === "string" && first.startsWith(".") && this.#mode === "maintainer") return;
    if (this.#mode === "maintainer") {
      throw new NotServingError(`maintainer-only: missing ticks ${formatMissing(this.ledger.missing())}`);
    }
    throw new NotServingError(`${action}: node ${this.name} is ${this.#mode}; it does not serve data yet`);
  }

  /** The entry at a path (undefined when absent or deleted). */
  get(path: Path): Entry | undefined {
    this.#requireServing("get_value", path);
    const e = this.store.get(path);
    return e && !e.deleted ? e : undefined;
  }

  /** Entries at and below a path, in upstream's tree order (deleted ones left out). */
  tree(path: Path = new Path()): Entry[] {
    this.#requireServing("get_tree", path);
    return this.store.walk(path).flatMap(({ entry: e }) => (e && !e.deleted ? [e] : []));
  }

  set(path: Path, value: unknown): ChangeResult {
    this.#requireServing("set_value");
    return this.#change(path, value, false);
  }

  /**
   * Delete the value at a path. As upstream, deleting what is absent or deleted already still
   * spends a tick (it writes a tombstone) but reports `changed: false`.
   */
  delete(path: Path): ChangeResult {
    this.#requireServing("delete_value");
    const cur = this.store.get(path);
    const r = this.#change(path, undefined, true);
    return cur && !cur.deleted ? { ...r, prev: cur.value } : { ...r, changed: false };
  }

  /** The entry at a path, a deletion tombstone included (get_value answers those too). */
  entryAt(path: Path): Entry | undefined {
    this.#requireServing("get_value", path);
    return this.store.get(path);
  }

  /** A local change: the next tick, the chain extended, applied, saved and broadcast. */
  #change(path: Path, value: unknown, deleted: boolean): ChangeResult {
    const tick = tickSucc(this.ledger.ensure(this.name).tick);
    const cur = this.store.get(path);
    const curLinks = cur ? cur.links : [];
    const links = extend(this.name, tick, curLinks);
    const ended = cur ? cur.ended : true;
    const tock = this.ledger.nextTock();
    this.ledger.applyParsedUpdate({ links, ended, deleted, tock, sender: undefined, senderTick: undefined }, curLinks, true);
    const entry: Entry = { path, value: deleted ? undefined : value, deleted, links, ended, tock };
    this.store.set(entry);
    this.#writer?.appendUpdate({ node: this.name, tick, prev: toWire(links.slice(1), ended), path, value, deleted, tock });
    // upstream's key order: node, tick, prev, path, value, tock; the chain bounded for the wire
    const wire: Record<string, unknown> = { node: this.name, tick, prev: toWire(links.slice(1), ended, this.#o.chainLength - 1), path };
    if (!deleted) wire.value = value;
    wire.tock = tock;
    this.#publish("update", wire);
    this.#emit("entry", entry);
    if (this.#o.idleAnnounce > 0) {
      if (this.#idleTimer) clearTimeout(this.#idleTimer);
      this.#idleTimer = setTimeout(() => {
        this.#idleTimer = undefined;
        if (this.#mode !== "stopped") this.#safely("announcing ticks", () => this.#announce());
      }, this.#o.idleAnnounce);
    }
    return { changed: true, tick, tock };
  }

  /**
   * The entry whose chain holds node's tick (get_value by node and tick). A repair tool: it
   * works in maintainer-only mode too, like the other reads by tick.
   */
  entryByTick(node: string, tick: Tick): Entry | undefined {
    return this.store.byTick(node, tick);
  }

  /** Ticks of a node held in entries here, sorted; `current`: only where it made the newest change. */
  enumNode(node: string, current = false): Tick[] {
    if (!this.ledger.get(node)) throw new MessageError(`enum_node: unknown node ${JSON.stringify(node)}`, "node");
    const out: Tick[] = [];
    for (const tick of this.store.ticksOf(node)) if (!current || this.store.byTick(node, tick)!.headNode === node) out.push(tick);
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Drop a node from the cluster (upstream's kill_node): refused while one of its changes is the
   * newest of an entry here (deleted entries too, as upstream); else it leaves every chain and the
   * ledger, so its missing ticks are no longer asked for, and every server is told (node_drop).
   */
  killNode(node: string): void {
    if (!this.ledger.get(node)) throw new MessageError(`kill_node: unknown node ${JSON.stringify(node)}`, "node");
    const current = this.store.currentTickOf(node);
    if (current !== undefined) throw new MessageError(`Node ${node} has entry ${current}`, "node");
    this.#forget(node);
    this.ledger.dropNode(node);
    this.#sendInfo({ node_drop: [node] });
    this.#check();
  }

  /** A node this server keeps although it is dropped elsewhere: one of its changes is the newest of an entry here. */
  readonly #keepsNode = (node: string): boolean => this.store.currentTickOf(node) !== undefined;

  /** Take a dropped node out of the entries' chains, the pending answers and the state file. */
  #forget(node: string): void {
    const chains = this.store.dropFromChains(node);
    this.#pendingResend.get(node)?.dispose();
    this.#pendingResend.delete(node);
    this.#writer?.appendState({ node_drop: [node], node: this.name, tock: this.ledger.tock });
    this.#log.info(`dropped node ${node} from the cluster${chains ? `; it left ${chains} entries' chains` : ""}`);
  }

  /** Write a snapshot to a file now (upstream's `log save`). */
  saveSnapshot(file: string): void {
    StateFileWriter.open(this.#storage(), file, this.#snapshot()).close();
    this.#log.info(`saved a snapshot to ${file}`);
  }

  /**
   * Write the state (with the entries when `entries`, as upstream's `log` with `fetch`) to a
   * file, then append every change (upstream's `log dest`; `-i` leaves the entries out).
   */
  logTo(file: string, entries = true): void {
    this.#writer?.close();
    this.#openWriter(file, entries);
  }

  stopLog(): void {
    this.#writer?.close();
    this.#writer = undefined;
  }

  /** Send a payload on any topic of the broker (msg_send); not part of the gossip. */
  publishTopic(topic: readonly string[], payload: Uint8Array): void {
    if (!this.#transport.publishTopic) throw new MessageError("msg_send: this node's transport cannot send to other topics", "topic");
    if (!this.#o.passive) this.#transport.publishTopic(topic, payload);
  }

  // ---- maintenance (always allowed) ----

  getState(flags: StateFlags): StateReply {
    return this.ledger.getState(flags);
  }

  /** The operator's mark; with `broadcast` every server gets the same (fake_info_send). */
  mark(node: string, ticks: Parameters<TickLedger["mark"]>[1], options: { deleted?: boolean; broadcast?: boolean; dryRun?: boolean } = {}): MarkResult {
    const result = this.ledger.mark(node, ticks, options);
    if (options.dryRun) return result;
    const { node: _n, tick: _t, ...body } = result.message;
    this.#writer?.appendState({ ...(options.deleted ? { deleted: body.deleted } : { known: body.superseded }), node: this.name, tock: this.ledger.tock });
    if (options.broadcast) this.fakeInfoSend(body);
    this.#check();
    return result;
  }

  /** The Delete actor's purge: these ticks' deletions were seen by every deleter (upstream's purge_deleted). */
  purgeDeleted(deleted: Map<string, RangeSet>): void {
    purgeDeleted(deleted, this.store, this.ledger);
    if (this.#writer && deleted.size) this.#writer.appendState({ known: Object.fromEntries([...deleted].map(([n, r]) => [n, r.toState()])), node: this.name, tock: this.ledger.tock });
  }

  /** Upstream's check_deleted: broadcast `info {deleted}` for the asked ticks no entry here holds; returns them. */
  checkDeleted(nodes: unknown): RangeMap {
    const deleted = deletedAmong(nodes, this.store);
    if (Object.keys(deleted).length) this.#sendInfo({ deleted });
    return deleted;
  }

  /**
   * Apply an info message locally as if a server sent it (upstream's fake_info). It comes from
   * nobody (""), unless it names a source node (upstream's CLI sends "?" for none): then it
   * counts as that node's, and a server of that name ignores it, as its own.
   */
  fakeInfo(msg: InfoMessage): void {
    this.#onInfo({ ...msg, node: fakeSource(msg.node), tick: 0 });
    this.#check();
  }

  /** Broadcast an info message to every server (fake_info_send), without request fields. */
  fakeInfoSend(msg: InfoMessage): void {
    const { node, tick: _t, tock: _k, ...body } = msg as InfoMessage & Record<string, unknown>;
    delete body.action;
    delete body.seq;
    this.#publish("info", { ...body, node: fakeSource(node), tick: 0, tock: this.ledger.nextTock() });
  }

  // ---- state files and joining ----

  /** Apply a snapshot (from a state file or a running server): ledger state, then entries. */
  importState(state: Pick<InfoMessage, "nodes" | "known" | "superseded" | "deleted" | "remote_missing" | "present" | "node_drop"> & { tock?: Tick }): void {
    const eff = this.ledger.applyInfo({
      nodes: state.nodes, known: state.known ?? state.superseded, deleted: state.deleted, remote_missing: state.remote_missing, present: state.present, tock: state.tock,
      node_drop: state.node_drop, node: "",
    }, this.#keepsNode);
    for (const n of eff.dropped) this.#forget(n);
  }

  /** Apply one entry or update record as an update (chain comparison decides). */
  importUpdate(msg: UpdateMessage): void {
    this.#onUpdate(msg);
  }

  #storage(): StateStorage {
    if (!this.#o.storage) throw new Error("state files need a storage: pass options.storage (fsStorage in Node and Deno)");
    return this.#o.storage;
  }

  #loadFile(file: string): void {
    const storage = this.#storage();
    if (!storage.exists(file)) {
      this.#log.info(`no state file ${file} yet; starting empty`);
      return;
    }
    const { records, truncated } = readStateFile(storage, file);
    for (const r of records) {
      if (r.kind === "state") this.importState(r);
      else {
        const msg: UpdateMessage = r.kind === "entry" ? { chain: r.chain, path: r.path, tock: r.tock } as UpdateMessage
          : { node: r.node, tick: r.tick, ...(r.prev !== undefined ? { prev: r.prev } : {}), path: r.path, tock: r.tock };
        if (!r.deleted) msg.value = r.value;
        this.#onUpdate(msg);
      }
    }
    this.#log.info(`loaded ${file}: ${records.length} records, ${this.store.size} entries${truncated ? "; the last record was cut short (a crash while writing) and is ignored" : ""}`);
  }

  #snapshot(): Snapshot {
    const s = this.ledger.getState({ nodes: true, known: true, deleted: true, node_drop: true });
    return {
      state: { nodes: s.nodes ?? {}, known: s.known ?? {}, deleted: s.deleted ?? {}, node_drop: s.node_drop, node: this.name, tock: s.tock },
      entries: this.store.sorted().map((e) => ({ path: e.path, value: e.value, deleted: e.deleted, chain: toWire(e.links, e.ended)!, tock: e.tock })),
    };
  }

  #openWriter(file: string, entries = true): void {
    // with entries, the file is rewritten as a snapshot now and then so that it stays bounded
    const snapshot = entries ? this.#snapshot() : { ...this.#snapshot(), entries: [] };
    this.#writer = entries ? new RotatingStateFile(this.#storage(), file, () => this.#snapshot()) : StateFileWriter.open(this.#storage(), file, snapshot);
    this.#log.info(`saving to ${file}: ${snapshot.entries.length} entries, then every change`);
  }
}
