// The listening socket of a client port: plain TCP, or TLS when a certificate is given (the
// TCP client port, and HTTPS under the WebSocket port for wss://). Sessions see the same
// sockets either way. A failed handshake (a client without TLS, one that does not trust the
// certificate, one that says nothing) costs one log line and its socket, never the server.
// The WebSocket port's listener is in websocket-listener.ts, so that a node without one never
// loads `ws`; node:tls loads only for a TLS listener.

import { createServer as createNetServer, type Server, type Socket } from "node:net";
import type { TLSSocket } from "node:tls";

export interface TlsServerOptions {
  /** The server's certificate chain and its private key, PEM. */
  cert: string | Uint8Array;
  key: string | Uint8Array;
  /** One line per refused handshake. Default: none. */
  log?: (line: string) => void;
  /** Drop a connection whose handshake has not finished after this long, ms. Default 15,000. */
  handshakeTimeout?: number;
}

const NO_TLS = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_HTTP_REQUEST", "ERR_SSL_PACKET_LENGTH_TOO_LONG", "ERR_SSL_UNSUPPORTED_PROTOCOL"]);

function handshakeFailure(e: NodeJS.ErrnoException, timeout: number): string {
  if (e.code === "ERR_TLS_HANDSHAKE_TIMEOUT") return `no handshake within ${timeout} ms (a client without TLS?)`;
  if (e.code && NO_TLS.has(e.code)) return "the client does not speak TLS";
  if (e.code === "ECONNRESET") return "the client hung up during the handshake (does it trust this certificate?)";
  const reason = (e as { reason?: string }).reason;
  return reason ?? e.code ?? e.message;
}

export function tlsSettings(tls: TlsServerOptions) {
  return { cert: tls.cert as string | Buffer, key: tls.key as string | Buffer, handshakeTimeout: tls.handshakeTimeout ?? 15_000 };
}

/** Log a failed handshake and drop its socket (Node leaves a timed-out one open otherwise). */
export function dropFailedHandshakes(server: Server, tls: TlsServerOptions): void {
  const timeout = tls.handshakeTimeout ?? 15_000;
  // the peer's address, read while the socket is open (a reset one no longer has it)
  const peers = new WeakMap<Socket, string>();
  server.on("connection", (raw: Socket) => peers.set(raw, `${raw.remoteAddress}:${raw.remotePort}`));
  server.on("tlsClientError", (e: NodeJS.ErrnoException, socket: TLSSocket) => {
    // Node's TLS socket keeps the TCP socket it wraps as _parent
    const raw = (socket as unknown as { _parent?: Socket })._parent;
    const from = (raw && peers.get(raw)) ?? (socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : "a client");
    tls.log?.(`TLS handshake with ${from} failed: ${handshakeFailure(e, timeout)}`);
    socket.destroy();
  });
}

/**
 * A TCP server for the client port, TLS when `tls` is given. `onSocket` gets each connection
 * (after its handshake). `closeAll()` ends every connection, those still shaking hands too, so
 * that a closing server need not wait for them.
 */
export async function clientListener(tls: TlsServerOptions | undefined, onSocket: (socket: Socket) => void): Promise<{ server: Server; closeAll(): void }> {
  const server = tls ? (await import("node:tls")).createServer(tlsSettings(tls), onSocket) : createNetServer(onSocket);
  if (tls) dropFailedHandshakes(server, tls);
  const raw = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    raw.add(s);
    s.once("close", () => raw.delete(s));
  });
  return {
    server,
    closeAll: () => {
      for (const s of raw) s.destroy();
    },
  };
}
