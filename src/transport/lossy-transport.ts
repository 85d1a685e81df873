// A fault-injecting wrapper: drops a share of the messages a node receives (and optionally
// sends), as upstream's own recovery test does. For tests and benchmarks of recovery.

import type { Action, GossipTransport, TransportState } from "./transport.js";

export interface LossOptions {
  /** Share of received messages dropped, 0..1. */
  dropIn?: number;
  /** Share of sent messages dropped, 0..1. */
  dropOut?: number;
  /** Only these actions are dropped (default: all). */
  actions?: Action[];
  /** Random source in [0, 1). */
  random?: () => number;
}

export class LossyTransport implements GossipTransport {
  readonly inner: GossipTransport;
  readonly options: LossOptions;
  dropped = 0;
  /** Turn loss off (e.g. to let a cluster settle). */
  enabled = true;

  constructor(inner: GossipTransport, options: LossOptions) {
    this.inner = inner;
    this.options = options;
  }

  #drop(share: number | undefined, action: Action): boolean {
    if (!this.enabled || !share) return false;
    if (this.options.actions && !this.options.actions.includes(action)) return false;
    if ((this.options.random ?? Math.random)() >= share) return false;
    this.dropped++;
    return true;
  }

  get state(): TransportState {
    return this.inner.state;
  }
  get gossip(): GossipTransport["gossip"] {
    return this.inner.gossip;
  }
  start(): Promise<void> {
    return this.inner.start();
  }
  publish(action: Action, payload: Uint8Array): void {
    if (!this.#drop(this.options.dropOut, action)) this.inner.publish(action, payload);
  }
  publishTopic(topic: readonly string[], payload: Uint8Array): void {
    if (!this.inner.publishTopic) throw new Error("the wrapped transport cannot send to other topics");
    this.inner.publishTopic(topic, payload);
  }
  onMessage(handler: (action: Action, payload: Uint8Array) => void): void {
    this.inner.onMessage((action, payload) => {
      if (!this.#drop(this.options.dropIn, action)) handler(action, payload);
    });
  }
  onState(handler: (state: TransportState, detail?: string) => void): void {
    this.inner.onState(handler);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
