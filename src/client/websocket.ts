// The client protocol over WebSocket: one msgpack message per binary frame. Works with the
// browser's (and Deno's) global WebSocket, or any constructor with the same shape (e.g. `ws`).
import { decodeValue } from "../wire/codec.js";
import { ClientError, KvClient, type ClientOptions } from "./client.js";

type WebSocketLike = {
  binaryType: string;
  readyState: number;
  send(data: Uint8Array): void;
  close(): void;
  addEventListener(type: string, fn: (ev: { data?: unknown }) => void): void;
};
type WebSocketCtor = new (url: string) => WebSocketLike;

/** Connect to ws://HOST:PORT (a ticktock node's --ws-port). */
export async function connectWebSocket(url: string, opts: ClientOptions & { WebSocket?: WebSocketCtor } = {}): Promise<KvClient> {
  const Ctor = opts.WebSocket ?? (globalThis as unknown as { WebSocket?: WebSocketCtor }).WebSocket;
  if (!Ctor) throw new ClientError("no WebSocket implementation here; pass one as options.WebSocket");
  const ws = new Ctor(url);
  ws.binaryType = "arraybuffer";
  const queue: unknown[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  ws.addEventListener("message", (ev) => {
    const d = ev.data;
    try {
      queue.push(decodeValue(d instanceof ArrayBuffer ? new Uint8Array(d) : (d as Uint8Array)));
    } catch {
      queue.push({ error: "malformed msgpack frame from the server" });
    }
    wake?.();
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("error", () => reject(new ClientError(`cannot reach a ticktock node at ${url}`)));
  });
  ws.addEventListener("close", () => {
    ended = true;
    wake?.();
  });
  async function* messages(): AsyncGenerator<unknown> {
    for (;;) {
      while (queue.length === 0) {
        if (ended) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      yield queue.shift();
    }
  }
  return KvClient.over({ send: (b) => ws.send(b), messages: messages(), close: () => ws.close() }, url, opts);
}
