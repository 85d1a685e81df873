// The client protocol over WebSocket: one msgpack message per binary frame. Works with the
// browser's (and Deno's) global WebSocket, or any constructor with the same shape (e.g. `ws`).
// wss:// with a private CA: pass `tls: { ca }` with the `ws` constructor (browsers trust their own).
// `credentials` log in when the server's greeting asks for a login (login.ts), in any runtime.
import { decodeValue } from "../wire/codec.js";
import { ClientError, KvClient, type ClientOptions } from "./client.js";
import { loggedIn, type Credentials } from "./login.js";
import { tlsFailure, type TlsClientOptions } from "./tls-trust.js";

type WebSocketLike = {
  binaryType: string;
  readyState: number;
  send(data: Uint8Array): void;
  close(): void;
  addEventListener(type: string, fn: (ev: { data?: unknown; error?: unknown }) => void): void;
};
/** `options` (the `ws` package's third argument) carries `tls`; browsers' WebSocket takes no such thing. */
type WebSocketCtor = new (url: string, protocols?: string[], options?: object) => WebSocketLike;

/** Connect to ws://HOST:PORT or wss://HOST:PORT (a ticktock node's --ws-port). */
export async function connectWebSocket(url: string, opts: ClientOptions & { WebSocket?: WebSocketCtor; tls?: TlsClientOptions; credentials?: Credentials } = {}): Promise<KvClient> {
  const Ctor = opts.WebSocket ?? (globalThis as unknown as { WebSocket?: WebSocketCtor }).WebSocket;
  if (!Ctor) throw new ClientError("no WebSocket implementation here; pass one as options.WebSocket");
  const ws = opts.tls ? new Ctor(url, [], opts.tls) : new Ctor(url);
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
    ws.addEventListener("error", (ev) => {
      // `ws` says why (ev.error); a browser does not
      const why = ev.error === undefined ? undefined : tlsFailure(ev.error, new URL(url).hostname, "options.tls.ca");
      reject(new ClientError(why ? `cannot talk TLS to ${url}: ${why}` : `cannot reach a ticktock node at ${url}`));
    });
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
  return loggedIn(await KvClient.over({ send: (b) => ws.send(b), messages: messages(), close: () => ws.close() }, url, opts), opts.credentials);
}
