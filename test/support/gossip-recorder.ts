// Record every gossip message published under a root on a broker (mqtt.js), and replay a
// recording onto another broker in the same order.
import mqtt, { type MqttClient } from "mqtt";
import { decodeValue } from "../../src/wire/codec.js";

export interface Recorded {
  /** The topic's last element: update, info, ping, del. */
  action: string;
  payload: Uint8Array;
}

export interface Recorder {
  readonly messages: Recorded[];
  /** The recorded messages of an action, decoded. */
  decoded(action: string): Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function record(url: string, root = "moat/kv"): Promise<Recorder> {
  const c: MqttClient = await mqtt.connectAsync(url, { protocolVersion: 4, clean: true });
  const messages: Recorded[] = [];
  c.on("message", (topic, payload) => {
    messages.push({ action: topic.slice(root.length + 1), payload: new Uint8Array(payload) });
  });
  await c.subscribeAsync(`${root}/#`, { qos: 0 });
  return {
    messages,
    decoded: (action) => messages.filter((m) => m.action === action).map((m) => decodeValue(m.payload) as Record<string, unknown>),
    stop: () => c.endAsync(),
  };
}

/** Publish recorded messages onto a broker, in order, each `gapMs` after the last. */
export async function replay(url: string, messages: Recorded[], opts: { root?: string; gapMs?: number } = {}): Promise<void> {
  const root = opts.root ?? "moat/kv";
  const c = await mqtt.connectAsync(url, { protocolVersion: 4, clean: true });
  try {
    for (const m of messages) {
      await c.publishAsync(`${root}/${m.action}`, Buffer.from(m.payload), { qos: 0 });
      if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
    }
  } finally {
    await c.endAsync();
  }
}
