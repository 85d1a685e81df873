// Upstream's Delete actor (moat/kv/actor/deletor.py and server.py's _delete_also, purge_deleted):
// a tombstone may be forgotten only once every deleter node has seen its deletion; until then a
// server that missed it could resurrect the entry. The deleter nodes (the internal entry
// `actor del` {nodes: [...]}) run an actor on `<root>/del`; every other server listens only.
//
//   mark      every link of a deletion's chain is remembered (mark); every `flushEvery` ms the
//             collected ticks join a queue under the current tock, unless there are no deleters.
//   value     a deleter's actor value is (oldest, newest) of the last 4 tocks at which it was "it".
//   tag       while the actor's history holds all n deleters: after the third such turn, purge
//             what was queued before the oldest of those tocks; then note the current tock.
//   ping      a ping whose history holds all n deleters counts; after n + 1 of them, purge what
//             was queued before the pinger's oldest tock, unless that oldest tock is beyond the
//             newest one seen before (we missed a whole round: resync with the deleters instead).
//   a ping without value or with a short history restarts the count.
//
// The rules, numbers and quirks are upstream's; this file only keeps them apart from the actor's
// transport (see node-deleter.ts) so that they can be driven directly.

import { RangeSet } from "../core/range-set.js";
import { tickMax, type Tick } from "../core/tick.js";
import type { ActorValue } from "./actor/messages.js";
import type { Link } from "./chain.js";
import { disposeAll } from "./ranges-by-node.js";

/** Tocks a deleter remembers of its turns (upstream's TAGS). */
export const TAGS = 4;

/** What the Delete actor asks of its server. */
export interface DeleteActorHooks {
  /** A fresh tock (upstream's server.tock, which counts up on every read). */
  tock(): Tick;
  /** These ticks' deletions were seen by every deleter: forget them (upstream's purge_deleted). */
  purge(deleted: Map<string, RangeSet>): void;
  /** We fell behind the deleters: resync with one of these nodes (upstream's resync_deleted). */
  resync(history: string[]): void;
}

export class DeleteActor {
  /** Deleter nodes in the cluster (0: none, nothing is ever purged). */
  nNodes = 0;
  /** Whether this node is a deleter (pings on `<root>/del`). */
  enabled = false;
  #value: ActorValue = null;
  readonly #hooks: DeleteActorHooks;
  /** Deletions seen since the last flush (upstream's _delete_also_nodes). */
  #pending = new Map<string, RangeSet>();
  /** Flushed deletions with the tock of their flush, oldest first (upstream's deleted deque). */
  readonly #queue: { tock: Tick; nodes: Map<string, RangeSet> }[] = [];
  #tags: Tick[] = [];
  #maxSeen: Tick = 0;
  #nTags = 0;
  #nPings = 0;

  constructor(hooks: DeleteActorHooks) {
    this.#hooks = hooks;
  }

  /** The actor value: (oldest, newest) of our last turns' tocks, null before the first. */
  get value(): ActorValue {
    return this.#value;
  }

  /** Deletions waiting to be purged: [queued batches, ticks in them and in the pending set]. */
  get backlog(): { batches: number; ticks: number } {
    let ticks = 0;
    const count = (m: Map<string, RangeSet>) => { for (const r of m.values()) ticks += Number(r.count()); };
    count(this.#pending);
    for (const b of this.#queue) count(b.nodes);
    return { batches: this.#queue.length, ticks };
  }

  /** A deletion's chain: every link will be purged with it (upstream's Entry.mark_deleted). */
  mark(links: readonly Link[]): void {
    for (const l of links) {
      let r = this.#pending.get(l.node);
      if (!r) this.#pending.set(l.node, (r = new RangeSet()));
      r.add(l.tick);
    }
  }

  /** Queue what was marked under the current tock (upstream's _delete_also, every 10 s). */
  flush(): void {
    if (this.#pending.size === 0) return;
    const nodes = this.#pending;
    this.#pending = new Map();
    if (this.nNodes === 0) {
      disposeAll(nodes); // no deleters: nobody ever purges, so nothing is kept for it
      return;
    }
    this.#queue.push({ tock: this.#hooks.tock(), nodes });
  }

  /** Purge every batch queued before `tock`. */
  purgeTo(tock: Tick): void {
    while (this.#queue.length > 0 && this.#queue[0]!.tock < tock) {
      const b = this.#queue.shift()!;
      try {
        this.#hooks.purge(b.nodes);
      } finally {
        disposeAll(b.nodes);
      }
    }
  }

  /** The deleter list changed: `n` deleters, this node among them or not (upstream's del_check). */
  configure(n: number, member: boolean): void {
    this.enabled = member;
    this.nNodes = n;
    this.#nTags = 0;
    this.#nPings = 0;
  }

  /** The actor's ping event: `value` the pinger's, `history` that of its message. */
  onPing(value: ActorValue, history: readonly string[]): "purged" | "resync" | "counted" | "reset" {
    if (value === null || history.length < this.nNodes) {
      this.#nPings = this.#nTags = 0;
      return "reset";
    }
    this.#nPings++;
    if (this.#nPings <= this.nNodes) return "counted";
    const mx = this.#maxSeen;
    this.#maxSeen = tickMax(this.#maxSeen, value[1] ?? 0);
    if (mx > 0 && value[0] > mx) {
      this.#hooks.resync([...history]);
      return "resync";
    }
    this.purgeTo(value[0]);
    return "purged";
  }

  /** Our turn came (tag event); `historySize` the actor's history length now. */
  onTag(historySize: number): void {
    if (historySize !== this.nNodes) return;
    this.#nTags++;
    if (this.#nTags > 2) this.purgeTo(this.#tags[0]!);
    this.#tags.push(this.#hooks.tock());
    this.#tags = this.#tags.slice(-TAGS);
    this.#value = [this.#tags[0]!, this.#tags.at(-1)!];
  }

  dispose(): void {
    disposeAll(this.#pending);
    for (const b of this.#queue.splice(0)) disposeAll(b.nodes);
  }
}
