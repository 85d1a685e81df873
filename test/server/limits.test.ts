// What one client may cost a node, on both client ports: a message over the limit is refused
// from its header, a client that reads nothing is cut off while a slow reader of a large reply is
// not, the connection cap and the idle timeout; each refusal is one log line, and the node serves
// everyone else on. Also the WebSocket port's origin check.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect, type Socket } from "node:net";
import WebSocket from "ws";
import { FAST, waitFor } from "../support/cluster.js";
import { init } from "../../src/core/range-set.js";
import { TicktockNode } from "../../src/node/node.js";
import { MqttTransport } from "../../src/transport/mqtt-transport.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/transport/embedded-broker.js";
import { serveTcp, type ClientServer } from "../../src/server/tcp-server.js";
import { serveWebSocket, type WebSocketServeOptions } from "../../src/server/ws-server.js";
import { connectTcp } from "../../src/client/tcp.js";
import { decodeAsyncStream, decodeValue, encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

let broker: EmbeddedBroker;
let node: TicktockNode;
const logs: string[] = [];
let servers: ClientServer[] = [];

beforeAll(async () => {
  await init();
  broker = await startEmbeddedBroker(0);
  node = new TicktockNode({ ...FAST, name: "lim", transport: new MqttTransport({ url: broker.url }), log: (_l, line) => logs.push(line) });
  await node.start();
  for (let i = 0; i < 40; i++) node.set(Path.of("big", `k${i}`), "x".repeat(100_000)); // a 4 MB tree
});

afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
  logs.length = 0;
});

afterAll(async () => {
  await node.stop();
  await broker.close();
});

async function tcpServer(limits: Parameters<typeof serveTcp>[1] extends infer O ? (O extends { limits?: infer L } ? L : never) : never = {}) {
  const s = await serveTcp(node, { port: 0, limits });
  servers.push(s);
  return s;
}

async function wsServer(o: WebSocketServeOptions = {}) {
  const s = await serveWebSocket(node, { port: 0, ...o });
  servers.push(s);
  return s;
}

/** A raw TCP connection and every message it receives until it closes. */
function rawTcp(port: number): { socket: Socket; got: Record<string, unknown>[]; closed: Promise<void> } {
  const socket = connect({ port, host: "127.0.0.1" });
  const got: Record<string, unknown>[] = [];
  const closed = (async () => {
    try {
      for await (const m of decodeAsyncStream(socket)) got.push(m as Record<string, unknown>);
    } catch {
      // a reset is a close too
    }
  })();
  return { socket, got, closed };
}

describe("message size", () => {
  it("refuses a 2 GB bin 32 header on TCP at once, says why, and serves the next client", async () => {
    const s = await tcpServer();
    const c = rawTcp(s.port);
    c.socket.write(new Uint8Array([0x82, 0xa3, 0x73, 0x65, 0x71, 0x01, 0xa5, 0x76, 0x61, 0x6c, 0x75, 0x65, 0xc6, 0x80, 0, 0, 0]));
    c.socket.write(new Uint8Array(1 << 20)); // a first megabyte of the 2 GB: already unwanted
    await c.closed;
    expect(c.got[1]!.error).toBe("a message of at least 2147483665 bytes is over the limit of 16777216 bytes (the node's --max-message); closing the connection");
    expect(logs.filter((l) => l.includes("client"))).toEqual([expect.stringMatching(/^ticktock lim: closed the client connection from 127\.0\.0\.1:\d+: a message of at least 2147483665 bytes is over the limit/)]);
    const ok = await connectTcp(`127.0.0.1:${s.port}`);
    expect((await ok.request("get_value", { path: Path.of("big", "k1") })).value).toHaveLength(100_000);
    ok.close();
  });

  it("takes a message at the limit, refuses one byte more", async () => {
    const s = await tcpServer({ maxMessage: 2048 });
    const msg = (n: number) => encodeValue({ action: "set_value", seq: 1, path: Path.of("size"), value: "y".repeat(n) });
    const base = msg(0).length + 2; // a str 8 header becomes str 16 at 32 bytes and more
    const fits = msg(2048 - base);
    expect(fits.length).toBe(2048);
    const c = rawTcp(s.port);
    c.socket.write(fits);
    await waitFor(() => c.got.length === 2, 5000);
    expect(c.got[1]).toMatchObject({ seq: 1, changed: true });
    c.socket.write(msg(2049 - base));
    await c.closed;
    expect(c.got[2]!.error).toMatch(/^a message of at least 2049 bytes is over the limit of 2048 bytes/);
  });

  it("answers a whole message that does not decode and keeps the connection", async () => {
    const s = await tcpServer();
    const c = rawTcp(s.port);
    // fixext 1 of type 3 (a Path) holding one byte that is no msgpack array
    c.socket.write(new Uint8Array([0xd4, 0x03, 0xc1]));
    c.socket.write(encodeValue({ action: "get_value", seq: 2, path: Path.of("big", "k2"), nchain: 0 }));
    await waitFor(() => c.got.length === 3, 5000);
    expect(c.got[1]!.error).toMatch(/^malformed msgpack message from client \(/);
    expect(c.got[2]).toMatchObject({ seq: 2 });
    c.socket.destroy();
  });

  it("closes a WebSocket whose frame announces more than the limit, and serves the next", async () => {
    const s = await wsServer({ limits: { maxMessage: 4096 } });
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}`);
    await new Promise((r) => ws.once("open", r));
    const code = new Promise<number>((r) => ws.once("close", (c) => r(c)));
    ws.send(new Uint8Array(5000));
    expect(await code).toBe(1009);
    await waitFor(() => logs.some((l) => l.includes("a frame over the limit of 4096 bytes")), 2000, () => logs.join("\n"));
    const again = new WebSocket(`ws://127.0.0.1:${s.port}`);
    const greeting = await new Promise<Record<string, unknown>>((r) => again.once("message", (d: Buffer) => r(decodeValue(new Uint8Array(d)) as Record<string, unknown>)));
    expect(greeting).toMatchObject({ seq: 0, node: "lim" });
    again.close();
  });
});

describe("gossip", () => {
  it("drops a gossip message over the node's limit before decoding it, and applies the next", async () => {
    const seen: string[] = [];
    const small = new TicktockNode({ ...FAST, name: "small", maxMessage: 1024, transport: new MqttTransport({ url: broker.url }), log: (_l, line) => seen.push(line) });
    await small.start();
    try {
      node.set(Path.of("gossip", "large"), "z".repeat(2000));
      node.set(Path.of("gossip", "small"), "z");
      await waitFor(() => small.store.get(Path.of("gossip", "small")) !== undefined, 5000);
      expect(small.store.get(Path.of("gossip", "large"))).toBeUndefined();
      // (re-sent when small asks for the tick, it is dropped again; so are the earlier 100 kB values)
      expect(seen.find((l) => /dropped update: \d{4} bytes/.test(l))).toMatch(/^ticktock small: dropped update: 20\d\d bytes, over the limit of 1024 \(maxMessage\)$/);
    } finally {
      await small.stop();
    }
  });
});

describe("clients that do not read", () => {
  it("cuts off a watcher that reads nothing once too much is queued for it", async () => {
    const s = await tcpServer({ maxQueued: 1 << 20 });
    const socket = connect({ port: s.port, host: "127.0.0.1" });
    await new Promise((r) => socket.once("connect", r));
    socket.write(encodeValue({ action: "watch", seq: 1, path: Path.of("flood") }));
    socket.pause(); // and never reads again
    const closed = new Promise((r) => socket.once("close", r));
    for (let i = 0; i < 400 && !logs.some((l) => l.includes("does not read")); i++) {
      node.set(Path.of("flood", `k${i % 10}`), `${i}`.repeat(50_000));
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(logs.filter((l) => l.includes("does not read"))).toEqual([
      expect.stringMatching(/closed the client connection from 127\.0\.0\.1:\d+: it does not read its replies \(\d+ bytes unsent, the limit is 1048576\)$/),
    ]);
    socket.resume();
    await closed;
  });

  it("sends a large get_tree at a slow reader's pace without cutting it off", async () => {
    // 4 MB of tree against 1 MB of queue: only pacing keeps the reply within it
    const s = await tcpServer({ maxQueued: 1 << 20 });
    const socket = connect({ port: s.port, host: "127.0.0.1" });
    socket.write(encodeValue({ action: "get_tree", seq: 1, path: Path.of("big") }));
    let items = 0;
    let end = false;
    for await (const m of decodeAsyncStream(socket)) {
      const msg = m as Record<string, unknown>;
      if (msg.seq === 1 && typeof msg.value === "string") items++;
      if (msg.state === "end") end = true;
      if (end) break;
      await new Promise((r) => setTimeout(r, 3)); // a slow reader
    }
    socket.destroy();
    expect({ items, end }).toEqual({ items: 40, end: true });
    expect(logs.filter((l) => l.includes("does not read"))).toEqual([]);
  });
});

describe("connections", () => {
  it("refuses connections over the cap with a reason, and takes them again when one closes", async () => {
    const s = await tcpServer({ maxConnections: 2 });
    const a = await connectTcp(`127.0.0.1:${s.port}`);
    const b = await connectTcp(`127.0.0.1:${s.port}`);
    const c = rawTcp(s.port);
    await c.closed;
    expect(c.got).toEqual([{ error: "too many connections (the limit is 2); try again later", tock: expect.any(Number) }]);
    expect(logs).toEqual([expect.stringMatching(/refused a client connection from 127\.0\.0\.1:\d+: 2 are open, the limit is 2$/)]);
    expect((await b.request("get_state", {})).node).toBe("lim");
    a.close();
    await waitFor(() => false, 200).catch(() => {});
    const d = await connectTcp(`127.0.0.1:${s.port}`);
    expect((await d.request("get_state", {})).node).toBe("lim");
    b.close();
    d.close();
  });

  it("closes an idle connection but not one with a running watch", async () => {
    const s = await tcpServer({ idleTimeout: 300 });
    const idle = rawTcp(s.port);
    const watching = rawTcp(s.port);
    watching.socket.write(encodeValue({ action: "watch", seq: 1, path: Path.of("w") }));
    await idle.closed;
    expect(idle.got[1]!.error).toBe("idle for 300 ms; closing the connection");
    await new Promise((r) => setTimeout(r, 700));
    node.set(Path.of("w"), "still here");
    await waitFor(() => watching.got.some((m) => m.value === "still here"), 3000, () => JSON.stringify(watching.got));
    watching.socket.destroy();
    expect(logs.filter((l) => l.includes("idle for"))).toHaveLength(1);
  });
});

describe("WebSocket origins", () => {
  const open = (port: number, origin?: string) =>
    new Promise<{ status: number } | { open: true }>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}`, origin ? { origin } : {});
      ws.once("open", () => {
        ws.close();
        resolve({ open: true });
      });
      ws.once("unexpected-response", (_req, res) => resolve({ status: res.statusCode ?? 0 }));
      ws.once("error", () => {});
    });

  it("lets in the allowed origins and clients without one; refuses others with 403 and a log line", async () => {
    const origins = new Set(["http://127.0.0.1:8080"]);
    const s = await wsServer({ origins });
    expect(await open(s.port)).toEqual({ open: true });
    expect(await open(s.port, "http://127.0.0.1:8080")).toEqual({ open: true });
    expect(await open(s.port, "https://evil.example")).toEqual({ status: 403 });
    expect(await open(s.port, "null")).toEqual({ status: 403 });
    expect(logs).toEqual([
      expect.stringMatching(/refused a WebSocket from 127\.0\.0\.1:\d+: origin https:\/\/evil\.example is not allowed \(allow it with --ws-origin https:\/\/evil\.example\)$/),
      expect.stringMatching(/origin null is not allowed/),
    ]);
    origins.add("https://evil.example"); // the set is read at each connection
    expect(await open(s.port, "https://evil.example")).toEqual({ open: true });
  });

  it("lets no web page in by default, and every page with *", async () => {
    expect(await open((await wsServer()).port, "http://127.0.0.1:8080")).toEqual({ status: 403 });
    expect(await open((await wsServer({ origins: "*" })).port, "https://evil.example")).toEqual({ open: true });
  });
});
