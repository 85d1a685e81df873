// An in-process MQTT broker (aedes) on 127.0.0.1, so one command runs a node or a demo cluster
// without installing a broker. MQTT 3.1.1 over TCP, and over WebSocket for browsers.

import { createServer, type Server } from "node:net";
import { Aedes } from "aedes";
import { WebSocketServer, createWebSocketStream } from "ws";

export interface EmbeddedBroker {
  /** mqtt://127.0.0.1:PORT */
  url: string;
  port: number;
  /** ws://127.0.0.1:PORT for browsers (MQTT over WebSocket), when asked for. */
  wsUrl?: string;
  close(): Promise<void>;
}

/**
 * Start a broker on host:port (port 0: any free port); with `wsPort` it also speaks MQTT over
 * WebSocket there, for browsers (the inspector).
 */
export async function startEmbeddedBroker(port = 0, host = "127.0.0.1", wsPort?: number): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  let wss: WebSocketServer | undefined;
  if (wsPort !== undefined) {
    wss = new WebSocketServer({ host, port: wsPort });
    await new Promise<void>((resolve, reject) => {
      wss!.once("listening", resolve);
      wss!.once("error", reject);
    });
    wss.on("connection", (ws, req) => broker.handle(createWebSocketStream(ws) as never, req as never));
  }
  const wsActual = wss ? (wss.address() as { port: number }).port : undefined;
  return {
    url: `mqtt://${host}:${actual}`,
    port: actual,
    wsUrl: wsActual === undefined ? undefined : `ws://${host}:${wsActual}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss?.clients ?? []) c.terminate();
        wss?.close();
        server.close(() => broker.close(() => resolve()));
        // drop connected clients so close() does not wait for them
        for (const c of Object.values((broker as unknown as { clients: Record<string, { close(): void }> }).clients ?? {})) c.close();
      }),
  };
}
