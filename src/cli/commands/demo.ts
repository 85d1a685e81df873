// `ticktock demo` (what `npm start` runs): three nodes on an embedded MQTT broker, a little
// data, and a publisher that skips a tick, so the seed's repair can be tried for real. Given
// --user NAME --password-file F, the demo makes that user (a maintainer) and turns auth on, and
// its inspector page logs in as that user (inspector-server.ts: login.json).
import type { Command } from "commander";
import mqtt from "mqtt";
import { init } from "../../core/range-set.js";
import { TicktockNode } from "../../node/node.js";
import { MqttTransport } from "../../transport/mqtt-transport.js";
import { encodeValue } from "../../wire/codec.js";
import { Path } from "../../wire/path.js";
import { embeddedBroker, listen, listenWebSocket } from "./node.js";
import { serveInspector } from "../inspector-server.js";
import { UsageError, intOption, onShutdown } from "../process.js";
import type { ClientServer } from "../../server/tcp-server.js";
import { originOf } from "../../server/web-origin.js";
import { credentials } from "../credentials.js";
import { connectTcp } from "../../client/tcp.js";
import { sealedPassword } from "../../client/login.js";

export function register(program: Command): void {
  program
    .command("demo")
    .description("run three nodes on an embedded MQTT broker, with a missing tick to repair")
    .option("--nodes <n>", "how many nodes", intOption("--nodes", 1, 20), 3)
    .option("--port <port>", "client port of the first node; the others count up (0: free ports)", intOption("--port", 0, 65535), 27586)
    .option("--no-gap", "do not create the missing tick")
    .option("--no-inspector", "do not serve the cluster inspector")
    .option("--inspector-port <port>", "port of the inspector page", intOption("--inspector-port", 0, 65535), 8080)
    .action(async (o: { nodes: number; port: number; gap: boolean; inspector: boolean; inspectorPort: number }) => {
      await init();
      const cred = credentials();
      if (cred && cred.method !== "password") throw new UsageError("the demo turns auth on for a user: give --user NAME --password-file FILE");
      const out = (line = "") => process.stdout.write(`${line}\n`);
      const broker = await embeddedBroker((l) => process.stderr.write(`ticktock demo: ${l}\n`), 0);
      const nodes: TicktockNode[] = [];
      const servers: ClientServer[] = [];
      for (let i = 1; i <= o.nodes; i++) {
        const node = new TicktockNode({ name: `demo${i}`, transport: new MqttTransport({ url: broker.url }), startupWait: 500 });
        nodes.push(node);
        servers.push(await listen(node, "127.0.0.1", o.port === 0 ? 0 : o.port + i - 1));
      }
      // the inspector's page, and no other web page, may use the first node's WebSocket port
      const origins = new Set<string>();
      const wsFirst = await listenWebSocket(nodes[0]!, "127.0.0.1", 0, { origins });
      const inspectorConfig = { mqtt: broker.wsUrl, server: `ws://${wsFirst.host}:${wsFirst.port}` };
      const site = !o.inspector
        ? undefined
        : await serveInspector(inspectorConfig, { port: o.inspectorPort, credentials: cred }).catch((e) => {
            // the page's port is taken (another demo?): any free port will do
            if (!(e instanceof UsageError)) throw e;
            process.stderr.write(`ticktock demo: port ${o.inspectorPort} is taken; the inspector uses a free port instead\n`);
            return serveInspector(inspectorConfig, { port: 0, credentials: cred });
          });
      if (site) origins.add(originOf(site.url));
      const done = onShutdown(async () => {
        await site?.close();
        await wsFirst.close();
        for (const s of servers) await s.close();
        for (const n of nodes) await n.stop();
        await broker.close();
        out("demo stopped");
      });
      await Promise.all(nodes.map((n) => n.start()));
      if (cred) {
        // as `ticktock auth user add` and `auth init` would: the user, then the method on
        const admin = await connectTcp(`${servers[0]!.host}:${servers[0]!.port}`);
        try {
          await admin.request("auth_set", { typ: "password", kind: "user", ident: cred.name, chain: null, password: await sealedPassword(admin, cred.password) });
          await admin.request("set_auth_typ", { typ: "password" });
        } finally {
          admin.close();
        }
      }
      nodes[0]!.set(Path.of("one", "two"), 123);
      nodes[1 % nodes.length]!.set(Path.of("one", "three"), "hello");
      nodes[2 % nodes.length]!.set(Path.of("one", "four"), { a: 1, b: "two" });
      if (o.gap) {
        // a publisher like the recordings' `ghost`: ticks 1 and 3, never 2
        const ghost = await mqtt.connectAsync(broker.url);
        for (const tick of [1, 3]) {
          await ghost.publishAsync("moat/kv/update", Buffer.from(encodeValue({ node: "ghost", tick, prev: null, path: Path.of("ghost", `t${tick}`), value: `g${tick}`, tock: 1 })));
        }
        await ghost.endAsync();
      }
      const pwFile = (program.opts() as { passwordFile?: string }).passwordFile;
      const cli = cred ? `./bin/ticktock.js --user ${cred.name}${pwFile ? ` --password-file ${pwFile}` : ""}` : "./bin/ticktock.js";
      const first = `${servers[0]!.host}:${servers[0]!.port}`;
      out(`ticktock demo: ${o.nodes} nodes on an embedded MQTT broker at ${broker.url}`);
      for (const [i, s] of servers.entries()) out(`  ${nodes[i]!.name}  client protocol on ${s.host}:${s.port}`);
      if (cred) out(`Auth is on: every client logs in as ${cred.name} (or another user you add); the inspector page does by itself.`);
      out();
      if (o.gap) {
        out(`A publisher called "ghost" sent its ticks 1 and 3 but never 2, so every node misses ghost's tick 2.`);
        out(`Ask the doctor first: what is missing where, whether anything can still fill it, and what to run (in another terminal):`);
        out(`  ${cli} doctor ${servers.map((s) => `--server ${s.host}:${s.port}`).join(" ")} --mqtt ${broker.url}`);
        out(`Then look, repair, look again:`);
        out(`  ${cli} internal state -ndmrk --server ${first}`);
        out(`  ${cli} internal mark --broadcast ghost --server ${first}`);
        out(`  ${cli} internal state -ndmrk --server ${servers[servers.length - 1]!.host}:${servers[servers.length - 1]!.port}`);
      }
      if (site) out(`Inspect it in a browser: ${site.url}`);
      out(`Data:`);
      out(`  ${cli} data one get -rd_ --server ${first}`);
      out(`  ${cli} data one.five set -e : 5 --server ${first}`);
      out(`Press Ctrl-C to stop.`);
      await done;
    });
}
