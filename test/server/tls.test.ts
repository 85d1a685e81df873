// TLS on every port, with certificates openssl makes for the test (a test CA, a server
// certificate for 127.0.0.1, one for another host name, a CA that signed nothing) and a real
// Mosquitto with mqtts:// and wss:// listeners: nodes converge over both, the client port
// answers over TLS (library, CLI, wss://), a client that does not trust the certificate or
// reaches the wrong host is refused with one line naming the server and the reason, and plain
// TCP to a TLS port is dropped while the node serves on.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import WebSocket from "ws";
import { makeCerts, type TestCerts } from "../support/certs.js";
import { startMosquitto, type Broker } from "../support/mosquitto.js";
import { run, runToEnd, type Running } from "../support/cli.js";
import { FAST, dataOf, waitFor } from "../support/cluster.js";
import { init } from "../../src/core/range-set.js";
import { TicktockNode } from "../../src/node/node.js";
import { fsStorage } from "../../src/node/state-file-fs.js";
import { MqttTransport } from "../../src/transport/mqtt-transport.js";
import { serveTcp } from "../../src/server/tcp-server.js";
import { serveWebSocket } from "../../src/server/ws-server.js";
import type { ClientServer } from "../../src/server/tcp-server.js";
import type { TlsServerOptions } from "../../src/server/listener.js";
import { connectTcp } from "../../src/client/tcp.js";
import { connectWebSocket } from "../../src/client/websocket.js";
import { Path } from "../../src/wire/path.js";

let certs: TestCerts;
let broker: Broker;
const nodes: TicktockNode[] = [];
const servers: ClientServer[] = [];
const procs: Running[] = [];

beforeAll(async () => {
  await init();
  certs = makeCerts();
  broker = await startMosquitto({ tls: { ca: certs.ca, cert: certs.cert, key: certs.key } });
});
afterEach(async () => {
  for (const p of procs.splice(0)) if (p.proc.exitCode === null) {
    p.proc.kill("SIGTERM");
    await p.exited;
  }
  for (const s of servers.splice(0)) await s.close();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});
afterAll(async () => {
  await broker?.stop();
  certs?.remove();
});

const pem = (file: string) => readFileSync(file);

async function startNode(name: string, url: string, logs: string[] = []): Promise<TicktockNode> {
  const transport = new MqttTransport({ url, tls: { ca: pem(certs.ca) }, backoff: { initial: 100, max: 1000 } });
  const node = new TicktockNode({ ...FAST, storage: fsStorage, name, transport, log: (_l, line) => logs.push(line) });
  nodes.push(node);
  await node.start();
  return node;
}

function tlsOptions(logs: string[], more: Partial<TlsServerOptions> = {}): TlsServerOptions {
  return { cert: pem(certs.cert), key: pem(certs.key), log: (line) => logs.push(line), ...more };
}

describe("TLS brokers: mqtts:// and wss:// (Mosquitto)", () => {
  it("a node on mqtts:// and one on wss:// converge", async () => {
    const a = await startNode("tls-a", broker.mqttsUrl!);
    const b = await startNode("tls-b", broker.wssUrl!);
    a.set(Path.of("over", "mqtts"), 1);
    b.set(Path.of("over", "wss"), 2);
    await waitFor(() => JSON.stringify(dataOf(a)) === JSON.stringify(dataOf(b)) && Object.keys(dataOf(a)).length === 2, 10_000,
      () => `a=${JSON.stringify(dataOf(a))} b=${JSON.stringify(dataOf(b))}`);
    expect(dataOf(b)).toEqual({ "over.mqtts": 1, "over.wss": 2 });
  });

  it("a broker that asks for a client certificate: refused without one, served with one (what --mqtt-cert/--mqtt-key give)", async () => {
    const strict = await startMosquitto({ tls: { ca: certs.ca, cert: certs.cert, key: certs.key, requireCertificate: true } });
    try {
      const without = new MqttTransport({ url: strict.mqttsUrl!, tls: { ca: pem(certs.ca) }, backoff: { initial: 100, max: 200 } });
      const details: string[] = [];
      without.onState((_s, d) => d && details.push(d));
      void without.start().catch(() => {});
      await waitFor(() => details.length >= 1, 10_000);
      await without.close();
      expect(details[0]).toMatch(/^broker mqtts:\/\/127\.0\.0\.1:\d+ unreachable \(it asks for a client certificate\); retrying in \d+ ms$/);
      const logs: string[] = [];
      const transport = new MqttTransport({ url: strict.mqttsUrl!, tls: { ca: pem(certs.ca), cert: pem(certs.cert), key: pem(certs.key) } });
      const node = new TicktockNode({ ...FAST, storage: fsStorage, name: "tls-cert", transport, log: (_l, line) => logs.push(line) });
      nodes.push(node);
      await node.start();
      expect(transport.state).toBe("connected");
    } finally {
      await strict.stop();
    }
  });

  it("a broker whose certificate is not trusted: one line naming the broker and why, retried", async () => {
    for (const url of [broker.mqttsUrl!, broker.wssUrl!]) {
      const t = new MqttTransport({ url, tls: { ca: pem(certs.otherCa) }, backoff: { initial: 100, max: 200 } });
      const details: string[] = [];
      t.onState((_s, d) => d && details.push(d));
      void t.start().catch(() => {}); // never connects; closed below
      await waitFor(() => details.length >= 2, 10_000, () => details.join("\n"));
      await t.close();
      expect(details[0]).toMatch(new RegExp(`^broker ${url.replace(/[/.]/g, "\\$&")} unreachable \\(its certificate is not trusted \\(self-signed certificate in certificate chain\\); trust the CA that signed it \\(--mqtt-ca FILE\\)\\); retrying in \\d+ ms$`));
    }
  });
});

describe("TLS on the client ports", () => {
  it("the TCP port over TLS answers a client trusting the CA; others are refused with one line", async () => {
    const node = await startNode("tls-c", broker.mqttsUrl!);
    const logs: string[] = [];
    const s = await serveTcp(node, { port: 0, tls: tlsOptions(logs) });
    servers.push(s);
    const at = `127.0.0.1:${s.port}`;
    const c = await connectTcp(at, { tls: { ca: pem(certs.ca) } });
    await c.request("set_value", { path: Path.of("secret"), value: 42 });
    expect((await c.request("get_value", { path: Path.of("secret") })).value).toBe(42);
    c.close();

    await expect(connectTcp(at, { tls: true })).rejects.toThrow(`cannot talk TLS to ${at}: its certificate is not trusted (unable to verify the first certificate); trust the CA that signed it (--tls-ca FILE)`);
    await expect(connectTcp(at, { tls: { ca: pem(certs.otherCa) } })).rejects.toThrow(/^cannot talk TLS to 127\.0\.0\.1:\d+: its certificate is not trusted/);
    await waitFor(() => logs.length >= 2, 5000, () => logs.join("\n"));
    expect(logs[0]).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed: the client hung up during the handshake \(does it trust this certificate\?\)$/);

    // a certificate for another host name
    const wrong = await serveTcp(node, { port: 0, tls: { cert: pem(certs.wrongHostCert), key: pem(certs.wrongHostKey) } });
    servers.push(wrong);
    await expect(connectTcp(`127.0.0.1:${wrong.port}`, { tls: { ca: pem(certs.ca) } }))
      .rejects.toThrow(`cannot talk TLS to 127.0.0.1:${wrong.port}: its certificate does not name 127.0.0.1 (it is for DNS:elsewhere.invalid)`);

    // TLS to a plain port
    const plain = await serveTcp(node, { port: 0 });
    servers.push(plain);
    await expect(connectTcp(`127.0.0.1:${plain.port}`, { tls: { ca: pem(certs.ca) } }))
      .rejects.toThrow(`cannot talk TLS to 127.0.0.1:${plain.port}: it does not speak TLS there (connect without TLS?)`);
  });

  it("plain TCP to the TLS port is dropped with a log line; the node serves on", async () => {
    const node = await startNode("tls-d", broker.mqttsUrl!);
    const logs: string[] = [];
    const s = await serveTcp(node, { port: 0, tls: tlsOptions(logs, { handshakeTimeout: 800 }) });
    servers.push(s);
    // msgpack bytes where a TLS ClientHello belongs
    const closed = await new Promise<boolean>((resolve) => {
      const raw = netConnect({ host: "127.0.0.1", port: s.port }, () => raw.write(Buffer.from([0x82, 0xa3, 0x73, 0x65, 0x71, 0x01, 0xa6, 0x61, 0x63, 0x74, 0x69, 0x6f, 0x6e])));
      raw.on("error", () => {});
      raw.on("close", () => resolve(true));
      setTimeout(() => resolve(false), 5000);
    });
    expect(closed).toBe(true);
    // a plain MoaT-KV client waits for a greeting that never comes, and says what to try
    await expect(connectTcp(`127.0.0.1:${s.port}`, { timeout: 500 })).rejects.toThrow(/sent no greeting within 500 ms; is it a MoaT-KV server \(one serving TLS needs --tls\)\?/);
    // a silent connection is dropped after the handshake timeout
    const silentClosedIn = await new Promise<number>((resolve) => {
      const t0 = Date.now();
      const raw = netConnect({ host: "127.0.0.1", port: s.port });
      raw.on("error", () => {});
      raw.on("close", () => resolve(Date.now() - t0));
    });
    expect(silentClosedIn).toBeLessThan(3000);
    expect(logs.some((l) => /^TLS handshake with 127\.0\.0\.1:\d+ failed: the client does not speak TLS$/.test(l))).toBe(true);
    expect(logs.some((l) => /^TLS handshake with 127\.0\.0\.1:\d+ failed: no handshake within 800 ms \(a client without TLS\?\)$/.test(l))).toBe(true);
    const c = await connectTcp(`127.0.0.1:${s.port}`, { tls: { ca: pem(certs.ca) } });
    expect((await c.request("get_state", { nodes: true })).node).toBe("tls-d");
    c.close();
  });

  it("the WebSocket port as wss://: Node's ws client with the CA talks; without it, or over ws://, it is refused", async () => {
    const node = await startNode("tls-e", broker.wssUrl!);
    const logs: string[] = [];
    const s = await serveWebSocket(node, { port: 0, tls: tlsOptions(logs) });
    servers.push(s);
    const url = `wss://127.0.0.1:${s.port}`;
    const c = await connectWebSocket(url, { WebSocket: WebSocket as never, tls: { ca: pem(certs.ca) } });
    await c.request("set_value", { path: Path.of("w"), value: "ss" });
    expect((await c.request("get_value", { path: Path.of("w") })).value).toBe("ss");
    c.close();
    await expect(connectWebSocket(url, { WebSocket: WebSocket as never })).rejects.toThrow(`cannot talk TLS to ${url}: its certificate is not trusted (unable to verify the first certificate); trust the CA that signed it (options.tls.ca)`);
    await expect(connectWebSocket(`ws://127.0.0.1:${s.port}`, { WebSocket: WebSocket as never })).rejects.toThrow(`cannot reach a ticktock node at ws://127.0.0.1:${s.port}`);
    const again = await connectWebSocket(url, { WebSocket: WebSocket as never, tls: { ca: pem(certs.ca) } });
    expect((await again.request("get_value", { path: Path.of("w") })).value).toBe("ss");
    again.close();
    expect(logs.some((l) => /the client does not speak TLS/.test(l))).toBe(true);
  });
});

describe("TLS from the command line", () => {
  it("ticktock node --tls-cert/--tls-key on mqtts://; the CLI with --tls-ca; a second node joins over TLS on wss://", async () => {
    const a = run(["node", "cli-a", "--mqtt", broker.mqttsUrl!, "--mqtt-ca", certs.ca, "--port", "0", "--tls-cert", certs.cert, "--tls-key", certs.key, "--startup-wait", "200"]);
    procs.push(a);
    const port = (await a.waitFor(/client protocol on 127\.0\.0\.1:(\d+) \(TLS\)/))[1]!;
    await a.waitFor(/serving/); // after its start-up wait: data requests before it are refused
    const server = ["--server", `127.0.0.1:${port}`];
    const set = await runToEnd(["data", "cli.x", "set", "-e", ":", "7", ...server, "--tls-ca", certs.ca]);
    expect(set, set.stderr).toMatchObject({ code: 0 });
    const got = await runToEnd(["data", "cli.x", "get", ...server, "--tls-ca", certs.ca]);
    expect(got).toMatchObject({ code: 0, stdout: "7\n" });

    // not trusted, no TLS asked for, a CA file that is no certificate: one line each
    const untrusted = await runToEnd(["data", "cli.x", "get", ...server, "--tls"]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toBe(`ticktock: cannot talk TLS to 127.0.0.1:${port}: its certificate is not trusted (unable to verify the first certificate); trust the CA that signed it (--tls-ca FILE)\n`);
    const other = await runToEnd(["internal", "state", ...server, "--tls-ca", certs.otherCa]);
    expect(other.stderr).toMatch(/^ticktock: cannot talk TLS to 127\.0\.0\.1:\d+: its certificate is not trusted \(unable to verify the first certificate\)/);
    const notPem = await runToEnd(["data", "cli.x", "get", ...server, "--tls-ca", certs.key]);
    expect(notPem).toMatchObject({ code: 2, stderr: `ticktock: --tls-ca ${certs.key}: not a PEM certificate (no -----BEGIN CERTIFICATE----- line)\n` });

    const b = run(["node", "cli-b", "--mqtt", broker.wssUrl!, "--mqtt-ca", certs.ca, "--port", "0", "--join", `127.0.0.1:${port}`, "--tls-ca", certs.ca, "--startup-wait", "200"]);
    procs.push(b);
    await b.waitFor(/copied 1 entries and the tick state from cli-a at 127\.0\.0\.1:\d+/);
    const bPort = (await b.waitFor(/client protocol on 127\.0\.0\.1:(\d+);/))[1]!;
    await b.waitFor(/serving/); // reads before that are refused (maintainer-only while starting)
    const fromB = await runToEnd(["data", "cli.x", "get", "--server", `127.0.0.1:${bPort}`]);
    expect(fromB).toMatchObject({ code: 0, stdout: "7\n" });
    // and a's own TLS port is still serving after all those refusals
    expect(await runToEnd(["data", "cli.x", "get", ...server, "--tls-ca", certs.ca])).toMatchObject({ code: 0, stdout: "7\n" });
    expect(a.stderr()).toMatch(/TLS handshake with 127\.0\.0\.1:\d+ failed/);
  });

  it("flags that do not fit are usage errors naming them", async () => {
    const noKey = await runToEnd(["node", "x", "--tls-cert", certs.cert]);
    expect(noKey).toMatchObject({ code: 2, stderr: "ticktock: --tls-cert and --tls-key go together: give both\n" });
    const mismatch = await runToEnd(["node", "x", "--tls-cert", certs.cert, "--tls-key", certs.wrongHostKey]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/^ticktock: --tls-cert \S+ with --tls-key \S+: not usable \(.*key values mismatch.*\)\n$/);
    const plainBroker = await runToEnd(["node", "x", "--mqtt", broker.url, "--mqtt-ca", certs.ca]);
    expect(plainBroker).toMatchObject({ code: 2, stderr: `ticktock: --mqtt-ca applies to a TLS broker: give --mqtt mqtts://HOST:PORT or wss://HOST:PORT, not ${broker.url}\n` });
    const missing = await runToEnd(["watch", "--mqtt", broker.mqttsUrl!, "--mqtt-ca", "/nonexistent/ca.pem"]);
    expect(missing).toMatchObject({ code: 2, stderr: "ticktock: --mqtt-ca /nonexistent/ca.pem: cannot read it (ENOENT)\n" });
  });
});
