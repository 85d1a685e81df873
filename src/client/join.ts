// Joining a cluster: copy data and state from a running server over the client protocol, as
// upstream's fetch_data does: get_tree of everything with whole chains, then get_state.
import type { TicktockNode } from "../node/node.js";
import { Path } from "../wire/path.js";
import { PathExpander } from "../wire/relative-path.js";
import type { InfoMessage, UpdateMessage } from "../wire/messages.js";
import { connectTcp, type TcpClientOptions } from "./tcp.js";

export async function joinFrom(node: TicktockNode, server: string, tls?: TcpClientOptions["tls"]): Promise<{ entries: number; from: string }> {
  const c = await connectTcp(server, { tls });
  try {
    const paths = new PathExpander();
    let entries = 0;
    for await (const item of c.stream("get_tree", { path: new Path(), nchain: -1 })) {
      const msg: UpdateMessage = { chain: item.chain as UpdateMessage["chain"], path: paths.expand(item.path, item.depth), tock: item.tock as number } as UpdateMessage;
      if ("value" in item) msg.value = item.value;
      node.importUpdate(msg);
      entries++;
    }
    const state = await c.request("get_state", { nodes: true, known: true, deleted: true });
    node.importState(state as InfoMessage);
    return { entries, from: c.greeting.node };
  } finally {
    c.close();
  }
}
