// `ticktock watch`: follow a cluster's gossip as a passive observer and show every server's
// ticks and gaps live: redrawn in place on a terminal, JSON lines otherwise (or with --json).
import type { Command } from "commander";
import { init } from "../../core/range-set.js";
import { ClusterObserver, type ClusterSnapshot } from "../../observer/cluster-observer.js";
import { MqttTransport } from "../../transport/mqtt-transport.js";
import { formatMissing } from "../../node/errors.js";
import { toJson } from "../output.js";
import { TLS_CA_HELP, TLS_HELP, withClient, type ServerFlags } from "../connect.js";
import { brokerTls, brokerTlsOptions, type BrokerTlsFlags } from "../tls-flags.js";
import { intOption, onShutdown } from "../process.js";
import { serfOptions, serfTransport, type SerfFlags } from "../serf-flags.js";

const DEFAULT_MQTT = "mqtt://127.0.0.1:1883";

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const ago = (ms: number) => (ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`);

/** The terminal view of a snapshot. */
export function renderSnapshot(s: ClusterSnapshot, header: string, feedLines = 8): string {
  const out: string[] = [header, ""];
  const servers = new Map(s.servers.map((x) => [x.name, x]));
  const cols = ["node", "tick", "present", "superseded", "deleted", "unseen", "asked for (lacks)", "last heard"];
  const rows = s.nodes.map((n) => {
    const sv = servers.get(n.name);
    return [
      n.name, String(n.tick), String(n.counts.present), String(n.counts.superseded), String(n.counts.deleted), String(n.counts.missing),
      sv ? formatMissing(sv.lacks) || "-" : "-", sv ? ago(s.at - sv.lastSeen) : "never",
    ];
  });
  const width = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)) + 2);
  out.push(cols.map((c, i) => pad(c, width[i]!)).join("").trimEnd());
  for (const r of rows) out.push(r.map((c, i) => pad(c, width[i]!)).join("").trimEnd());
  out.push("");
  const unseen = formatMissing(s.unseen);
  out.push(unseen ? `not seen published (lost, or before this watch began; --server seeds the view): ${unseen}` : "every tick was seen published");
  for (const m of s.matrix) out.push(`${m.server} lacks ${m.node} ${JSON.stringify(m.lacks)}; can serve: ${m.canServe.join(", ") || "nobody"}`);
  out.push("", "recent gossip:");
  for (const e of s.feed.slice(-feedLines)) out.push(`  ${new Date(e.at).toISOString().slice(11, 19)} ${pad(e.action, 6)} ${e.from ? `${e.from}: ` : ""}${e.summary}`);
  return out.join("\n") + "\n";
}

export function register(program: Command): void {
  const cmd = program
    .command("watch")
    .description("follow a cluster's gossip without being a node: who has which ticks, what is missing where")
    .option("--mqtt <url>", `the cluster's broker (mqtt://, or ws:// for MQTT over WebSocket; mqtts://, wss:// with TLS; default ${DEFAULT_MQTT})`)
    .option("--root <path>", "topic root", "moat.kv")
    .option("--server <host:port>", "seed the view from this server's state first (ticks published before the watch began)")
    .option("--tls", TLS_HELP)
    .option("--tls-ca <file>", TLS_CA_HELP)
    .option("--json", "JSON lines (the default when stdout is not a terminal)")
    .option("--interval <ms>", "redraw at most this often", intOption("--interval", 50, 60_000), 500);
  serfOptions(brokerTlsOptions(cmd))
    .action(async (o: { mqtt?: string; root: string; json?: boolean; interval: number } & ServerFlags & BrokerTlsFlags & SerfFlags) => {
      const say = (line: string) => process.stderr.write(`ticktock watch: ${line}\n`);
      const serf = serfTransport(o, o.root, say);
      const tls = brokerTls(o.mqtt, o);
      const source = serf ? `the Serf agent at ${o.serf}` : (o.mqtt ?? DEFAULT_MQTT);
      await init();
      const observer = new ClusterObserver({
        transport: serf ?? new MqttTransport({ url: source, root: o.root, tls }),
        // connection trouble and dropped garbage, as one line each on stderr
        log: (level, line) => {
          if (level !== "debug") process.stderr.write(`${line.replace(/^ticktock \u0000observer: /, "ticktock watch: ")}\n`);
        },
      });
      const json = o.json || !process.stdout.isTTY;
      let feedSent = 0;
      const draw = () => {
        const s = observer.snapshot();
        if (json) {
          const fresh = s.feed.filter((e) => e.at > feedSent);
          feedSent = s.feed.at(-1)?.at ?? feedSent;
          process.stdout.write(`${toJson({ ...s, feed: fresh }).replace(/\n\s*/g, "")}\n`);
        } else {
          process.stdout.write(`\x1b[H\x1b[2J${renderSnapshot(s, `ticktock watch  ${o.serf ? `serf ${o.serf}` : source}  root ${o.root}  ${new Date(s.at).toISOString().slice(11, 19)}`)}`);
        }
      };
      let timer: ReturnType<typeof setTimeout> | undefined;
      observer.onChange(() => {
        timer ??= setTimeout(() => {
          timer = undefined;
          draw();
        }, o.interval);
      });
      const done = onShutdown(async () => {
        if (timer) clearTimeout(timer);
        await observer.stop();
      });
      say(`listening to ${source} (root ${o.root}); Ctrl-C stops`);
      try {
        await observer.start();
      } catch (e) {
        if (observer.node.mode !== "stopped") throw e;
        return; // stopped while waiting for the broker
      }
      if (o.server) observer.seed(await withClient(o, (c) => c.request("get_state", { nodes: true, known: true, present: true, deleted: true })));
      draw();
      await done;
    });
}
