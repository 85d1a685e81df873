// Two real Mosquitto brokers joined by a bridge, as a cluster spread over two sites runs:
// broker B has a `connection` to broker A carrying `<root>/# both`, here through a TCP proxy
// (tcp-proxy.ts) that the test cuts to split the network and restores to heal it. Mosquitto's
// bridge reconnects by itself (every second here) once the proxy forwards again.
//
//   const n = await startBridgedBrokers();   // n.a, n.b: Broker; bridged and checked
//   await n.split();                          // nothing crosses any more (checked)
//   await n.heal();                           // forwarding again both ways (checked)
//   await n.stop();
import mqtt, { type MqttClient } from "mqtt";
import { startMosquitto, type Broker } from "./mosquitto.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

export interface BridgedBrokers {
  a: Broker;
  b: Broker;
  proxy: TcpProxy;
  /** The gossip root's topic prefix the bridge carries (moat/kv). */
  root: string;
  /** Cut the bridge, and check that nothing crosses in either direction. */
  split(): Promise<void>;
  /** Restore the bridge, and wait until messages cross in both directions again. */
  heal(ms?: number): Promise<void>;
  /** Does a message published on one broker reach the other, both ways, within `ms`? */
  forwards(ms: number): Promise<{ aToB: boolean; bToA: boolean }>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Start broker A, a proxy to it, and broker B bridged to A through the proxy; resolve once a
 * probe message crosses both ways. `root` is the MQTT root path of the gossip (upstream's default
 * is `moat.kv`, topics `moat/kv/...`).
 */
export async function startBridgedBrokers(opts: { root?: string; readyMs?: number } = {}): Promise<BridgedBrokers> {
  const root = (opts.root ?? "moat.kv").split(".").join("/");
  const a = await startMosquitto();
  const proxy = await startTcpProxy(a.port);
  const b = await startMosquitto({
    logTypes: ["error", "warning", "notice"],
    extra: [
      "connection split-test-bridge",
      `address 127.0.0.1:${proxy.port}`,
      `topic ${root}/# both 0`,
      "remote_clientid split-test-bridge",
      "cleansession true", // a split loses what was sent meanwhile, as on a real network
      "restart_timeout 1 2", // reconnect within 1 to 2 s (a single value is not honoured by 2.0.11: it keeps the 5 to 30 s back-off)
      "keepalive_interval 5",
      "notifications false",
      "try_private true",
      "start_type automatic",
    ],
  });
  const probeTopic = `${root}/bridge-probe`; // under the root, read by no node (nodes read update, info, ping, del)
  let probeSeq = 0;

  /** Publish probes on `from` until one arrives on `to`, or `ms` passes. */
  async function crosses(from: MqttClient, to: MqttClient, ms: number): Promise<boolean> {
    const tag = `probe-${process.pid}-${++probeSeq}`;
    let seen = false;
    const onMessage = (topic: string, payload: Buffer) => {
      if (topic === probeTopic && payload.toString() === tag) seen = true;
    };
    to.on("message", onMessage);
    try {
      const until = Date.now() + ms;
      while (!seen && Date.now() < until) {
        await from.publishAsync(probeTopic, tag, { qos: 0 });
        for (let i = 0; i < 4 && !seen; i++) await sleep(50);
      }
      return seen;
    } finally {
      to.off("message", onMessage);
    }
  }

  async function forwards(ms: number): Promise<{ aToB: boolean; bToA: boolean }> {
    const ca = await mqtt.connectAsync(a.url, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });
    const cb = await mqtt.connectAsync(b.url, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });
    try {
      await ca.subscribeAsync(probeTopic, { qos: 0 });
      await cb.subscribeAsync(probeTopic, { qos: 0 });
      const [aToB, bToA] = await Promise.all([crosses(ca, cb, ms), crosses(cb, ca, ms)]);
      return { aToB, bToA };
    } finally {
      await Promise.all([ca.endAsync(), cb.endAsync()]);
    }
  }

  const describe = () => `proxy: ${proxy.accepted} connections accepted, ${proxy.open} open, cut=${proxy.isCut}; broker B log:\n${b.log().split("\n").slice(-15).join("\n")}`;

  async function heal(ms = opts.readyMs ?? 15_000): Promise<void> {
    proxy.heal();
    const f = await forwards(ms);
    if (!f.aToB || !f.bToA) throw new Error(`the bridge does not forward within ${ms} ms (A to B: ${f.aToB}, B to A: ${f.bToA}); ${describe()}`);
  }

  const n: BridgedBrokers = {
    a, b, proxy, root, forwards, heal,
    async split() {
      proxy.cut();
      const f = await forwards(1500);
      if (f.aToB || f.bToA) throw new Error(`the cut bridge still forwards (A to B: ${f.aToB}, B to A: ${f.bToA}); ${describe()}`);
    },
    async stop() {
      await b.stop();
      await proxy.close();
      await a.stop();
    },
  };
  try {
    await heal();
  } catch (e) {
    await n.stop();
    throw e;
  }
  return n;
}
