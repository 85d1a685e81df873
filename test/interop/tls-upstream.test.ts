// TLS with upstream MoaT-KV 0.70.22. The broker side works: an upstream server on an mqtts://
// or wss:// broker (its `server.mqtt.cafile`) and ticktock nodes on the same broker converge.
// The client side does not, in either direction, and this file keeps the evidence
// (docs/upstream-differences.md, "Security"): upstream's client refuses any `ssl` setting
// (NotImplementedError "XXX TODO fix SSL", after its TCP connect), and its server cannot be given
// a certificate: `ssl: {cert, key}` under bind_default (or bind) is merged over the default
// `ssl: false` and the server dies at start. So client connections between upstream and ticktock
// stay plain TCP; a ticktock node serving TLS keeps serving after the upstream try.
import { afterAll, beforeAll, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { makeCerts, type TestCerts } from "../support/certs.js";
import { startMosquitto, type Broker } from "../support/mosquitto.js";
import { describeUpstream, runKv, upstreamFixture } from "../support/upstream.js";
import { eventually } from "../support/mixed.js";
import { FAST, dataOf, startNode, stopAll, waitFor, type TestNode } from "../support/cluster.js";
import { init } from "../../src/core/range-set.js";
import { TicktockNode } from "../../src/node/node.js";
import { fsStorage } from "../../src/node/state-file-fs.js";
import { MqttTransport } from "../../src/transport/mqtt-transport.js";
import { Path } from "../../src/wire/path.js";
import { serveTcp } from "../../src/server/tcp-server.js";
import { connectTcp } from "../../src/client/tcp.js";

describeUpstream("TLS and upstream", () => {
  let broker: Broker;
  let certs: TestCerts;
  const up = upstreamFixture();
  beforeAll(async () => {
    await init();
    certs = makeCerts();
    broker = await startMosquitto({ tls: { ca: certs.ca, cert: certs.cert, key: certs.key } });
  });
  afterAll(async () => {
    await broker.stop();
    certs.remove();
  });

  for (const scheme of ["mqtts", "wss"] as const) {
    it(`an upstream server and a ticktock node on a ${scheme}:// broker converge`, async () => {
      const url = scheme === "mqtts" ? broker.mqttsUrl! : broker.wssUrl!;
      const s = await up.start({ name: `up-${scheme}`, mqtt: url, init: true, server: { mqtt: { uri: url, cafile: certs.ca } } });
      const node = new TicktockNode({
        ...FAST, storage: fsStorage, name: `tt-${scheme}`, log: () => {},
        transport: new MqttTransport({ url, tls: { ca: readFileSync(certs.ca) }, backoff: { initial: 100, max: 1000 } }),
      });
      try {
        await node.start();
        const set = await s.kv(["data", "from.upstream", "set", "-e", ":", "1"]);
        expect(set.code, set.stderr + s.log(40)).toBe(0);
        node.set(Path.of("from", "ticktock"), 2);
        await waitFor(() => dataOf(node)["from.upstream"] === 1, 15_000, () => JSON.stringify(dataOf(node)));
        await eventually(async () => {
          const r = await s.kv(["data", "from.ticktock", "get"]);
          return r.stdout.trim() === "2" ? "" : `upstream has from.ticktock = ${JSON.stringify(r.stdout.trim())} (${r.stderr.trim().split("\n").at(-1)})`;
        }, 15_000);
      } finally {
        await node.stop();
      }
    });
  }

  it("upstream's CLI cannot talk TLS: any conn.ssl is NotImplementedError; the ticktock node serves on", async () => {
    const nodes: TestNode[] = [await startNode(broker.url, "tls-up-a")];
    const logs: string[] = [];
    const s = await serveTcp(nodes[0]!.node, { port: 0, tls: { cert: readFileSync(certs.cert), key: readFileSync(certs.key), log: (l) => logs.push(l) } });
    try {
      const config = join(certs.dir, "client.yaml");
      writeFileSync(config, stringify({ kv: { conn: { host: "127.0.0.1", port: s.port, ssl: true } } }));
      const r = await runKv(["-c", config, "data", "x", "get"]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/NotImplementedError: XXX TODO fix SSL/);
      const c = await connectTcp(`127.0.0.1:${s.port}`, { tls: { ca: readFileSync(certs.ca) } });
      expect(c.greeting.node).toBe("tls-up-a");
      c.close();
    } finally {
      await s.close();
      await stopAll(nodes);
    }
  });

  it("upstream's server cannot be given a certificate: ssl {cert, key} kills it at start", async () => {
    const s = await up.start({
      name: "tls-up-b", mqtt: broker.url, init: true, noWait: true,
      server: { bind_default: { host: "127.0.0.1", port: 0, ssl: { cert: certs.cert, key: certs.key } } },
    });
    const code = await s.exited;
    expect(code).not.toBe(0);
    expect(s.log(60)).toMatch(/in combine_dict[^]*AttributeError: 'bool' object has no attribute 'items'/);
  });
});
