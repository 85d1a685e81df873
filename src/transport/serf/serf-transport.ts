// Gossip through a HashiCorp Serf agent, as DistKV did: each action is a user event named
// `<root>.<action>` (moat.kv.update...; `:distkv.update` for DistKV 0.3-0.65), sent with
// Coalesce false and heard on one `stream` per action. Node and Deno only (TCP): a browser
// reaches a Serf cluster through a node's WebSocket client port.
//
// Serf refuses events over ~482 bytes (name + payload), so a node on Serf splits update and info
// into upstream's `_p0` pieces (message-pieces.ts) at 450 bytes: `gossip.splitOver` tells the
// node so. Delivery is unordered and often 50-150 ms a hop (seconds in bursts), so
// `gossip.missingDelay` asks the node to wait longer before calling a later-first tick missing.
//
// The agent going away (crash, restart): one line, then reconnects with bounded backoff,
// re-subscribes, and reports "connected" again, on which the node re-announces its ticks (as
// after an MQTT reconnect). Messages sent meanwhile are held (bounded) and sent on reconnect.
// An event the agent refuses (too large, not authorised) is logged naming the event.

import { ACTIONS, type Action, type GossipTransport, type TransportState } from "../transport.js";
import { Backoff, type BackoffOptions } from "../backoff.js";
import { SPLIT_OVER } from "../../wire/message-pieces.js";
import { SerfRpcClient, SerfRpcError, parseRpcAddress } from "./rpc-client.js";

export interface SerfTransportOptions {
  /** The agent's RPC address, HOST:PORT (its -rpc-addr; Serf's default is 127.0.0.1:7373). */
  address: string;
  /** The agent's rpc_auth key, when it has one. */
  authKey?: string;
  /** Root of the event names. Default "moat.kv" (events moat.kv.update ...); ":distkv" for DistKV. */
  root?: string;
  /** Reconnect backoff (default 250 ms doubling to 10 s). */
  backoff?: BackoffOptions;
  /** Give up one connection attempt after this long, ms (default 5000). */
  connectTimeout?: number;
  /** Messages held while the agent is away; beyond, the oldest go (the node's re-announce recovers them). Default 1024. */
  maxQueued?: number;
  /** Where lines about refused events go. Default: stderr. */
  log?: (line: string) => void;
}

/** What a node on Serf should do differently (see the file comment). */
export const SERF_GOSSIP = {
  /** Split update and info over this many bytes (upstream's SERF_MAXLEN). */
  splitOver: SPLIT_OVER,
  /** First delay before asking for a tick that is missing, ms: a few hops of Serf's delivery. */
  missingDelay: 1000,
} as const;

/** Event name of an action under a root: "moat.kv" + "update" -> "moat.kv.update". */
export function eventName(root: string, action: Action): string {
  return `${root}.${action}`;
}

export class SerfTransport implements GossipTransport {
  readonly gossip = SERF_GOSSIP;
  #state: TransportState = "connecting";
  #client: SerfRpcClient | undefined;
  readonly #opts: SerfTransportOptions;
  readonly #host: string;
  readonly #port: number;
  readonly #names: Map<string, Action>;
  readonly #root: string;
  readonly #backoff: Backoff;
  readonly #queue: [string, Uint8Array][] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #log: (line: string) => void;
  readonly #onMessage: ((action: Action, payload: Uint8Array) => void)[] = [];
  readonly #onState: ((s: TransportState, detail?: string) => void)[] = [];
  /** Events sent, refused by the agent, received; messages dropped from a full queue. */
  readonly stats = { sent: 0, refused: 0, received: 0, queuedDropped: 0 };

  constructor(opts: SerfTransportOptions) {
    this.#opts = opts;
    ({ host: this.#host, port: this.#port } = parseRpcAddress(opts.address));
    this.#root = opts.root ?? "moat.kv";
    this.#names = new Map(ACTIONS.map((a) => [eventName(this.#root, a), a]));
    this.#backoff = new Backoff(opts.backoff);
    this.#log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  get state(): TransportState {
    return this.#state;
  }

  #set(state: TransportState, detail?: string): void {
    if (state === this.#state && detail === undefined) return;
    this.#state = state;
    for (const h of [...this.#onState]) h(state, detail);
  }

  start(): Promise<void> {
    const up = new Promise<void>((resolve, reject) => {
      const done = (s: TransportState) => {
        if (s !== "connected" && s !== "closed") return;
        this.#onState.splice(this.#onState.indexOf(done), 1);
        if (s === "connected") resolve();
        else reject(new Error(`serf: closed before connecting to the agent at ${this.#opts.address}`));
      };
      this.#onState.push(done);
    });
    void this.#attempt();
    return up;
  }

  async #attempt(): Promise<void> {
    this.#timer = undefined;
    if (this.#state === "closed") return;
    let client: SerfRpcClient | undefined;
    try {
      client = await SerfRpcClient.connect({ host: this.#host, port: this.#port, authKey: this.#opts.authKey, connectTimeout: this.#opts.connectTimeout });
      if ((this.#state as TransportState) === "closed") return client.close();
      for (const [name, action] of this.#names) {
        await client.stream(`user:${name}`, (e) => this.#deliver(action, e.Payload));
      }
    } catch (e) {
      client?.close();
      if ((this.#state as TransportState) === "closed") return;
      const delay = this.#backoff.next();
      // one line when the agent goes away (or is not there at start), not one per attempt
      if (this.#backoff.attempts === 1) this.#set(this.#state === "connecting" ? "connecting" : "reconnecting", `${(e as Error).message}; retrying with backoff (up to ${Math.round((this.#opts.backoff?.max ?? 10_000) / 1000)} s apart)`);
      this.#timer = setTimeout(() => void this.#attempt(), delay);
      return;
    }
    this.#client = client;
    this.#backoff.reset();
    client.onClose((why) => {
      if (this.#client !== client || this.#state === "closed") return;
      this.#client = undefined;
      const delay = this.#backoff.next(); // counts as the first attempt: failed retries add no lines
      this.#set("reconnecting", `serf agent at ${this.#opts.address} lost (${why.message}); reconnecting with backoff`);
      this.#timer = setTimeout(() => void this.#attempt(), delay);
    });
    // before "connected": what was held goes out first, then the node's re-announce
    for (const [name, payload] of this.#queue.splice(0)) this.#send(client, name, payload);
    this.#set("connected", this.#state === "reconnecting" ? `serf agent at ${this.#opts.address} is back` : undefined);
  }

  #deliver(action: Action, payload: Uint8Array): void {
    this.stats.received++;
    for (const h of this.#onMessage) h(action, payload);
  }

  publish(action: Action, payload: Uint8Array): void {
    this.publishEvent(eventName(this.#root, action), payload);
  }

  /** Any topic as an event name, its elements joined by "." (as upstream's Serf backend does). */
  publishTopic(topic: readonly string[], payload: Uint8Array): void {
    this.publishEvent(topic.join("."), payload);
  }

  /** Send one user event (held while the agent is away). */
  publishEvent(name: string, payload: Uint8Array): void {
    if (this.#state === "closed") return;
    const c = this.#client;
    if (c && !c.closed) return this.#send(c, name, payload);
    this.#queue.push([name, payload]);
    if (this.#queue.length > (this.#opts.maxQueued ?? 1024)) {
      this.#queue.shift();
      this.stats.queuedDropped++;
    }
  }

  #send(c: SerfRpcClient, name: string, payload: Uint8Array): void {
    this.stats.sent++;
    c.event(name, payload).catch((e: Error) => {
      if (!(e instanceof SerfRpcError)) return; // the connection went: the reconnect line says so
      this.stats.refused++;
      this.#log(`serf: the agent at ${this.#opts.address} refused event ${JSON.stringify(name)} (${payload.length} bytes of payload): ${e.agentError}`);
    });
  }

  onMessage(handler: (action: Action, payload: Uint8Array) => void): void {
    this.#onMessage.push(handler);
  }

  onState(handler: (state: TransportState, detail?: string) => void): void {
    this.#onState.push(handler);
  }

  async close(): Promise<void> {
    if (this.#state === "closed") return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#set("closed");
    this.#queue.length = 0;
    this.#client?.close();
    this.#client = undefined;
  }
}
