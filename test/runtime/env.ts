// What the runtime suite talks to: an embedded broker speaking MQTT over WebSocket, and a
// ticktock node on it serving the client protocol over WebSocket, all on 127.0.0.1; and a second
// node with auth on (its own topic root), for the login case.
import { init } from "../../src/core/range-set.js";
import { TicktockNode } from "../../src/node/node.js";
import { MqttTransport } from "../../src/transport/mqtt-transport.js";
import { startEmbeddedBroker } from "../../src/transport/embedded-broker.js";
import { originOf, serveWebSocket } from "../../src/server/ws-server.js";
import { Path } from "../../src/wire/path.js";
import { serveTcp } from "../../src/server/tcp-server.js";
import { connectTcp } from "../../src/client/tcp.js";
import { sealedPassword } from "../../src/client/login.js";
import { freePort } from "../support/mosquitto.js";
import { VIEWER, type SuiteEnv } from "./suite.js";

/** A node whose only user is VIEWER (role read), with auth on: set up over the wire as upstream's CLI does. */
async function lockedNode(brokerUrl: string): Promise<TicktockNode> {
  const node = new TicktockNode({ name: "keep", transport: new MqttTransport({ url: brokerUrl, root: "suite.locked" }), startupWait: 100, announceInterval: 300, log: () => {} });
  await node.start();
  node.set(Path.of("kept"), 42);
  const tcp = await serveTcp(node, { port: 0 });
  const admin = await connectTcp(`127.0.0.1:${tcp.port}`);
  try {
    await admin.request("auth_set", { typ: "password", kind: "user", ident: VIEWER.name, chain: null, password: await sealedPassword(admin, VIEWER.password), role: "read" });
    await admin.request("set_auth_typ", { typ: "password" });
  } finally {
    admin.close();
    await tcp.close();
  }
  return node;
}

export async function startSuiteEnv(): Promise<SuiteEnv & { close(): Promise<void>; allowOrigin(url: string): void }> {
  await init();
  const broker = await startEmbeddedBroker(0, "127.0.0.1", 0);
  const host = new TicktockNode({ name: "host", transport: new MqttTransport({ url: broker.url }), startupWait: 100, announceInterval: 300, log: () => {} });
  await host.start();
  host.set(Path.of("greet"), "hello");
  // a browser page's origin is let in once the page's site is up (allowOrigin)
  const origins = new Set<string>();
  const ws = await serveWebSocket(host, { port: 0, origins });
  const keep = await lockedNode(broker.url);
  const wsLocked = await serveWebSocket(keep, { port: 0, origins });
  return {
    deadBroker: `ws://127.0.0.1:${await freePort()}`,
    broker: broker.wsUrl!,
    server: `ws://127.0.0.1:${ws.port}`,
    locked: `ws://127.0.0.1:${wsLocked.port}`,
    allowOrigin: (url) => void origins.add(originOf(url)),
    close: async () => {
      await ws.close();
      await wsLocked.close();
      await host.stop();
      await keep.stop();
      await broker.close();
    },
  };
}
