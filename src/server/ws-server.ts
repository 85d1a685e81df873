// The client protocol over WebSocket, for browsers: one msgpack message per binary frame, the
// same sessions and actions as TCP. Binds 127.0.0.1 unless told otherwise; wss:// with `tls`.
//
// Browsers let any web page open a WebSocket to any address, localhost included, so a page the
// operator visits could drive the node (cross-site WebSocket hijacking). A browser always says
// which page opens the connection (the Origin header), so only the origins given in `origins`
// are let in, refused otherwise with HTTP 403 and a log line; clients that send no Origin (the
// CLI, Node, Deno, edge functions) are not web pages and are let in. The limits of limits.ts
// apply as on TCP; a frame over maxMessage is refused from its header (ws's maxPayload).

import type { WebSocket } from "ws";
import { decodeValue, encodeValue } from "../wire/codec.js";
import type { TicktockNode } from "../node/node.js";
import { ClientSession } from "./session.js";
import { ACTIONS } from "./actions.js";
import { IdleTimer, limitsWith, paceFor, showDuration } from "./limits.js";
import type { ClientServer, ServeOptions } from "./tcp-server.js";
import { webSocketListener } from "./websocket-listener.js";
export { originOf } from "./web-origin.js";

export interface WebSocketServeOptions extends ServeOptions {
  /**
   * Web origins allowed to connect (`http://127.0.0.1:8080`), checked at each connection: a Set
   * may be added to later (the demo adds its inspector once it listens). "*" lets every page in.
   * Default: none, so only clients that send no Origin.
   */
  origins?: ReadonlySet<string> | readonly string[] | "*";
}

export async function serveWebSocket(node: TicktockNode, opts: WebSocketServeOptions = {}): Promise<ClientServer> {
  const host = opts.host ?? "127.0.0.1";
  const limits = limitsWith(opts.limits);
  const pace = paceFor(limits);
  const origins = opts.origins ?? [];
  const allowed = (o: string) => origins === "*" || (origins instanceof Set ? origins.has(o) : (origins as readonly string[]).includes(o));
  const tls = opts.tls && { log: (line: string) => node.log.warn(line), ...opts.tls };
  const wss = webSocketListener({ host, port: opts.port ?? 0, tls }, {
    maxPayload: limits.maxMessage,
    verifyClient: ({ origin, req }, done) => {
      const peer = `${req.socket.remoteAddress ?? "?"}:${req.socket.remotePort ?? "?"}`;
      if (origin && !allowed(origin)) {
        node.log.warn(`refused a WebSocket from ${peer}: origin ${origin} is not allowed (allow it with --ws-origin ${origin})`);
        return done(false, 403, `origin ${origin} is not allowed`);
      }
      if (wss.clients.size >= limits.maxConnections) {
        node.log.warn(`refused a WebSocket from ${peer}: ${wss.clients.size} are open, the limit is ${limits.maxConnections}`);
        return done(false, 503, `too many connections (the limit is ${limits.maxConnections})`);
      }
      done(true);
    },
  });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  wss.on("connection", (ws: WebSocket, req) => {
    const peer = `${req.socket.remoteAddress ?? "?"}:${req.socket.remotePort ?? "?"}`;
    const refuse = (why: string, code: number) => {
      node.log.warn(`closed the WebSocket from ${peer}: ${why}`);
      ws.close(code, why.slice(0, 120));
    };
    const session = new ClientSession(node, {
      send: (m) => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > limits.maxQueued) {
          node.log.warn(`closed the WebSocket from ${peer}: it does not read its replies (${ws.bufferedAmount} bytes unsent, the limit is ${limits.maxQueued})`);
          ws.terminate();
          return;
        }
        ws.send(encodeValue(m));
      },
      close: () => ws.close(),
      congested: () => ws.bufferedAmount > pace,
      drained: () => new Promise<void>((resolve) => {
        const poll = () => (ws.readyState !== ws.OPEN || ws.bufferedAmount <= pace ? resolve() : setTimeout(poll, 5));
        poll();
      }),
    }, ACTIONS);
    const idle = new IdleTimer(limits.idleTimeout, () => session.streams.size > 0, () => refuse(`idle for ${showDuration(limits.idleTimeout)}`, 1000));
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      idle.touch();
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
    ws.on("close", () => {
      idle.stop();
      session.closed();
    });
    ws.on("error", (e: Error & { code?: string }) => {
      // ws closes with 1009 when a frame announces more than maxPayload, before reading it
      if (e.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") node.log.warn(`closed the WebSocket from ${peer}: a frame over the limit of ${limits.maxMessage} bytes (the node's --max-message)`);
    });
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
