// `ticktock node NAME`: run a MoaT-KV server node.
import { resyncDeleted } from "../../client/resync-deleted.js";
import type { Command } from "commander";
import { init } from "../../core/range-set.js";
import { TicktockNode } from "../../node/node.js";
import { MqttTransport } from "../../transport/mqtt-transport.js";
import type { EmbeddedBroker } from "../../transport/embedded-broker.js";
import { serveTcp, type ClientServer } from "../../server/tcp-server.js";
import { joinFrom } from "../../client/join.js";
import { credentials } from "../credentials.js";
import { fsStorage } from "../../node/state-file-fs.js";
import { UsageError, intOption, onShutdown } from "../process.js";
import { InvalidArgumentError } from "commander";
import { PING_DEFAULTS, verifyConfig } from "../../node/actor/messages.js";
import { chunkLength } from "../../wire/message-pieces.js";
import { addClientPortOptions, clientPortSettings, type ClientPortOptions } from "../client-port-options.js";
import type { WebSocketServeOptions } from "../../server/ws-server.js";
import { serfOptions, serfTransport, type SerfFlags } from "../serf-flags.js";
import { SERF_GOSSIP } from "../../transport/serf/serf-transport.js";
import type { GossipTransport } from "../../transport/transport.js";
import { keepYoungGenerationSmall } from "../young-generation.js";
import { brokerTls, brokerTlsOptions, clientTls, serverTls, type BrokerTlsFlags, type ClientTlsFlags, type ServerTlsFlags } from "../tls-flags.js";

export interface NodeCommandOptions extends ClientPortOptions, ServerTlsFlags, ClientTlsFlags, BrokerTlsFlags, SerfFlags {
  mqtt?: string;
  root: string;
  host: string;
  port: number;
  wsPort?: number;
  load?: string;
  save?: string;
  join?: string;
  force?: boolean;
  authoritative?: boolean;
  startupWait: number;
  splitOver?: number;
  hostmap: Record<string, string>;
  pingCycle: number;
  pingGap: number;
}

/** `--hostmap NAME=HOST:PORT`, repeatable: where other servers' client ports are (upstream's hostmap). */
function hostmapEntry(v: string, prev: Record<string, string> = {}): Record<string, string> {
  const m = /^([^=\s]+)=(\S+):(\d{1,5})$/.exec(v);
  if (!m || Number(m[3]) > 65535) throw new InvalidArgumentError(`--hostmap takes NAME=HOST:PORT (a server's name and its client port), not ${JSON.stringify(v)}`);
  return { ...prev, [m[1]!]: `${m[2]}:${m[3]}` };
}

function secondsOption(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} takes a number of seconds, not ${JSON.stringify(v)}`);
    return n;
  };
}

/** Start a broker on 127.0.0.1:1883, or on a free port when 1883 is taken; `wsPort`: MQTT over WebSocket too. */
export async function embeddedBroker(log: (line: string) => void, wsPort?: number): Promise<EmbeddedBroker> {
  // loaded here, not at start-up: a node with --mqtt never needs aedes (see bench/README.md, "Node: memory")
  const { startEmbeddedBroker } = await import("../../transport/embedded-broker.js");
  try {
    return await startEmbeddedBroker(1883, "127.0.0.1", wsPort);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    log("port 1883 is taken; the embedded broker uses a free port instead");
    return startEmbeddedBroker(0, "127.0.0.1", wsPort);
  }
}

export async function listen(node: TicktockNode, host: string, port: number, more: Omit<WebSocketServeOptions, "host" | "port" | "origins"> = {}): Promise<ClientServer> {
  try {
    return await serveTcp(node, { ...more, host, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UsageError(`port ${port} on ${host} is in use (another node?); pick another with --port`);
    if (code === "EADDRNOTAVAIL") throw new UsageError(`cannot listen on ${host}: no such local address; check --host`);
    throw e;
  }
}

export async function listenWebSocket(node: TicktockNode, host: string, port: number, more: Omit<WebSocketServeOptions, "host" | "port"> = {}): Promise<ClientServer> {
  try {
    const { serveWebSocket } = await import("../../server/ws-server.js"); // ws only with a WebSocket port
    return await serveWebSocket(node, { ...more, host, port });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE") throw new UsageError(`port ${port} on ${host} is in use; pick another with --ws-port`);
    throw e;
  }
}

export function register(program: Command): void {
  const cmd = program
    .command("node")
    .description("run a MoaT-KV server node: gossip over MQTT (or a Serf agent), serve the client protocol")
    .argument("<name>", "this node's name in the cluster")
    .option("--mqtt <url>", "MQTT broker URL: mqtt://, ws://; mqtts://, wss:// with TLS (default: start an embedded broker on 127.0.0.1)")
    .option("--root <path>", "topic root: moat.kv gossips on moat/kv/update, info, ping, del", "moat.kv")
    .option("--host <address>", "address for the client protocol", "127.0.0.1")
    .option("--port <port>", "port for the client protocol (0: any free port)", intOption("--port", 0, 65535), 27586)
    .option("--ws-port <port>", "also serve the client protocol over WebSocket on this port, for browsers", intOption("--ws-port", 0, 65535))
    .option("--tls-cert <file>", "serve the client port over TLS, and --ws-port as wss://, with this certificate (PEM; with --tls-key)")
    .option("--tls-key <file>", "the private key (PEM) of --tls-cert")
    .option("--tls", "reach other servers (--join, --hostmap) over TLS, trusting the system's CAs or --tls-ca")
    .option("--tls-ca <file>", "trust this CA certificate (PEM) when reaching other servers over TLS; implies --tls")
    .option("--load <file>", "read this state file at start-up (upstream's format)")
    .option("--save <file>", "write a snapshot to this file, then append every change")
    .option("--join <host:port>", "copy data and state from this running server before serving")
    .option("-f, --force", "serve data even while ticks are missing")
    .option("-a, --authoritative", "treat every gap found at start-up as superseded")
    .option("--startup-wait <ms>", "how long to listen to the cluster before serving", intOption("--startup-wait", 0, 600_000), 1500)
    .option("--hostmap <name=host:port>", "another server's client port, to copy data from when the actor names it ready (repeatable; upstream's hostmap)", hostmapEntry, {})
    .option("--ping-cycle <seconds>", "the actor's cycle on <root>/ping (upstream's kv.server.ping.cycle)", secondsOption("--ping-cycle"), PING_DEFAULTS.cycle)
    .option("--ping-gap <seconds>", "the actor's gap (upstream's kv.server.ping.gap)", secondsOption("--ping-gap"), PING_DEFAULTS.gap)
    .option("--split-over <bytes>", "send update and info messages longer than this in pieces, as upstream does with 450 (0: never; default 0 on MQTT, 450 on Serf)", intOption("--split-over", 0, 1 << 30));
  addClientPortOptions(cmd)
    .addHelpText("after", `
Without --mqtt the node starts an in-process broker, so one command runs a node:
  ticktock node test1
A second node on the same broker, copying from the first:
  ticktock node test2 --mqtt mqtt://127.0.0.1:1883 --port 27587 --join 127.0.0.1:27586
While ticks are missing after start-up the node serves only maintenance (internal state,
internal mark) and answers data requests with the missing ticks, until they are recovered
or marked. --force serves anyway; --authoritative marks every gap superseded at start-up.
The node takes part in upstream's actor protocol (pings on <root>/ping). Without --join and
without data of its own, a node with --hostmap entries waits for the actor to name a ready
server and copies from it, as an upstream server does:
  ticktock node test3 --mqtt mqtt://127.0.0.1:1883 --port 27588 --hostmap test1=127.0.0.1:27586
Without a broker, on Serf agents (one per host; events moat.kv.update ..., split at 450 bytes):
  serf agent -node=a -bind=127.0.0.1:7946 -rpc-addr=127.0.0.1:7373 &
  ticktock node test5 --serf 127.0.0.1:7373 --port 27589
With TLS on every port (the broker's CA, this node's certificate, the CA of the others'):
  ticktock node test4 --mqtt mqtts://broker:8883 --mqtt-ca ca.pem --tls-cert test4.pem --tls-key test4.key \
      --tls-ca ca.pem --join test1.example:27586`);
  serfOptions(brokerTlsOptions(cmd))
    .action(async (name: string, o: NodeCommandOptions) => {
      if (o.force && o.authoritative) throw new UsageError("--force and --authoritative contradict each other: pick one");
      if (o.serf !== undefined && o.splitOver !== undefined && (o.splitOver === 0 || o.splitOver > SERF_GOSSIP.splitOver)) {
        throw new UsageError(`--split-over ${o.splitOver} with --serf: a Serf agent refuses events over ~480 bytes, so messages must be split at 1..${SERF_GOSSIP.splitOver} bytes (the default there is ${SERF_GOSSIP.splitOver})`);
      }
      if (o.splitOver !== undefined && o.splitOver > 0) {
        try {
          chunkLength(name, o.splitOver);
        } catch (e) {
          throw new UsageError(`--split-over ${o.splitOver}: ${(e as Error).message.replace(/^message pieces: /, "")}`);
        }
      }
      try {
        verifyConfig({ ...PING_DEFAULTS, cycle: o.pingCycle, gap: o.pingGap }, "--ping-cycle/--ping-gap");
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const say = (line: string) => process.stderr.write(`ticktock ${name}: ${line}\n`);
      const serf = serfTransport(o, o.root, say);
      const tls = serverTls(o, say), peerTls = clientTls(o), mqttTls = brokerTls(o.mqtt, o);
      keepYoungGenerationSmall();
      await init();
      let broker: EmbeddedBroker | undefined;
      let url = serf ? `the Serf agent at ${o.serf}` : o.mqtt;
      if (!url) {
        broker = await embeddedBroker(say);
        url = broker.url;
        say(`no --mqtt given: started an embedded MQTT broker at ${url}`);
      }
      const node = new TicktockNode({
        name, transport: serf ?? (new MqttTransport({ url, root: o.root, tls: mqttTls }) as GossipTransport), load: o.load, save: o.save, storage: fsStorage, force: o.force, authoritative: o.authoritative,
        startupWait: o.startupWait, splitOver: o.splitOver, maxMessage: o.maxMessage, actor: { cycle: o.pingCycle, gap: o.pingGap },
        fetch: Object.keys(o.hostmap).length === 0 ? undefined : async (n, source) => {
          const at = o.hostmap[source];
          if (!at) throw new Error(`no --hostmap entry for ${source}`);
          const r = await joinFrom(n, at, credentials(), peerTls);
          say(`copied ${r.entries} entries and the tick state from ${r.from} at ${at}, a ready server named by the actor`);
        },
        deleter: {
          resync: async (n, deleters) => {
            const used = await resyncDeleted(n, deleters, (d) => o.hostmap[d], credentials(), peerTls);
            say(`behind the deleters: sent our entries' ticks to ${used} (check_deleted)`);
          },
        },
        join: o.join ? async (n) => {
          const r = await joinFrom(n, o.join!, credentials(), peerTls);
          say(`copied ${r.entries} entries and the tick state from ${r.from} at ${o.join}`);
        } : undefined,
      });
      const { limits, origins } = clientPortSettings(o);
      const server = await listen(node, o.host, o.port, { limits, tls });
      say(`client protocol on ${server.host}:${server.port}${tls ? " (TLS)" : ""}; connecting to ${url}`);
      const ws = o.wsPort === undefined ? undefined : await listenWebSocket(node, o.host, o.wsPort, { limits, origins, tls });
      if (ws) say(`client protocol over WebSocket on ${tls ? "wss" : "ws"}://${ws.host}:${ws.port}; web pages from ${origins === "*" ? "any origin (--ws-origin *)" : origins.join(", ")} may use it`);
      const done = onShutdown(async () => {
        say("stopping");
        await ws?.close();
        await server.close();
        await node.stop();
        await broker?.close();
      });
      try {
        // a stop during start-up (SIGTERM, a closed pipe) ends start()'s waits without settling them
        await Promise.race([node.start(), done]);
      } catch (e) {
        if (node.mode !== "stopped") throw e; // stopped while still connecting: not an error
      }
      await done;
    });
}
