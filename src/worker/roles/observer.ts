// The passive observer in a worker: the browser inspector's view of a cluster.
import { init } from "../../core/range-set.js";
import type { Tick } from "../../core/tick.js";
import { ClusterObserver, type ClusterSnapshot, type NodeRaster } from "../../observer/cluster-observer.js";
import type { TickRun } from "../../observer/tick-runs.js";
import { postRaster, type RasterMailbox } from "../../observer/raster-mailbox.js";
import { MqttTransport } from "../../transport/mqtt-transport.js";
import type { InfoMessage } from "../../wire/messages.js";
import { encodeValue } from "../../wire/codec.js";
import { escapePieceKeys } from "../../wire/message-pieces.js";
import mqtt from "mqtt";
import type { Connect } from "./console.js";
import type { Credentials } from "../../client/login.js";
import type { GossipTransport } from "../../transport/transport.js";
import { GossipListener } from "../../console/doctor/gossip-listener.js";
import type { GapDiagnosis } from "../../console/doctor/gap-items.js";
import { ServerDoctor } from "../../observer/server-doctor.js";

export interface ObserverApi {
  /** Listen to the cluster's broker (ws:// in browsers). Resolves once connected. */
  connect(options: { mqtt: string; root?: string }): Promise<void>;
  /** Seed the view from a server's get_state reply (nodes, known, present, deleted). */
  seed(state: Record<string, unknown>): void;
  /**
   * Seed the view from a server directly (ws://HOST:PORT in browsers): the state, which can
   * hold millions of intervals, goes from the server into this worker and nowhere else. Logs in
   * with `credentials` when the server asks for a login.
   */
  seedFrom(server: string, credentials?: Credentials): Promise<{ node: string }>;
  snapshot(): ClusterSnapshot;
  /**
   * Timelines of several nodes in one call (one raster per node and band). With a mailbox (one
   * node only) the raster goes there instead, for a page to read in its next frame, and the
   * answer is empty.
   */
  raster(nodes: string[], width: number, range?: { lo: Tick; hi: Tick }, mailbox?: RasterMailbox): NodeRaster[];
  /** The kinds one tick of a node is, each with its run around the tick (the inspector's tooltip). */
  runsAt(node: string, tick: Tick): TickRun[];
  /**
   * The doctor's diagnosis of every gap (`ticktock doctor`'s, one item per node with missing
   * ticks): from the server seedFrom reached, sampled every few seconds in the background (this
   * call answers from the latest sample), and who was heard in the gossip. Empty without a server.
   */
  diagnose(): GapDiagnosis[];
  /** Broadcast an info message on the gossip topics, as fake_info_send does (a repair from an observer). */
  broadcast(msg: InfoMessage): Promise<void>;
  close(): Promise<void>;
}

/** A transport that never connects: for an observer fed by seedFrom alone. */
const silent: GossipTransport = {
  state: "closed",
  start: () => Promise.resolve(),
  publish: () => {},
  onMessage: () => {},
  onState: () => {},
  close: () => Promise.resolve(),
};

/** The command a repair is printed as, with the login the inspector uses (the password from $TICKTOCK_PASSWORD). */
function cliFor(credentials: Credentials | undefined): string {
  if (!credentials) return "ticktock";
  if (credentials.method === "root") return "ticktock --auth root";
  return `ticktock --user ${/^[\w.@-]+$/.test(credentials.name) ? credentials.name : `'${credentials.name.replace(/'/g, `'\\''`)}'`}`;
}

export function createObserverApi(connect: Connect): ObserverApi {
  let observer: ClusterObserver | undefined;
  let listener: GossipListener | undefined;
  let doctor: { server: string; login: string; d: ServerDoctor } | undefined;
  let url = "";
  let root = "moat.kv";
  const need = (api: string): ClusterObserver => {
    if (!observer) throw new Error(`observer.${api}: not connected; call connect(options) first`);
    return observer;
  };
  /** Without a broker the view comes from servers only (seedFrom): an observer that hears nothing. */
  const offline = (): ClusterObserver => (observer ??= new ClusterObserver({ transport: silent }));
  return Object.freeze({
    async connect(o: { mqtt: string; root?: string }) {
      await init();
      if (observer) await observer.stop();
      url = o.mqtt;
      root = o.root ?? "moat.kv";
      const transport = new MqttTransport({ url, root });
      listener = new GossipListener(transport); // who is alive, for the doctor
      observer = new ClusterObserver({ transport });
      await observer.start();
    },
    seed(state: Record<string, unknown>) {
      need("seed").seed(state);
      doctor?.d.invalidate(); // after a repair: diagnose afresh
    },
    async seedFrom(server: string, credentials?: Credentials) {
      await init();
      const o = offline();
      const c = await connect(server, credentials);
      try {
        o.seed(await c.request("get_state", { nodes: true, known: true, present: true, deleted: true }));
        if (doctor?.server !== server || doctor.login !== JSON.stringify(credentials ?? null)) {
          doctor?.d.close();
          doctor = { server, login: JSON.stringify(credentials ?? null), d: new ServerDoctor({ connect: () => connect(server, credentials), listener: () => listener, cli: cliFor(credentials) }) };
        }
        return { node: c.greeting.node };
      } finally {
        c.close();
      }
    },
    snapshot: () => (observer ?? need("snapshot")).snapshot(),
    raster(nodes: string[], width: number, range?: { lo: Tick; hi: Tick }, mailbox?: RasterMailbox) {
      const o = need("raster");
      if (mailbox && nodes.length !== 1) throw new Error(`observer.raster: a mailbox holds one node's raster, not ${nodes.length}`);
      const rasters = nodes.flatMap((n) => o.raster(n, width, range?.lo, range?.hi) ?? []);
      if (!mailbox) return rasters;
      postRaster(mailbox, width, rasters[0]);
      return [];
    },
    runsAt: (node: string, tick: Tick) => need("runsAt").runsAt(node, tick),
    diagnose: () => doctor?.d.diagnoses() ?? [],
    async broadcast(msg: InfoMessage) {
      need("broadcast");
      const { node: _n, tick: _t, tock: _k, ...body } = msg;
      const c = await mqtt.connectAsync(url);
      try {
        await c.publishAsync(`${root.split(".").join("/")}/info`, encodeValue(escapePieceKeys({ ...body, node: "", tick: 0, tock: 0 })) as never);
      } finally {
        await c.endAsync();
      }
    },
    async close() {
      doctor?.d.close();
      doctor = undefined;
      await observer?.stop();
      observer = undefined;
    },
  });
}
