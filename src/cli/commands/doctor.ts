// `ticktock doctor`: asks every server it can reach for its tick accounting (read-only requests:
// get_state, enum_node, get_value, get_tree_internal), optionally listens to the gossip to learn
// who is alive and which servers exist, optionally watches for a while to see whether recovery
// moves, and says for each gap what to do (src/console/doctor/). Changes nothing.
// Exit status: 0 healthy, 1 something missing, 2 a server could not be reached.
import type { Command } from "commander";
import type { KvClient } from "../../client/client.js";
import { login } from "../../client/login.js";
import { connectTcp } from "../../client/tcp.js";
import { init } from "../../core/range-set.js";
import { diagnose, type ServerSample } from "../../console/doctor/diagnose.js";
import { GossipListener } from "../../console/doctor/gossip-listener.js";
import { doctorExitCode, reportText, type DoctorFindings } from "../../console/doctor/report.js";
import { entriesBy, hostmapOf, sampleServer } from "../../console/doctor/sample.js";
import { MqttTransport } from "../../transport/mqtt-transport.js";
import { TLS_CA_HELP, TLS_HELP } from "../connect.js";
import { credentials } from "../credentials.js";
import { toJson } from "../output.js";
import { intOption, setExitStatus } from "../process.js";
import { brokerTls, brokerTlsOptions, clientTls, type BrokerTlsFlags, type ClientTlsFlags } from "../tls-flags.js";

interface DoctorOptions extends ClientTlsFlags, BrokerTlsFlags {
  server?: string[];
  mqtt?: string;
  root: string;
  watch: number;
  listen: number;
  json?: boolean;
}

const DEFAULT_SERVER = "localhost:27586";
/** Listening to the gossip: one ping cycle of upstream's servers (10 s) plus its gap (2 s). */
const DEFAULT_LISTEN = 12;
/** How long to wait for the broker's first connection, ms. */
const BROKER_WAIT = 5000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The login and TLS flags given, for the commands the report prints. */
function cliPrefix(program: Command, o: DoctorOptions): { cli: string; serverFlags: string } {
  const g = program.opts() as { user?: string; passwordFile?: string; auth?: string };
  const login = g.auth !== undefined ? ` --auth '${g.auth.replace(/'/g, `'\\''`)}'` : g.user !== undefined ? ` --user ${g.user}${g.passwordFile ? ` --password-file ${g.passwordFile}` : ""}` : "";
  const tls = o.tlsCa !== undefined ? ` --tls-ca ${o.tlsCa}` : o.tls ? " --tls" : "";
  return { cli: `ticktock${login}`, serverFlags: tls.trim() };
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

export function register(program: Command): void {
  const cmd = program
    .command("doctor")
    .description("diagnose missing ticks across the cluster and say what to do (reads only; changes nothing)")
    .option("--server <host:port>", `a server to ask (repeatable; default ${DEFAULT_SERVER} when neither --server nor --mqtt is given)`, collect)
    .option("--mqtt <url>", "listen to the cluster's gossip on this broker: who is alive, and which servers exist (their client ports come from --server or the servers' hostmap)")
    .option("--root <path>", "topic root of the gossip", "moat.kv")
    .option("--listen <seconds>", "how long to listen to the gossip with --mqtt (the default is one ping cycle of upstream's servers)", intOption("--listen", 0, 3600), DEFAULT_LISTEN)
    .option("--watch <seconds>", "ask every server again each second for this long, to see whether recovery is moving", intOption("--watch", 0, 3600), 0)
    .option("--json", "print the findings as JSON (diagnoses, samples, unreachable servers)")
    .option("--tls", TLS_HELP)
    .option("--tls-ca <file>", TLS_CA_HELP);
  brokerTlsOptions(cmd)
    .addHelpText("after", `
For each node with missing ticks it says, in plain words: which ticks are missing on which
servers and since when; whether a server still holds them (then recovery can bring them back:
wait) and whether requests and re-sends are happening; whether the node that published them is
alive or gone; which entries could keep an older value or come back if the ticks are marked,
and which mark is safer; and the exact command to run, or "wait: server X holds them".

It logs in where a server wants it with the program's --user/--password-file or --auth, and
prints the repair command with them.

Exit status: 0 nothing is missing, 1 something is missing, 2 a server could not be reached
(each is named). Works against ticktock nodes and upstream MoaT-KV servers alike.

Examples:
  ticktock doctor --server 127.0.0.1:27586 --server 127.0.0.1:27587
  ticktock doctor --server 127.0.0.1:27586 --mqtt mqtt://127.0.0.1:1883 --watch 10
  ticktock doctor --json --server 127.0.0.1:27586 | jq '.diagnoses[].actions'`)
    .action(async (o: DoctorOptions) => {
      await init();
      const tls = clientTls(o);
      const mqttTls = brokerTls(o.mqtt, o);
      const cred = credentials();
      const addresses = o.server?.length || o.mqtt ? [...(o.server ?? [])] : [DEFAULT_SERVER];
      const clients = new Map<string, KvClient>(); // address -> client
      const unreachable: DoctorFindings["unreachable"] = [];
      const samples: ServerSample[] = [];
      const hostmap: Record<string, string> = {};

      const connect = async (address: string, name?: string): Promise<void> => {
        if (clients.has(address)) return;
        try {
          const c = await connectTcp(address, { tls, timeout: 5000 });
          try {
            await login(c, cred);
          } catch (e) {
            c.close();
            throw e;
          }
          clients.set(address, c);
        } catch (e) {
          unreachable.push({ server: name ? `${name} (${address})` : address, why: (e as Error).message });
        }
      };
      const sampleOne = async (address: string, c: KvClient): Promise<void> => {
        try {
          samples.push(await sampleServer(c));
        } catch (e) {
          clients.delete(address);
          c.close();
          unreachable.push({ server: address, why: `stopped answering: ${(e as Error).message}` });
        }
      };
      const round = async (): Promise<void> => {
        await Promise.all([...clients].map(([address, c]) => sampleOne(address, c)));
      };

      let transport: MqttTransport | undefined;
      let listener: GossipListener | undefined;
      try {
        const listen = async (url: string): Promise<void> => {
          transport = new MqttTransport({ url, root: o.root, tls: mqttTls, connectTimeout: 5000 });
          listener = new GossipListener(transport);
          let why = "";
          transport.onState((_s, detail) => {
            if (detail) why = detail.replace(/; retrying in \d+ ms$/, "");
          });
          let timer: ReturnType<typeof setTimeout> | undefined;
          try {
            // the transport retries for ever; the doctor waits BROKER_WAIT for the first connection
            await Promise.race([
              transport.start(),
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => reject(new Error(why || `no connection within ${BROKER_WAIT / 1000} s`)), BROKER_WAIT);
              }),
            ]);
          } catch (e) {
            unreachable.push({ server: `the broker ${url}`, why: (e as Error).message });
            listener = undefined;
            const t = transport;
            transport = undefined;
            await t.close();
          } finally {
            clearTimeout(timer);
          }
        };
        // the broker and the servers at once: an unreachable one costs its own wait only
        await Promise.all([o.mqtt ? listen(o.mqtt) : undefined, ...addresses.map((a) => connect(a))]);
        await round();
        // where the servers' hostmaps say the others are (upstream keeps `hostmap NAME` internally)
        for (const c of clients.values()) Object.assign(hostmap, await hostmapOf(c));
        const span = Math.max(o.watch, listener ? o.listen : 0);
        if (span > 0) process.stderr.write(`ticktock doctor: ${o.watch > 0 ? "watching" : "listening to the gossip"} for ${span} s\n`);
        const until = Date.now() + span * 1000;
        while (Date.now() < until) {
          await sleep(Math.min(1000, until - Date.now()));
          if (o.watch > 0) await round();
        }
        // servers named by the gossip or a hostmap that were not asked yet
        const asked = () => new Set(samples.map((s) => s.server));
        const named = new Set([...Object.keys(hostmap), ...(listener?.servers ?? [])]);
        for (const name of [...named].sort()) {
          if (asked().has(name)) continue;
          const at = hostmap[name];
          if (at && !clients.has(at)) {
            await connect(at, name);
            const c = clients.get(at);
            if (c) await sampleOne(at, c);
          } else if (!at) {
            unreachable.push({ server: name, why: "heard in the gossip, but no address is known: give --server HOST:PORT for it" });
          }
        }
        // entries a mark could leave stale, for each node with missing ticks
        const gaps = new Set(diagnose(samples).map((d) => d.node));
        const last = new Map<string, ServerSample>();
        for (const s of samples) if ((last.get(s.server)?.at ?? -Infinity) <= s.at) last.set(s.server, s);
        for (const c of clients.values()) {
          const s = [...last.values()].find((x) => x.address === c.server);
          if (!s) continue;
          s.entries = {};
          for (const node of gaps) s.entries[node] = await entriesBy(c, s.server, node);
        }
        const gossip = listener && o.mqtt ? { ...listener.heard(), url: o.mqtt } : undefined;
        const { cli, serverFlags } = cliPrefix(program, o);
        const diagnoses = diagnose(samples, { gossip, unreachable, cli, serverFlags });
        const findings: DoctorFindings = { samples, diagnoses, unreachable, gossip, watched: o.watch };
        const status = doctorExitCode(findings);
        process.stdout.write(o.json ? `${toJson({ status, diagnoses, unreachable, gossip, samples })}\n` : reportText(findings));
        setExitStatus(status);
      } finally {
        for (const c of clients.values()) c.close();
        await transport?.close();
      }
    });
}
