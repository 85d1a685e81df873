// The client protocol on TCP: a bare stream of msgpack maps in both directions, no framing.
// Binds 127.0.0.1 unless told otherwise; TLS with `tls` (a certificate and key). What one client
// may cost is bounded (limits.ts): the stream is cut into messages by their headers
// (message-framer.ts), so a message over the limit is refused before its bytes are held.

import type { Socket } from "node:net";
import { decodeValue, encodeValue } from "../wire/codec.js";
import { MessageFramer, MessageTooLargeError } from "../wire/message-framer.js";
import type { TicktockNode } from "../node/node.js";
import { ClientSession } from "./session.js";
import { ACTIONS } from "./actions.js";
import { IdleTimer, limitsWith, paceFor, showDuration, type ServerLimits } from "./limits.js";
import { clientListener, type TlsServerOptions } from "./listener.js";

export interface ClientServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  host?: string;
  port?: number;
  limits?: Partial<ServerLimits>;
  /** Serve TLS with this certificate and key (the WebSocket port: wss://). */
  tls?: TlsServerOptions;
}

const peerOf = (s: Socket) => `${s.remoteAddress ?? "?"}:${s.remotePort ?? "?"}`;

export async function serveTcp(node: TicktockNode, opts: ServeOptions = {}): Promise<ClientServer> {
  const host = opts.host ?? "127.0.0.1";
  const limits = limitsWith(opts.limits);
  const pace = paceFor(limits);
  const sockets = new Set<Socket>();
  const { server, closeAll } = await clientListener(opts.tls && { log: (line) => node.log.warn(line), ...opts.tls }, (socket) => {
    const peer = peerOf(socket);
    socket.on("error", () => {}); // a peer that vanishes is handled by the read loop ending
    if (sockets.size >= limits.maxConnections) {
      node.log.warn(`refused a client connection from ${peer}: ${sockets.size} are open, the limit is ${limits.maxConnections}`);
      socket.end(encodeValue({ error: `too many connections (the limit is ${limits.maxConnections}); try again later`, tock: node.ledger.nextTock() }));
      return;
    }
    sockets.add(socket);
    socket.setNoDelay(true);
    /** Say why (when the client can still be told), log it, hang up. */
    const refuse = (why: string, tell = true) => {
      if (socket.destroyed) return;
      node.log.warn(`closed the client connection from ${peer}: ${why}`);
      if (tell) session.sendWithTock({ error: `${why}; closing the connection` });
      socket.end();
      socket.destroySoon?.();
    };
    const session = new ClientSession(node, {
      send: (m) => {
        if (socket.destroyed) return;
        if (socket.writableLength > limits.maxQueued) {
          // the client reads nothing: what it is sent would pile up here for ever
          node.log.warn(`closed the client connection from ${peer}: it does not read its replies (${socket.writableLength} bytes unsent, the limit is ${limits.maxQueued})`);
          socket.destroy();
          return;
        }
        socket.write(encodeValue(m));
      },
      close: () => socket.end(),
      congested: () => socket.writableLength > pace,
      drained: () => new Promise<void>((resolve) => {
        if (socket.destroyed || socket.writableLength <= pace) return resolve();
        const done = () => {
          socket.off("drain", done).off("close", done);
          resolve();
        };
        socket.on("drain", done).on("close", done);
      }),
    }, ACTIONS);
    const idle = new IdleTimer(limits.idleTimeout, () => session.streams.size > 0, () => refuse(`idle for ${showDuration(limits.idleTimeout)}`));
    session.open();
    void (async () => {
      const framer = new MessageFramer(limits.maxMessage);
      try {
        for await (const chunk of socket.iterator({ destroyOnReturn: false })) {
          for (const bytes of framer.push(chunk as Uint8Array)) {
            idle.touch();
            let msg: unknown;
            try {
              msg = decodeValue(bytes);
            } catch (e) {
              // a whole message that does not decode (a bad ext, bad UTF-8): the stream is still in step
              session.sendWithTock({ error: `malformed msgpack message from client (${(e as Error).message})` });
              continue;
            }
            session.receive(msg);
          }
        }
      } catch (e) {
        // Too large, or no msgpack at all: the stream cannot be resynchronised. Say why, then hang up.
        refuse(e instanceof MessageTooLargeError ? `${e.message} (the node's --max-message)` : `malformed msgpack from client (${(e as Error).message})`);
      } finally {
        idle.stop();
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
