// `ticktock inspect`: serve the browser cluster inspector for a cluster.
import type { Command } from "commander";
import { serveInspector } from "../inspector-server.js";
import { INSPECTOR_ORIGINS } from "../client-port-options.js";
import { originOf } from "../../server/web-origin.js";
import { UsageError, intOption, onShutdown } from "../process.js";
import { credentials } from "../credentials.js";

export function register(program: Command): void {
  program
    .command("inspect")
    .description("serve the cluster inspector: nodes, tick timelines, who lacks what, live gossip, repair")
    .option("--mqtt <url>", "the broker's MQTT over WebSocket, ws://HOST:PORT (browsers cannot speak plain MQTT)")
    .option("--server <url>", "a node's client protocol over WebSocket, ws://HOST:PORT (its --ws-port): previews and repairs go through it")
    .option("--root <path>", "topic root", "moat.kv")
    .option("--host <address>", "address to serve the page on", "127.0.0.1")
    .option("--port <port>", "port to serve the page on", intOption("--port", 0, 65535), 8080)
    .addHelpText(
      "after",
      "\nA node with auth on: give --user NAME --password-file FILE (before or after inspect) and the page\n" +
        "logs in by itself when opened at 127.0.0.1 or localhost; without them it asks in a login form.\n" +
        "\nExample:\n  ticktock inspect --mqtt ws://127.0.0.1:8883 --server ws://127.0.0.1:27596 --user ann --password-file ann.pw",
    )
    .action(async (o: { mqtt?: string; server?: string; root: string; host: string; port: number }) => {
      for (const [flag, v] of [["--mqtt", o.mqtt], ["--server", o.server]] as const) {
        if (v !== undefined && !/^wss?:\/\//.test(v)) throw new UsageError(`${flag} ${v}: the page runs in a browser, which reaches the cluster over WebSocket: give ws://HOST:PORT`);
      }
      if (!o.mqtt && !o.server) throw new UsageError("give the cluster: --mqtt ws://HOST:PORT (MQTT over WebSocket) and/or --server ws://HOST:PORT (a node's --ws-port)");
      const cred = credentials();
      if (cred && !o.server) throw new UsageError("--user/--auth log the page in to a node: give it with --server ws://HOST:PORT (the broker takes no login)");
      const site = await serveInspector({ mqtt: o.mqtt, server: o.server, root: o.root }, { host: o.host, port: o.port, credentials: cred });
      process.stdout.write(`ticktock inspector on ${site.url}\n`);
      if (cred) process.stdout.write(`the page logs in to ${o.server} as ${cred.method === "password" ? cred.name : "root"} when opened at 127.0.0.1 or localhost\n`);
      const origin = originOf(site.url);
      if (o.server && !(INSPECTOR_ORIGINS as readonly string[]).includes(origin)) {
        process.stdout.write(`the node at ${o.server} must let this page in: start it with --ws-origin ${origin}\n`);
      }
      await onShutdown(() => site.close());
    });
}
