// Serving the built inspector (dist/inspector) on 127.0.0.1, with a config.json that tells the
// page where the cluster is.
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "./process.js";

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

export async function serveInspector(config: InspectorConfig, opts: { host?: string; port?: number } = {}): Promise<{ url: string; close(): Promise<void> }> {
  if (!existsSync(join(INSPECTOR_DIR, "index.html"))) throw new UsageError(`the inspector is not built (${INSPECTOR_DIR}); run npm run build`);
  const host = opts.host ?? "127.0.0.1";
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
    try {
      const body = await readFile(join(INSPECTOR_DIR, path === "/" ? "index.html" : path));
      res.writeHead(200, { "content-type": TYPES[extname(path) || ".html"] ?? "application/octet-stream" }).end(body);
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
  const port = (server.address() as { port: number }).port;
  return { url: `http://${host}:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
