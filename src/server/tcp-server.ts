// The client protocol on TCP: a bare stream of msgpack maps in both directions, no framing.
// Binds 127.0.0.1 unless told otherwise; TLS with `tls` (a certificate and key).

import type { Socket } from "node:net";
import { decodeAsyncStream, encodeValue } from "../wire/codec.js";
import type { TicktockNode } from "../node/node.js";
import { ClientSession } from "./session.js";
import { clientListener, type TlsServerOptions } from "./listener.js";

export interface ClientServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function serveTcp(node: TicktockNode, opts: { host?: string; port?: number; tls?: TlsServerOptions } = {}): Promise<ClientServer> {
  const host = opts.host ?? "127.0.0.1";
  const sockets = new Set<Socket>();
  const { server, closeAll } = clientListener(opts.tls, (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("error", () => {}); // a peer that vanishes is handled by the read loop ending
    const session = new ClientSession(node, {
      send: (m) => {
        if (!socket.destroyed) socket.write(encodeValue(m));
      },
      close: () => socket.end(),
    });
    session.open();
    void (async () => {
      try {
        // destroyOnReturn: false keeps the socket open after a decode error, to say why
        for await (const msg of decodeAsyncStream(socket.iterator({ destroyOnReturn: false }))) session.receive(msg);
      } catch (e) {
        // Undecodable bytes: the stream cannot be resynchronised. Say why, then hang up.
        if (!socket.destroyed) {
          session.sendWithTock({ error: `malformed msgpack from client (${(e as Error).message}); closing the connection` });
          socket.end();
        }
      } finally {
        session.closed();
        sockets.delete(socket);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 27586, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        closeAll();
        server.close(() => resolve());
      }),
  };
}
