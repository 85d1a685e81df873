// A node's part in upstream's actor protocol on `<root>/ping`: what upstream's server does with
// its actor's events (`_pinger` in moat/kv/server.py), on top of the Actor state machine.
//
//   tag       we are "it": ask for missing ticks now (upstream's _send_missing).
//   good      while not ready: the named ready nodes are sources to copy data from
//             (upstream's fetch_data; the node waits for them at start-up, see findSource).
//   recover   two histories met after a split: announce our ticks after a delay that grows
//             with our place on our side (0: at once), then ask for what is missing, as
//             upstream's recover_split does in its steps 1 and 2 (re-sending is the node's
//             usual answer to those requests, step 3).

import { encodeValue } from "../../wire/codec.js";
import type { Log } from "../log.js";
import { Actor, type ActorClock, type ActorEvent } from "./actor.js";
import { parseActorMessage, type ActorConfig, type ActorValue } from "./messages.js";

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

export class NodeActor {
  readonly actor: Actor;
  readonly #h: NodeActorHooks;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #goodWaiters = new Set<(nodes: string[]) => void>();
  #stopped = false;

  constructor(hooks: NodeActorHooks) {
    this.#h = hooks;
    this.actor = new Actor({
      name: hooks.name, config: hooks.config, random: hooks.random, clock: hooks.clock,
      value: hooks.value,
      send: (msg) => hooks.publish(encodeValue(msg)),
      onEvent: (e) => this.#onEvent(e),
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
  }

  /** A decoded message from `<root>/ping`; a bad one is logged as one line and dropped. */
  receive(msg: unknown): void {
    let m;
    try {
      m = parseActorMessage(msg);
    } catch (e) {
      this.#h.log.warn(`dropped ping: ${(e as Error).message}`);
      return;
    }
    this.actor.receive(m);
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

  #later(ms: number, what: string, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (this.#stopped) return;
      try {
        fn();
      } catch (e) {
        this.#h.log.warn(`${what} failed: ${(e as Error).message}`);
      }
    }, ms);
    this.#timers.add(t);
  }

  #onEvent(e: ActorEvent): void {
    if (e.type === "tag") this.#h.askMissing();
    else if (e.type === "good") for (const w of [...this.#goodWaiters]) w(e.nodes);
    else if (e.type === "recover") {
      this.#h.log.info(`split recovery: our side ${e.local.join(":")} met ${e.remote.join(":")}; our place ${e.prio}`);
      const clock = this.actor.config.cycle * 1000;
      const step1 = clock * (1 - 1 / 2 ** e.prio);
      this.#later(step1, "announcing ticks for split recovery", () => this.#h.announce());
      this.#later(step1 + (clock * (2 - 1 / 2 ** e.prio)) / 2, "asking for missing ticks after a split", () => this.#h.askMissing());
    }
  }
}
