// Serving the built inspector (dist/inspector) on 127.0.0.1, with a config.json that tells the
// page where the cluster is, and login.json with the login the command was given (`ticktock
// inspect --user NAME --password-file F`), so the page logs in to a node with auth by itself.
//
// login.json never goes into the page's source or its URL, and is answered only to a request
// addressed to the inspector at a loopback address (Host 127.0.0.1:PORT, localhost:PORT or
// [::1]:PORT): another site cannot read it (no CORS headers: the same-origin policy keeps its
// answer from other pages), nor reach it by pointing its own name at 127.0.0.1 (DNS rebinding:
// the Host would be its name). Served on another address (--host), the page asks for the
// password in its login form instead.
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "./process.js";
import type { Credentials } from "../client/login.js";

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".map": "application/json" };

/** dist/inspector: next to dist/cli when installed, or under dist/ when run from the sources. */
export const INSPECTOR_DIR = [new URL("../inspector/", import.meta.url), new URL("../../dist/inspector/", import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((d) => existsSync(join(d, "index.html"))) ?? fileURLToPath(new URL("../inspector/", import.meta.url));

export interface InspectorConfig {
  /** MQTT over WebSocket, ws://HOST:PORT. */
  mqtt?: string;
  /** A node's client protocol over WebSocket, ws://HOST:PORT. */
  server?: string;
  root?: string;
}

const LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];

/**
 * The page and its workers are cross-origin isolated (they load nothing from other origins), so
 * the page may share memory with its observer worker: a timeline's raster reaches the page in
 * its next animation frame even while input holds the worker's reply message back
 * (src/observer/raster-mailbox.ts).
 */
const ISOLATED = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };

export async function serveInspector(
  config: InspectorConfig,
  opts: { host?: string; port?: number; credentials?: Credentials } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  if (!existsSync(join(INSPECTOR_DIR, "index.html"))) throw new UsageError(`the inspector is not built (${INSPECTOR_DIR}); run npm run build`);
  const host = opts.host ?? "127.0.0.1";
  let port = 0;
  const server: Server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    if (path === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    if (path === "/config.json") {
      res.writeHead(200, { "content-type": TYPES[".json"] }).end(JSON.stringify(config));
      return;
    }
    if (path === "/login.json") {
      const json = { "content-type": TYPES[".json"], "cache-control": "no-store" };
      if (!opts.credentials) res.writeHead(404, json).end(JSON.stringify({ error: "no login given to the inspector: the page asks for one" }));
      else if (!LOOPBACK.some((h) => req.headers.host === `${h}:${port}`)) res.writeHead(403, json).end(JSON.stringify({ error: `the login is handed only to the page at a loopback address, not to one at ${req.headers.host ?? "(no Host)"}` }));
      else res.writeHead(200, json).end(JSON.stringify(opts.credentials));
      return;
    }
    try {
      const body = await readFile(join(INSPECTOR_DIR, path === "/" ? "index.html" : path));
      res.writeHead(200, { "content-type": TYPES[extname(path) || ".html"] ?? "application/octet-stream", ...ISOLATED }).end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${path}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "EADDRINUSE" ? new UsageError(`port ${opts.port} on ${host} is in use; pick another with --port`) : e),
    );
    server.listen(opts.port ?? 8080, host, () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return { url: `http://${host}:${port}/`, close: () =>
      new Promise((resolve) => {
        // a browser keeps its connections open (keep-alive): close() alone would wait for them
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
