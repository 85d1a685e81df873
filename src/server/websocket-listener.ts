// The listening socket of the WebSocket client port: a `ws` server, on HTTPS when a certificate
// is given (wss://). Apart from listener.ts so that only a node with a WebSocket port loads `ws`.

import { createServer as createHttpsServer } from "node:https";
import { WebSocketServer, type ServerOptions } from "ws";
import { dropFailedHandshakes, tlsSettings, type TlsServerOptions } from "./listener.js";

/**
 * The WebSocket server of the WebSocket port, listening (its "listening" or "error" event
 * follows). With `tls`, an HTTPS server carries it (wss://) and closes with it. `more`: further
 * options for the `ws` server.
 */
export function webSocketListener(o: { host: string; port: number; tls?: TlsServerOptions }, more: ServerOptions = {}): WebSocketServer {
  if (!o.tls) return new WebSocketServer({ ...more, host: o.host, port: o.port });
  const https = createHttpsServer(tlsSettings(o.tls));
  dropFailedHandshakes(https, o.tls);
  const wss = new WebSocketServer({ ...more, server: https });
  wss.once("close", () => {
    https.close();
    https.closeAllConnections();
  });
  https.listen(o.port, o.host);
  return wss;
}
