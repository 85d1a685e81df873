// The upstream CLI's own bytes, replayed against a ticktock node: every request the recorded
// `moat kv` sent (tcp_cli_test1.raw.txt) gets the same reply upstream gave, key for key and
// in the same order; only the clock (tock) differs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Socket } from "node:net";
import { captureText } from "../support/captures.js";
import { FAST } from "../support/cluster.js";
import { init } from "../../src/core/range-set.js";
import { TicktockNode } from "../../src/node/node.js";
import { MqttTransport } from "../../src/transport/mqtt-transport.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/transport/embedded-broker.js";
import { serveTcp, type ClientServer } from "../../src/server/tcp-server.js";
import { decodeAsyncStream, decodeStream } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

interface Conn {
  id: number;
  toServer: string[];
  fromServer: unknown[];
}

function recordedConnections(): Map<number, Conn> {
  const conns = new Map<number, Conn>();
  for (const line of captureText("tcp_cli_test1.raw.txt").split("\n")) {
    const m = /^\S+ (\d+) (S>C|C>S) ([0-9a-f]+)$/.exec(line);
    if (!m) continue;
    const id = Number(m[1]);
    let c = conns.get(id);
    if (!c) conns.set(id, (c = { id, toServer: [], fromServer: [] }));
    if (m[2] === "C>S") c.toServer.push(m[3]!);
    else c.fromServer.push(...decodeStream(Buffer.from(m[3]!, "hex")));
  }
  return conns;
}

/** A message without its clock: tock values depend on everything else the server did. */
function clockless(v: unknown): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Path) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "tock"));
}

async function replay(port: number, conn: Conn): Promise<unknown[]> {
  const socket: Socket = connect({ port, host: "127.0.0.1" });
  const got: unknown[] = [];
  const reader = (async () => {
    for await (const m of decodeAsyncStream(socket)) {
      got.push(m);
      if (got.length === conn.fromServer.length) break;
    }
  })();
  for (const hex of conn.toServer) socket.write(Buffer.from(hex, "hex"));
  await Promise.race([reader, new Promise((_, reject) => setTimeout(() => reject(new Error(`connection ${conn.id}: got ${JSON.stringify(got)}`)), 5000))]);
  socket.destroy();
  return got;
}

let broker: EmbeddedBroker;
let test1: TicktockNode, test2: TicktockNode;
let server: ClientServer;

beforeAll(async () => {
  await init();
  broker = await startEmbeddedBroker(0);
  test1 = new TicktockNode({ ...FAST, name: "test1", transport: new MqttTransport({ url: broker.url }), log: () => {} });
  test2 = new TicktockNode({ ...FAST, name: "test2", transport: new MqttTransport({ url: broker.url }), log: () => {} });
  await Promise.all([test1.start(), test2.start()]);
  test1.set(new Path(), "Testing"); // test1's tick 1, set when upstream's test1 started
  server = await serveTcp(test1, { port: 0 });
});

afterAll(async () => {
  await server.close();
  await test1.stop();
  await test2.stop();
  await broker.close();
});

describe("the upstream CLI against a ticktock node", () => {
  it("gets upstream's replies to its recorded requests, in the recorded order of events", async () => {
    const conns = recordedConnections();
    const check = async (id: number) => {
      const conn = conns.get(id)!;
      const got = await replay(server.port, conn);
      expect({ id, replies: got.map(clockless) }).toEqual({ id, replies: conn.fromServer.map(clockless) });
    };
    await check(1); // data one.two.three set -e : 123      (watch, get_value, set_value)
    await check(2); // data one.two.three.four set -e : 1234
    test2.set(Path.of("one", "two", "three", "four", "five"), { one: "XXX", two: 2 });
    await new Promise((r) => setTimeout(r, 200));
    await check(3); // data : get                          (the root value)
    await check(4); // internal state -ndmrk
    await check(5); // internal mark test1 2              (fake_info of a present tick: no change)
    await check(6); // internal state -ndmrk
    await check(10); // data one.two.three.four delete      (reply with the previous value)
  });
});
