// A node in a worker: start it on a broker (mqtt:// in Node and Deno, ws:// in browsers), change
// and read data, look at and repair its ticks. Paths cross the boundary as element lists.
import { init } from "../../core/range-set.js";
import type { Tick } from "../../core/tick.js";
import type { MarkResult } from "../../ledger/tick-ledger.js";
import { TicktockNode, type ChangeResult, type NodeMode, type NodeStats } from "../../node/node.js";
import type { StateStorage } from "../../node/state-file.js";
import { MqttTransport } from "../../transport/mqtt-transport.js";
import type { TransportState } from "../../transport/transport.js";
import type { RangeSetState } from "../../core/range-set.js";
import type { StateFlags, StateReply } from "../../wire/messages.js";
import { Path, type PathElement } from "../../wire/path.js";

export interface NodeStartOptions {
  name: string;
  /** Broker URL: mqtt://HOST:PORT, or ws://HOST:PORT for MQTT over WebSocket. */
  mqtt: string;
  root?: string;
  force?: boolean;
  authoritative?: boolean;
  startupWait?: number;
  /** Split outgoing update and info messages over this many bytes, as upstream does with 450 (default: never). */
  splitOver?: number;
  load?: string;
  save?: string;
}

export interface NodeStatus {
  name: string;
  mode: NodeMode;
  connection: TransportState;
  tick: Tick;
  entries: number;
  stats: NodeStats;
}

export interface NodeApi {
  start(options: NodeStartOptions): Promise<NodeStatus>;
  status(): NodeStatus;
  get(path: PathElement[]): { value: unknown; tock: Tick } | null;
  set(path: PathElement[], value: unknown): ChangeResult;
  delete(path: PathElement[]): ChangeResult;
  tree(path: PathElement[]): { path: PathElement[]; value: unknown }[];
  getState(flags: StateFlags): StateReply;
  mark(node: string, ticks: RangeSetState | "missing", options?: { deleted?: boolean; broadcast?: boolean; dryRun?: boolean }): MarkResult;
  stop(): Promise<void>;
}

export function createNodeApi(deps: { storage?: StateStorage } = {}): NodeApi {
  let node: TicktockNode | undefined;
  const need = (api: string): TicktockNode => {
    if (!node) throw new Error(`node.${api}: no node is running; call start(options) first`);
    return node;
  };
  const status = (): NodeStatus => {
    const n = need("status");
    return { name: n.name, mode: n.mode, connection: n.connection, tick: n.ledger.get(n.name)?.tick ?? 0, entries: n.store.size, stats: { ...n.stats } };
  };
  return Object.freeze({
    async start(o: NodeStartOptions) {
      await init();
      if (node) throw new Error(`node.start: node ${node.name} is already running here; stop it first`);
      node = new TicktockNode({
        name: o.name, transport: new MqttTransport({ url: o.mqtt, root: o.root }), force: o.force, authoritative: o.authoritative,
        startupWait: o.startupWait, splitOver: o.splitOver, load: o.load, save: o.save, storage: deps.storage,
      });
      try {
        await node.start();
      } catch (e) {
        node = undefined;
        throw e;
      }
      return status();
    },
    status,
    get(path: PathElement[]) {
      const e = need("get").get(new Path(path));
      return e ? { value: e.value, tock: e.tock } : null;
    },
    set: (path: PathElement[], value: unknown) => need("set").set(new Path(path), value),
    delete: (path: PathElement[]) => need("delete").delete(new Path(path)),
    tree: (path: PathElement[]) => need("tree").tree(new Path(path)).map((e) => ({ path: [...e.path.elements], value: e.value })),
    getState: (flags: StateFlags) => need("getState").getState(flags),
    mark: (n: string, ticks: RangeSetState | "missing", options = {}) => need("mark").mark(n, ticks, options),
    async stop() {
      const n = node;
      node = undefined;
      await n?.stop();
    },
  });
}
