// The bytes on a real Serf agent: the RPC frames the client writes and the agent answers with
// (recorded through a loopback proxy), and the `_p0` pieces a node sends, as a second agent
// delivers them to a plain RPC stream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnection, createServer, type Server } from "node:net";
import { decodeMulti, encode } from "@msgpack/msgpack";
import { waitFor } from "../support/cluster.js";
import { startSerfAgents, startSerfNode, stopSerfAgents, type SerfAgent, type SerfTestNode } from "../support/serf-agents.js";
import { SerfRpcClient, type SerfUserEvent } from "../../src/transport/serf/rpc-client.js";
import { decodeValue } from "../../src/wire/codec.js";
import { split } from "../../src/wire/message-pieces.js";
import { Path } from "../../src/wire/path.js";

let agents: SerfAgent[] = [];
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const str = (s: string) => hex(encode(s));

beforeAll(async () => {
  agents = await startSerfAgents(2, 17200);
});
afterAll(async () => {
  await stopSerfAgents(agents);
});

/** A proxy to an agent's RPC that keeps both directions' bytes. */
async function recordingProxy(port: number): Promise<{ port: number; sent: () => Uint8Array; received: () => Uint8Array; server: Server }> {
  const up: Buffer[] = [], down: Buffer[] = [];
  const server = createServer((client) => {
    const agent = createConnection({ host: "127.0.0.1", port });
    client.on("data", (d) => (up.push(d), agent.write(d)));
    agent.on("data", (d) => (down.push(d), client.write(d)));
    client.on("close", () => agent.destroy());
    agent.on("close", () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as { port: number }).port, sent: () => Buffer.concat(up), received: () => Buffer.concat(down), server };
}

describe("bytes on a Serf agent", () => {
  it("RPC frames: str keys and strings, bin payloads, header then body, routed by Seq", async () => {
    const proxy = await recordingProxy(agents[0]!.rpcPort);
    const c = await SerfRpcClient.connect({ host: "127.0.0.1", port: proxy.port });
    const got: SerfUserEvent[] = [];
    await c.stream("user:moat.kv.update", (e) => got.push(e));
    const payload = new Uint8Array([0x81, 0xa1, 0x78, 0x01]); // {"x": 1}
    await c.event("moat.kv.update", payload);
    await waitFor(() => got.length === 1, 5000);
    c.close();
    proxy.server.close();
    // what the client wrote: handshake, stream, event; each a {Command, Seq} header and its body
    const map = (n: number) => (0x80 + n).toString(16);
    expect(hex(proxy.sent())).toBe([
      map(2), str("Command"), str("handshake"), str("Seq"), "00", map(1), str("Version"), "01",
      map(2), str("Command"), str("stream"), str("Seq"), "01", map(1), str("Type"), str("user:moat.kv.update"),
      map(2), str("Command"), str("event"), str("Seq"), "02", map(3), str("Name"), str("moat.kv.update"), str("Payload"), "c404", hex(payload), str("Coalesce"), "c2",
    ].join(""));
    // what the agent answered: headers {Seq, Error}, the record as a header under the stream's Seq and a body
    const values = [...decodeMulti(proxy.received())] as Record<string, unknown>[];
    expect(values.slice(0, 2)).toEqual([{ Seq: 0, Error: "" }, { Seq: 1, Error: "" }]);
    const rest = values.slice(2);
    const record = rest.findIndex((v) => v.Seq === 1);
    const body = rest[record + 1]!;
    expect({ ...body, Payload: hex(body.Payload as Uint8Array) }).toMatchObject({ Event: "user", Name: "moat.kv.update", Payload: hex(payload), Coalesce: false });
    expect(rest).toContainEqual({ Seq: 2, Error: "" });
    // the agent sends Payload as bin (c4 04) and every key as str
    expect(hex(proxy.received())).toContain(str("Payload") + "c404" + hex(payload));
    expect(got[0]).toMatchObject({ Name: "moat.kv.update", Payload: payload, Coalesce: false });
  });

  it("pieces: a node's split update arrives on another agent as upstream's _p0 bytes, each event within Serf's limit", async () => {
    let node: SerfTestNode | undefined;
    const spy = await SerfRpcClient.connect({ host: "127.0.0.1", port: agents[1]!.rpcPort });
    try {
      const seen: Uint8Array[] = [];
      // only pieces: the event of the test before may still be arriving by gossip
      await spy.stream("user:moat.kv.update", (e) => {
        if ("_p0" in (decodeValue(e.Payload) as object)) seen.push(e.Payload);
      });
      node = await startSerfNode(agents[0]!, "wire1");
      node.node.set(Path.of("wire", "big"), "w".repeat(2000));
      const chunk = 450 - 15 - "wire1".length;
      await waitFor(() => seen.length >= Math.ceil(2050 / chunk), 10_000, () => `${seen.length} pieces`);
      await new Promise((r) => setTimeout(r, 300)); // the rest of the set, if any
      const pieces = seen.map((p) => ({ p, v: (decodeValue(p) as { _p0: [string, number, number, Uint8Array] })._p0 }));
      // header: {"_p0": [node, seq, i, bin]}
      for (const { p, v } of pieces) {
        expect(hex(p.subarray(0, 6 + 6))).toBe("81" + str("_p0") + "94" + str("wire1"));
        expect("moat.kv.update".length + p.length).toBeLessThanOrEqual(482);
        expect(v[3]).toBeInstanceOf(Uint8Array);
      }
      const seq = pieces[0]!.v[1];
      const set = pieces.filter(({ v }) => v[1] === seq).sort((a, b) => Math.abs(a.v[2]) - Math.abs(b.v[2]));
      expect(set.map(({ v }) => v[2])).toEqual(set.map((_, i) => (i === set.length - 1 ? -(i + 1) : i + 1)));
      for (const { v } of set.slice(0, -1)) expect(v[3].length).toBe(chunk);
      const whole = Buffer.concat(set.map(({ v }) => v[3]));
      const msg = decodeValue(whole) as Record<string, unknown>;
      expect(msg).toMatchObject({ node: "wire1", tick: 1, value: "w".repeat(2000) });
      // the same bytes as upstream's _pack_multiple (message-pieces.split) makes of that message
      expect(split(msg, "wire1", seq).map(hex)).toEqual(set.map(({ p }) => hex(p)));
    } finally {
      spy.close();
      await node?.node.stop();
    }
  });
});
