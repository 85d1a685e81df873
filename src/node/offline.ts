// A node that only ever loads state-file records: the tick state computed offline, anywhere
// (the CLI's state-file command reads files from disk, the edge health check fetches them).
import type { GossipTransport } from "../transport/transport.js";
import type { UpdateMessage } from "../wire/messages.js";
import { TicktockNode } from "./node.js";
import type { StateFileRecord, StateRecord } from "./state-file.js";

/** No network at all. */
const offline: GossipTransport = {
  state: "closed",
  start: () => Promise.reject(new Error("an offline node has no network")),
  publish: () => {},
  onMessage: () => {},
  onState: () => {},
  close: () => Promise.resolve(),
};

/** Apply records in order, as a node loading them would. `name`: whose view (default: the first state record's node). */
export function offlineNode(records: StateFileRecord[], name?: string): TicktockNode {
  const first = records.find((r): r is StateRecord => r.kind === "state" && !!r.node);
  const node = new TicktockNode({ name: name ?? first?.node ?? "offline", transport: offline, log: () => {} });
  for (const r of records) {
    if (r.kind === "state") node.importState(r);
    else {
      const msg: UpdateMessage = r.kind === "entry"
        ? ({ chain: r.chain, path: r.path, tock: r.tock } as UpdateMessage)
        : { node: r.node, tick: r.tick, ...(r.prev !== undefined ? { prev: r.prev } : {}), path: r.path, tock: r.tock };
      if (!r.deleted) msg.value = r.value;
      node.importUpdate(msg);
    }
  }
  return node;
}
