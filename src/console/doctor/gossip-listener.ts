// Who is alive, from the gossip: listens on a GossipTransport (never publishes) and records when
// each node was last heard, and which nodes take part in the ping actor (the servers). The
// gossip carries no addresses: a server's client port comes from --server or a hostmap.
// Browser-safe.

import type { Action, GossipTransport } from "../../transport/transport.js";
import { decodeValue } from "../../wire/codec.js";
import type { GossipHeard } from "./diagnose.js";

export class GossipListener {
  readonly from: number;
  readonly #heard: GossipHeard["heard"] = {};
  /** Nodes that ping (t init, vers or ping), appear in a ping's history or send info: servers. */
  readonly servers = new Set<string>();
  readonly #now: () => number;

  constructor(transport: GossipTransport, now: () => number = Date.now) {
    this.#now = now;
    this.from = now();
    transport.onMessage((action, payload) => this.#hear(action, payload));
  }

  #saw(node: unknown, how: string): void {
    if (typeof node !== "string" || node === "") return;
    this.#heard[node] = { at: this.#now(), how };
  }

  #hear(action: Action, payload: Uint8Array): void {
    let m: unknown;
    try {
      m = decodeValue(payload);
    } catch {
      return; // not ours to judge: the servers log bad gossip
    }
    if (m === null || typeof m !== "object" || Array.isArray(m)) return;
    const msg = m as Record<string, unknown>;
    // upstream splits big messages into {_p0: [node, seq, i, chunk]}
    if (Array.isArray(msg._p0)) return this.#saw(msg._p0[0], action);
    if (action === "ping") {
      if (typeof msg.node === "string" && (msg.t === "init" || msg.t === "vers" || msg.t === "ping")) this.servers.add(msg.node);
      this.#saw(msg.node, "ping");
      if (Array.isArray(msg.history)) {
        for (const n of msg.history) {
          if (typeof n !== "string" || n === "") continue;
          this.servers.add(n);
          if (!this.#heard[n]) this.#saw(n, "named in a ping's history");
        }
      }
      return;
    }
    // an info carrying the sender's tick (heartbeats, requests) comes from a server
    if (action === "info" && typeof msg.node === "string" && msg.node !== "" && "tick" in msg) this.servers.add(msg.node);
    if (action === "update" || action === "info") this.#saw(msg.node, action);
  }

  /** What was heard until now. */
  heard(): GossipHeard {
    return { from: this.from, to: this.#now(), heard: { ...this.#heard } };
  }
}
