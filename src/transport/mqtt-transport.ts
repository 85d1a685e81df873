// Gossip over MQTT (mqtt.js): topics <root>/{update,info,ping,del}, QoS 0 as upstream.
// Reconnects with bounded exponential backoff (upstream never reconnects); the node listens to
// state changes and rejoins after a reconnect.

import type { MqttClient } from "mqtt";
import { mqttLibrary } from "./mqtt-library.js";
import { ACTIONS, topicFor, type Action, type GossipTransport, type TransportState } from "./transport.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { tlsFailure, type TlsClientOptions } from "../client/tls-trust.js";

export interface MqttTransportOptions {
  /** Broker URL: mqtt://127.0.0.1:1883, ws://127.0.0.1:8080, mqtts:// or wss:// (TLS) ... */
  url: string;
  /** For mqtts:// and wss://: the CA to trust (and a client certificate), instead of the system's CAs. */
  tls?: TlsClientOptions;
  /** Root path of the topics. Default "moat.kv". */
  root?: string;
  /** Client id (default: random). */
  clientId?: string;
  /** Reconnect backoff (default 250 ms doubling to 10 s). */
  backoff?: BackoffOptions;
  /** Give up the first connection attempt after this long, ms (default 10,000). */
  connectTimeout?: number;
}

export class MqttTransport implements GossipTransport {
  #state: TransportState = "connecting";
  #client: MqttClient | undefined;
  readonly #opts: MqttTransportOptions;
  readonly #topics: Map<string, Action>;
  readonly #backoff: Backoff;
  #lastError = "";
  readonly #onMessage: ((action: Action, payload: Uint8Array) => void)[] = [];
  readonly #onState: ((s: TransportState, detail?: string) => void)[] = [];

  constructor(opts: MqttTransportOptions) {
    this.#opts = opts;
    const root = opts.root ?? "moat.kv";
    this.#topics = new Map(ACTIONS.map((a) => [topicFor(root, a), a]));
    this.#backoff = new Backoff(opts.backoff);
  }

  get state(): TransportState {
    return this.#state;
  }

  #set(state: TransportState, detail?: string): void {
    if (state === this.#state && detail === undefined) return;
    this.#state = state;
    for (const h of this.#onState) h(state, detail);
  }

  async start(): Promise<void> {
    const mqtt = await mqttLibrary();
    if (this.#state === "closed") throw new Error(`mqtt: closed before connecting to ${this.#opts.url}`);
    const client = mqtt.connect(this.#opts.url, {
      clientId: this.#opts.clientId,
      protocolVersion: 4,
      reconnectPeriod: this.#backoff.next(),
      connectTimeout: this.#opts.connectTimeout ?? 10_000,
      clean: true,
      // mqtt-packet's default pre-builds a Buffer for each of the 65,536 two-byte numbers on the
      // first send (6 MB of heap, most of an idle node's); QoS 0 gossip hardly needs them
      writeCache: false,
      ...(this.#opts.tls as object),
    });
    this.#client = client;
    client.on("message", (topic, payload) => {
      const action = this.#topics.get(topic);
      if (!action) return;
      const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
      for (const h of this.#onMessage) h(action, bytes);
    });
    client.on("connect", () => {
      this.#backoff.reset();
      client.options.reconnectPeriod = this.#backoff.next();
      client.subscribe([...this.#topics.keys()], { qos: 0 }, (err) => {
        if (err) this.#set("reconnecting", `subscribe failed: ${err.message}`);
        else this.#set("connected");
      });
    });
    client.on("close", () => {
      if (this.#state === "closed") return;
      // mqtt.js schedules the next attempt from options.reconnectPeriod: grow it, bounded.
      client.options.reconnectPeriod = this.#backoff.next();
      const why = this.#lastError ? ` (${this.#lastError})` : "";
      this.#lastError = "";
      this.#set("reconnecting", `broker ${this.#opts.url} unreachable${why}; retrying in ${Math.round(client.options.reconnectPeriod)} ms`);
    });
    client.on("error", (err) => {
      // reported with the close that follows, as one line
      this.#lastError = tlsFailure(err, client.options.hostname ?? "", "--mqtt-ca FILE") ?? err.message;
    });
    return new Promise((resolve, reject) => {
      const done = (s: TransportState) => {
        if (s === "connected") {
          this.#onState.splice(this.#onState.indexOf(done), 1);
          resolve();
        } else if (s === "closed") {
          this.#onState.splice(this.#onState.indexOf(done), 1);
          reject(new Error(`mqtt: closed before connecting to ${this.#opts.url}`));
        }
      };
      this.#onState.push(done);
    });
  }

  publish(action: Action, payload: Uint8Array): void {
    this.#send(topicFor(this.#opts.root ?? "moat.kv", action), payload);
  }

  /** Any topic, its elements joined by "/" (as upstream's MQTT backend does). */
  publishTopic(topic: readonly string[], payload: Uint8Array): void {
    this.#send(topic.join("/"), payload);
  }

  #send(topic: string, payload: Uint8Array): void {
    // mqtt.js wants a Buffer in Node; in browsers (no global Buffer) it takes the bytes as they are
    const body = typeof Buffer === "function" ? Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength) : payload;
    this.#client?.publish(topic, body as Buffer, { qos: 0 });
  }

  onMessage(handler: (action: Action, payload: Uint8Array) => void): void {
    this.#onMessage.push(handler);
  }

  onState(handler: (state: TransportState, detail?: string) => void): void {
    this.#onState.push(handler);
  }

  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#set("closed");
    const c = this.#client;
    if (c) await c.endAsync(true);
  }
}
