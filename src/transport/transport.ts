// The gossip transport: how a node sends and receives MoaT-KV's server-to-server messages.
// One implementation talks MQTT (mqtt-transport.ts); a wrapper injects faults for tests
// (lossy-transport.ts). A node sees only this interface.

/** One state, not four booleans: where the connection is. */
export type TransportState = "connecting" | "connected" | "reconnecting" | "closed";

/** The gossip actions and their topics' last element. */
export const ACTIONS = ["update", "info", "ping", "del"] as const;
export type Action = (typeof ACTIONS)[number];

export interface GossipTransport {
  readonly state: TransportState;
  /**
   * What the medium asks of gossip sent over it (optional; MQTT asks nothing): split update and
   * info over `splitOver` bytes (Serf's event size limit), wait `missingDelay` ms before asking
   * for a missing tick (its slow, unordered delivery).
   */
  readonly gossip?: { readonly splitOver?: number; readonly missingDelay?: number };
  /** Connect; resolves once the first connection is up (retries with backoff until then). */
  start(): Promise<void>;
  /** Send a payload on an action's topic. While disconnected it is queued or dropped, never thrown. */
  publish(action: Action, payload: Uint8Array): void;
  /**
   * Send a payload on any topic, outside the gossip (the client protocol's msg_send). Optional:
   * a transport without it cannot tunnel messages.
   */
  publishTopic?(topic: readonly string[], payload: Uint8Array): void;
  /** Receive every payload on the gossip topics. */
  onMessage(handler: (action: Action, payload: Uint8Array) => void): void;
  /** Hear state changes (e.g. reconnected: time to rejoin). */
  onState(handler: (state: TransportState, detail?: string) => void): void;
  close(): Promise<void>;
}

/** Topic for an action under a root path such as "moat.kv": "moat/kv/update". */
export function topicFor(root: string, action: Action): string {
  return `${root.split(".").join("/")}/${action}`;
}
