// What the runtime suite talks to: an embedded broker speaking MQTT over WebSocket, and a
// ticktock node on it serving the client protocol over WebSocket, all on 127.0.0.1.
import { init } from "../../src/core/range-set.js";
import { TicktockNode } from "../../src/node/node.js";
import { MqttTransport } from "../../src/transport/mqtt-transport.js";
import { startEmbeddedBroker } from "../../src/transport/embedded-broker.js";
import { originOf, serveWebSocket } from "../../src/server/ws-server.js";
import { Path } from "../../src/wire/path.js";
import { freePort } from "../support/mosquitto.js";
import type { SuiteEnv } from "./suite.js";

export async function startSuiteEnv(): Promise<SuiteEnv & { close(): Promise<void>; allowOrigin(url: string): void }> {
  await init();
  const broker = await startEmbeddedBroker(0, "127.0.0.1", 0);
  const host = new TicktockNode({ name: "host", transport: new MqttTransport({ url: broker.url }), startupWait: 100, announceInterval: 300, log: () => {} });
  await host.start();
  host.set(Path.of("greet"), "hello");
  // a browser page's origin is let in once the page's site is up (allowOrigin)
  const origins = new Set<string>();
  const ws = await serveWebSocket(host, { port: 0, origins });
  return {
    deadBroker: `ws://127.0.0.1:${await freePort()}`,
    broker: broker.wsUrl!,
    server: `ws://127.0.0.1:${ws.port}`,
    allowOrigin: (url) => void origins.add(originOf(url)),
    close: async () => {
      await ws.close();
      await host.stop();
      await broker.close();
    },
  };
}
