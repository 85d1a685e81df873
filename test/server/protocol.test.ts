// The client protocol's edges: bad requests get error replies and the connection stays open;
// the same session works over WebSocket; multi-part replies and watches.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "node:net";
import WebSocket from "ws";
import { FAST } from "../support/cluster.js";
import { init } from "../../src/core/range-set.js";
import { TicktockNode } from "../../src/node/node.js";
import { MqttTransport } from "../../src/transport/mqtt-transport.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/transport/embedded-broker.js";
import { serveTcp, type ClientServer } from "../../src/server/tcp-server.js";
import { serveWebSocket } from "../../src/server/ws-server.js";
import { connectTcp } from "../../src/client/tcp.js";
import { connectWebSocket } from "../../src/client/websocket.js";
import { decodeAsyncStream, encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";
import { PathExpander } from "../../src/wire/relative-path.js";

let broker: EmbeddedBroker;
let node: TicktockNode;
let tcp: ClientServer, ws: ClientServer;

beforeAll(async () => {
  await init();
  broker = await startEmbeddedBroker(0);
  node = new TicktockNode({ ...FAST, name: "p", transport: new MqttTransport({ url: broker.url }), log: () => {} });
  await node.start();
  for (const [p, v] of [[["a"], 1], [["a", "b"], 2], [["a", "b", "c"], 3], [["a", "d"], 4], [["z"], 5]] as const) node.set(new Path(p), v);
  tcp = await serveTcp(node, { port: 0 });
  ws = await serveWebSocket(node, { port: 0 });
});

afterAll(async () => {
  await tcp.close();
  await ws.close();
  await node.stop();
  await broker.close();
});

/** Send raw messages on a TCP connection, return the first `n` messages back (greeting included). */
async function raw(messages: Uint8Array[], n: number): Promise<Record<string, unknown>[]> {
  const s = connect({ port: tcp.port, host: "127.0.0.1" });
  const got: Record<string, unknown>[] = [];
  for (const m of messages) s.write(m);
  for await (const m of decodeAsyncStream(s)) {
    got.push(m as Record<string, unknown>);
    if (got.length === n) break;
  }
  s.destroy();
  return got;
}

describe("client protocol", () => {
  it("greets first with upstream's fields", async () => {
    const [g] = await raw([], 1);
    expect(Object.keys(g!)).toEqual(["seq", "version", "node", "tick", "tock", "qlen"]);
    expect(g).toMatchObject({ seq: 0, version: [0, 0, 1], node: "p", tick: 5, qlen: 10 });
  });

  it("answers bad requests with errors and keeps the connection", async () => {
    const got = await raw(
      [
        encodeValue({ seq: 0, qlen: 0 }),
        encodeValue({ action: "frobnicate", seq: 1 }),
        encodeValue({ seq: 2 }),
        encodeValue([1, 2, 3]),
        encodeValue({ action: "get_value", seq: "x" }),
        encodeValue({ action: "get_value", path: "a.b", seq: 3 }),
        encodeValue({ action: "set_value", path: Path.of("a"), value: 9, prev: 7, seq: 4 }),
        encodeValue({ action: "set_value", path: Path.of("q"), value: 9, chain: { node: "p", tick: 1 }, seq: 5 }),
        encodeValue({ action: "get_tock", seq: 6 }),
      ],
      9,
    );
    const errors = got.slice(1).map((m) => m.error);
    expect(errors[0]).toMatch(/^unknown action "frobnicate"; this server knows get_state, get_value, /);
    expect(errors[1]).toMatch(/^request 2 has no action; expected one of get_state, /);
    expect(errors[2]).toBe("request [1, 2, 3] is not a map; expected {action, seq, ...}");
    expect(errors[3]).toBe('request has no usable seq (got "x"); expected a positive integer');
    // as upstream: a path that is not a Path answers as an absent entry does, without an error
    expect(got[5]).toEqual({ seq: 3, tock: expect.any(Number) });
    expect(errors[5]).toBe("Data is 1 not 7 at a");
    expect(errors[6]).toBe("Entry is new at q");
    expect(got[8]).toMatchObject({ seq: 6 });
    expect(typeof got[8]!.tock).toBe("number");
  });

  it("says why and hangs up on bytes that are not msgpack", async () => {
    const got = await raw([new Uint8Array([0xc1, 0xc1])], 2);
    expect(got[1]!.error).toMatch(/^malformed msgpack from client \(.*\); closing the connection$/);
  });

  it("streams get_tree with relative paths, depth bounds included", async () => {
    const c = await connectTcp(`127.0.0.1:${tcp.port}`);
    const paths = new PathExpander(Path.of("a"));
    const items: string[] = [];
    for await (const it of c.stream("get_tree", { path: Path.of("a"), max_depth: 1 })) items.push(`${paths.expand(it.path, it.depth)}=${it.value}`);
    expect(items).toEqual(["a=1", "a.b=2", "a.d=4"]);
    c.close();
  });

  it("watches a subtree: the initial dump, uptodate, then live changes", async () => {
    const c = await connectTcp(`127.0.0.1:${tcp.port}`);
    const seen: unknown[] = [];
    const it = c.stream("watch", { path: Path.of("a", "b"), fetch: true })[Symbol.asyncIterator]();
    seen.push((await it.next()).value.value, (await it.next()).value.value);
    node.set(Path.of("a", "b", "c"), 33);
    node.set(Path.of("z"), 55); // not under a.b
    node.set(Path.of("a", "b"), 22);
    seen.push((await it.next()).value.value, (await it.next()).value.value);
    expect(seen).toEqual([2, 3, 33, 22]);
    c.close();
  });

  it("serves the same protocol over WebSocket, for browsers", async () => {
    const c = await connectWebSocket(`ws://127.0.0.1:${ws.port}`, { WebSocket: WebSocket as never });
    expect(c.greeting.node).toBe("p");
    expect(await c.request("get_value", { path: Path.of("z"), nchain: 1 })).toMatchObject({ value: 55, chain: { node: "p", tick: 7 } });
    await expect(c.request("nope")).rejects.toThrow('nope: unknown action "nope"');
    const st = await c.request("get_state", { nodes: true, missing: true });
    expect(st).toMatchObject({ nodes: { p: 8 }, missing: {}, node: "p" });
    c.close();
  });

  it("rejects pending requests when the server goes away", async () => {
    const lone = await serveTcp(node, { port: 0 });
    const c = await connectTcp(`127.0.0.1:${lone.port}`, { timeout: 2000 });
    const pending = c.request("get_tock");
    await lone.close();
    await pending.catch(() => undefined); // may or may not have been answered first
    await expect(c.request("get_tock")).rejects.toThrow(/closed the connection/);
  });
});
