// Reading the upstream recordings in test/fixtures/upstream.
import { readFileSync } from "node:fs";

export const CAPTURES = new URL("../fixtures/upstream/", import.meta.url);

export function captureText(name: string): string {
  return readFileSync(new URL(name, CAPTURES), "utf8");
}

/** One recorded MQTT message: unix time, topic, payload bytes (hex) and upstream's decoding. */
export interface RecordedMessage {
  ts: number;
  topic: string;
  hex: string;
  msg: Record<string, unknown>;
}

/** mqtt_all.jsonl, in order. Paths appear as {"$ext": 3, "items": [...]}. */
export function mqttMessages(): RecordedMessage[] {
  return captureText("mqtt_all.jsonl")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const r = JSON.parse(l) as { ts: string; topic: string; hex: string; msg: Record<string, unknown> };
      return { ts: Number(r.ts), topic: r.topic, hex: r.hex, msg: r.msg };
    });
}

/** Parse one Python repr of a reply dict from the recordings into JSON values. */
export function pyRepr(text: string): unknown {
  const json = text
    .replace(/Path<ext3>\(([^)]*)\)/g, (_m, inner: string) => `{"$path": [${inner}]}`)
    .replace(/\(/g, "[")
    .replace(/\)/g, "]")
    .replace(/'/g, '"')
    .replace(/\bNone\b/g, "null")
    .replace(/\bTrue\b/g, "true")
    .replace(/\bFalse\b/g, "false");
  return JSON.parse(json);
}

/** Every get_state exchange the upstream CLI made with test1 (tcp_cli_test1.msgs.txt). */
export function recordedStateReplies(): { ts: number; request: Record<string, unknown>; reply: Record<string, unknown> }[] {
  const out: { ts: number; request: Record<string, unknown>; reply: Record<string, unknown> }[] = [];
  let pending: Record<string, unknown> | undefined;
  for (const line of captureText("tcp_cli_test1.msgs.txt").split("\n")) {
    const m = /^(\d+\.\d+) \d+ (C>S|S>C) (\{.*\})$/.exec(line);
    if (!m) continue;
    const msg = pyRepr(m[3]!) as Record<string, unknown>;
    if (m[2] === "C>S") pending = msg.action === "get_state" ? msg : undefined;
    else if (pending && msg.seq === pending.seq) {
      out.push({ ts: Number(m[1]), request: pending, reply: msg });
      pending = undefined;
    }
  }
  return out;
}
