// The client protocol over WebSocket, for browsers: one msgpack message per binary frame, the
// same sessions and actions as TCP. Binds 127.0.0.1 unless told otherwise; wss:// with `tls`.
import type { WebSocket } from "ws";
import { decodeValue, encodeValue } from "../wire/codec.js";
import type { TicktockNode } from "../node/node.js";
import { ClientSession } from "./session.js";
import type { ClientServer } from "./tcp-server.js";
import { webSocketListener, type TlsServerOptions } from "./listener.js";

export async function serveWebSocket(node: TicktockNode, opts: { host?: string; port?: number; tls?: TlsServerOptions } = {}): Promise<ClientServer> {
  const host = opts.host ?? "127.0.0.1";
  const wss = webSocketListener({ host, port: opts.port ?? 0, tls: opts.tls });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  wss.on("connection", (ws: WebSocket) => {
    const session = new ClientSession(node, {
      send: (m) => {
        if (ws.readyState === ws.OPEN) ws.send(encodeValue(m));
      },
      close: () => ws.close(),
    });
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        session.sendWithTock({ error: "text frame received; send each msgpack message as one binary frame" });
        return;
      }
      let msg: unknown;
      try {
        msg = decodeValue(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      } catch (e) {
        session.sendWithTock({ error: `malformed msgpack frame (${(e as Error).message})` });
        return; // framing keeps the stream in step: the next frame can still be read
      }
      session.receive(msg);
    });
    ws.on("close", () => session.closed());
    ws.on("error", () => {});
    session.open();
  });
  const port = (wss.address() as { port: number }).port;
  return {
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
