// A node's Delete actor on `<root>/del` (upstream's DeleteActor.run and server.del_check): an
// actor that starts listen-only and pings only while this node is on the deleter list, the rules
// of delete-actor.ts fed with its events, and the 10-second flush of marked deletions
// (upstream's _delete_also). The deleter list is the internal entry `actor del`, {nodes: [...]};
// the node calls setList whenever that entry changes.

import { encodeValue } from "../wire/codec.js";
import { isMap } from "../wire/parse.js";
import { Actor, type ActorClock, type ActorEvent } from "./actor/actor.js";
import type { ActorConfig } from "./actor/messages.js";
import { DeleteActor, type DeleteActorHooks } from "./delete-actor.js";
import type { Link } from "./chain.js";
import type { Log } from "./log.js";
import { Path } from "../wire/path.js";
import type { Entry } from "./entry-store.js";
import type { RangeSet } from "../core/range-set.js";
import type { Tick } from "../core/tick.js";

/** Upstream's server.delete config (moat/kv/_config.yaml), which its `vers` messages on `del` carry. */
export const DELETE_DEFAULTS: Readonly<ActorConfig> = Object.freeze({ cycle: 100, gap: 10, nodes: 5, splits: 4, n_hosts: 10, version: 1, force_in: 0 });

/** How often marked deletions are queued (upstream: every 10 s). */
export const FLUSH_EVERY = 10_000;

export interface NodeDeleterOptions extends DeleteActorHooks {
  name: string;
  /** Publish a payload on `<root>/del`. */
  publish(payload: Uint8Array): void;
  log: Log;
  config?: Partial<ActorConfig>;
  flushEvery?: number;
  random?: () => number;
  clock?: ActorClock;
}

/** The deleter node names in an `actor del` value ({nodes: [...]}, or a bare list as old upstream wrote). */
export function deleterNodes(value: unknown): string[] {
  const v = isMap(value) ? value.nodes : value;
  return Array.isArray(v) ? v.filter((n): n is string => typeof n === "string") : [];
}

export class NodeDeleter {
  readonly actor: Actor;
  readonly rules: DeleteActor;
  readonly #o: NodeDeleterOptions;
  #flushTimer: ReturnType<typeof setInterval> | undefined;
  #nodes: string[] = [];

  constructor(o: NodeDeleterOptions) {
    this.#o = o;
    this.rules = new DeleteActor(o);
    this.actor = new Actor({
      name: o.name, enabled: false, config: { ...DELETE_DEFAULTS, ...o.config }, random: o.random, clock: o.clock,
      value: () => this.rules.value,
      send: (msg) => o.publish(encodeValue(msg)),
      onEvent: (e) => this.#handle(e),
      log: (level, line) => (level === "warn" ? o.log.warn(`del ${line}`) : o.log.info(`del ${line}`)),
    });
  }

  /** The deleter nodes now in force. */
  get nodes(): string[] {
    return [...this.#nodes];
  }

  start(): void {
    this.actor.start();
    this.#flushTimer = setInterval(() => this.rules.flush(), this.#o.flushEvery ?? FLUSH_EVERY);
    this.#flushTimer.unref?.();
  }

  stop(): void {
    this.actor.stop();
    if (this.#flushTimer) clearInterval(this.#flushTimer);
    this.#flushTimer = undefined;
    this.rules.dispose();
  }

  /** The `actor del` entry's value now (undefined: absent or deleted), as upstream's del_check. */
  setList(value: unknown): void {
    const nodes = value === undefined ? [] : deleterNodes(value);
    const before = this.#nodes.join(",");
    this.#nodes = nodes;
    const member = nodes.includes(this.#o.name);
    this.rules.configure(nodes.length, member);
    if (member) this.actor.enable(nodes.length);
    else this.actor.disable();
    if (before !== nodes.join(",")) this.#o.log.info(nodes.length ? `deleters: ${nodes.join(", ")}${member ? " (this node among them)" : ""}` : "no deleters: deleted entries are kept");
  }

  /** A deletion's chain (local or from gossip). */
  mark(links: readonly Link[]): void {
    this.rules.mark(links);
  }

  /** A decoded message from `<root>/del`; a bad one is logged and dropped. */
  receive(msg: unknown): void {
    this.actor.receiveWire(msg, (why) => this.#o.log.warn(`dropped del: ${why}`));
  }

  #handle(e: ActorEvent): void {
    if (e.type === "ping") this.rules.onPing(e.value, e.history);
    else if (e.type === "tag") this.rules.onTag(this.actor.history.length);
  }
}

/** The internal entry holding the deleter list: upstream's (None, "actor", "del"). */
export const DELETER_PATH = Path.of(null, "actor", "del");

/** What a node needs of its Delete actor besides its own store and ledger. */
export interface DeleterSettings {
  /** Queue marked deletions this often, ms (default 10 s, as upstream). */
  flushEvery?: number;
  /** The `del` actor's timings (default upstream's server.delete: cycle 100, gap 10). */
  config?: Partial<ActorConfig>;
  /** We fell behind the deleters: send them our entries' head ticks (check_deleted), see resync-deleted.ts. */
  resync?: (deleters: string[]) => Promise<void>;
}

/** What the Delete actor needs of its node (a TicktockNode). */
export interface DeleterHost {
  readonly name: string;
  readonly ledger: { nextTock(): Tick };
  purgeDeleted(deleted: Map<string, RangeSet>): void;
  on(event: "entry", fn: (e: Entry) => void): () => void;
}

/** A node's Delete actor: marks its deletions, follows its deleter-list entry, purges into its store. */
export function nodeDeleter(node: DeleterHost, publish: (payload: Uint8Array) => void, log: Log, s: DeleterSettings = {}, random?: () => number): NodeDeleter {
  let resyncing = false;
  const d = new NodeDeleter({
    name: node.name, publish, log, config: s.config, flushEvery: s.flushEvery, random,
    tock: () => node.ledger.nextTock(),
    purge: (m) => node.purgeDeleted(m),
    resync: (history) => {
      if (!s.resync || resyncing) return;
      resyncing = true;
      const deleters = history.filter((n) => n !== node.name);
      s.resync(deleters).catch((e: Error) => log.warn(`resync with the deleters ${deleters.join(", ")} failed: ${e.message}`)).finally(() => (resyncing = false));
    },
  });
  node.on("entry", (e) => {
    if (e.deleted) d.mark(e.links);
    // elements first: a key would be computed, and kept on the stored path, for every entry
    if (e.path.length === DELETER_PATH.length && e.path.elements[0] === null && e.path.key === DELETER_PATH.key) d.setList(e.deleted ? undefined : e.value);
  });
  return d;
}
