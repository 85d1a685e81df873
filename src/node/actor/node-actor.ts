// A node's part in upstream's actor protocol on `<root>/ping`: what upstream's server does with
// its actor's events (`_pinger` in moat/kv/server.py), on top of the Actor state machine.
//
//   tag       we are "it": ask for missing ticks now (upstream's _send_missing).
//   good      while not ready: the named ready nodes are sources to copy data from
//             (upstream's fetch_data; the node waits for them at start-up, see findSource).
//   recover   two histories met after a split: announce our ticks after a delay that grows
//             with our place on our side (0: at once), then ask for what is missing, as
//             upstream's recover_split does in its steps 1 and 2; a step is skipped when another
//             node of our side took it first (its `info` with ticks, or with missing, arrived),
//             and a newer recovery takes over the nodes of an older one. Step 3, re-sending, is
//             the node's usual answer to those requests.

import { encodeValue } from "../../wire/codec.js";
import type { Log } from "../log.js";
import { Actor, type ActorClock, type ActorEvent } from "./actor.js";
import type { ActorConfig, ActorValue } from "./messages.js";

export interface NodeActorHooks {
  name: string;
  config?: Partial<ActorConfig>;
  random: () => number;
  clock?: ActorClock;
  log: Log;
  /** Publish a payload on `<root>/ping`. */
  publish(payload: Uint8Array): void;
  /** null while the node is not ready (has no complete data), else [tock, own tick]. */
  value(): ActorValue;
  /** Ask the cluster for missing ticks now. */
  askMissing(): void;
  /** Announce our ticks (info {ticks}). */
  announce(): void;
}

/** One split recovery in progress (upstream's _RecoverControl). */
interface Recovery {
  /** Nodes of our side (not also on the other side) whose info messages pre-empt our steps. */
  local: Set<string>;
  /** Steps another node of our side took already: 1 (ticks), 2 (missing). */
  taken: Set<1 | 2>;
  /** Wakes the step now waiting, when another node takes it. */
  wake?: () => void;
  cancelled: boolean;
}

export class NodeActor {
  readonly actor: Actor;
  readonly #h: NodeActorHooks;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #goodWaiters = new Set<(nodes: string[]) => void>();
  readonly #recoveries = new Set<Recovery>();
  #stopped = false;

  constructor(hooks: NodeActorHooks) {
    this.#h = hooks;
    this.actor = new Actor({
      name: hooks.name, config: hooks.config, random: hooks.random, clock: hooks.clock,
      value: hooks.value,
      send: (msg) => hooks.publish(encodeValue(msg)),
      onEvent: (e) => this.handle(e),
      log: (level, line) => (level === "warn" ? hooks.log.warn(line) : hooks.log.info(line)),
    });
  }

  start(): void {
    this.actor.start();
  }

  stop(): void {
    this.#stopped = true;
    this.actor.stop();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const w of this.#goodWaiters) w([]);
    this.#goodWaiters.clear();
    for (const r of this.#recoveries) this.#cancel(r);
  }

  /**
   * Another server's `info` arrived: with ticks it takes step 1 of a split recovery, with
   * missing step 2, for every recovery whose side it is on.
   */
  infoSeen(from: string, msg: { ticks?: unknown; missing?: unknown }): void {
    for (const r of this.#recoveries) {
      if (!r.local.has(from)) continue;
      if (msg.ticks !== undefined) r.taken.add(1);
      if (msg.missing !== undefined) r.taken.add(2);
      r.wake?.();
    }
  }

  /** A decoded message from `<root>/ping`; a bad one is logged as one line and dropped. */
  receive(msg: unknown): void {
    this.actor.receiveWire(msg, (why) => this.#h.log.warn(`dropped ping: ${why}`));
  }

  /**
   * Wait for the actor to name ready nodes and copy from the first one `copy` succeeds with
   * (it throws for a node it cannot reach), as upstream's fetch_data; give up after `ms`.
   * Resolves with the source's name, or undefined.
   */
  async findSource(copy: (source: string) => Promise<void>, ms: number): Promise<string | undefined> {
    const until = Date.now() + ms;
    const tried = new Set<string>();
    while (!this.#stopped && Date.now() < until) {
      const nodes = await this.#nextGood(until - Date.now());
      for (const n of nodes) {
        if (n === this.#h.name || tried.has(n)) continue;
        tried.add(n);
        try {
          await copy(n);
          return n;
        } catch (e) {
          this.#h.log.warn(`could not copy from ${n}, which the actor named as ready: ${(e as Error).message}`);
        }
      }
    }
    return undefined;
  }

  #nextGood(ms: number): Promise<string[]> {
    return new Promise((resolve) => {
      const done = (nodes: string[]) => {
        clearTimeout(t);
        this.#timers.delete(t);
        this.#goodWaiters.delete(done);
        resolve(nodes);
      };
      const t = setTimeout(() => done([]), Math.max(0, ms));
      this.#timers.add(t);
      this.#goodWaiters.add(done);
    });
  }

  /** What the node does with an actor event (public for tests). */
  handle(e: ActorEvent): void {
    if (e.type === "tag") this.#h.askMissing();
    else if (e.type === "good") for (const w of [...this.#goodWaiters]) w(e.nodes);
    else if (e.type === "recover") {
      this.#h.log.info(`split recovery: our side ${e.local.join(":")} met ${e.remote.join(":")}; our place ${e.prio}`);
      void this.#recover(e.prio, e.local, e.remote);
    }
  }

  async #recover(prio: number, localNodes: string[], remoteNodes: string[]): Promise<void> {
    const remote = new Set(remoteNodes);
    const r: Recovery = { local: new Set(localNodes.filter((n) => !remote.has(n) && n !== this.#h.name)), taken: new Set(), cancelled: false };
    // a newer recovery takes over the nodes of older ones; one left without nodes ends
    for (const old of this.#recoveries) {
      for (const n of r.local) old.local.delete(n);
      if (old.local.size === 0) this.#cancel(old);
    }
    this.#recoveries.add(r);
    const clock = this.actor.config.cycle * 1000;
    const part = 1 / 2 ** prio;
    try {
      // step 1: info {ticks}; at once for the first node of our side
      if (!(await this.#stepWait(r, 1, clock * (1 - part)))) this.#h.announce();
      // step 2: ask for what is missing
      if (!(await this.#stepWait(r, 2, (clock * (2 - part)) / 2))) this.#h.askMissing();
    } catch (e) {
      this.#h.log.warn(`split recovery failed: ${(e as Error).message}`);
    } finally {
      this.#recoveries.delete(r);
    }
  }

  /** Wait `ms`, or less when another node takes the step; true: taken (or cancelled), skip it. */
  #stepWait(r: Recovery, step: 1 | 2, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.#timers.delete(t);
        r.wake = undefined;
        resolve(r.cancelled || this.#stopped || r.taken.has(step));
      };
      if (r.cancelled || r.taken.has(step)) return resolve(true);
      const t = setTimeout(done, Math.max(0, ms));
      this.#timers.add(t);
      r.wake = () => {
        if (r.cancelled || r.taken.has(step)) done();
      };
    });
  }

  #cancel(r: Recovery): void {
    r.cancelled = true;
    r.local.clear();
    this.#recoveries.delete(r);
    r.wake?.();
  }
}
