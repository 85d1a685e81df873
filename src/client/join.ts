// Joining a cluster: copy data and state from a running server over the client protocol, as
// upstream's fetch_data does: get_tree of everything with whole chains, get_tree_internal,
// then get_state.
import type { TicktockNode } from "../node/node.js";
import { Path } from "../wire/path.js";
import { PathExpander } from "../wire/relative-path.js";
import type { InfoMessage, UpdateMessage } from "../wire/messages.js";
import { connectTcp, type TcpClientOptions } from "./tcp.js";
import { login, type Credentials } from "./login.js";
import type { KvClient } from "./client.js";

/** Import every entry a get_tree-like stream sends (paths relative to `base`); how many. */
async function copyTree(node: TicktockNode, c: KvClient, action: string, base: Path): Promise<number> {
  const paths = new PathExpander(base);
  let entries = 0;
  for await (const item of c.stream(action, { path: new Path(), nchain: -1 })) {
    const msg: UpdateMessage = { chain: item.chain as UpdateMessage["chain"], path: paths.expand(item.path, item.depth), tock: item.tock as number } as UpdateMessage;
    if ("value" in item) msg.value = item.value;
    node.importUpdate(msg);
    entries++;
  }
  return entries;
}

/**
 * `cred`: who to log in as where the server wants a login (as upstream's kv.conn.auth); `tls`:
 * talk TLS to it.
 */
export async function joinFrom(node: TicktockNode, server: string, cred?: Credentials, tls?: TcpClientOptions["tls"]): Promise<{ entries: number; from: string }> {
  const c = await connectTcp(server, { tls });
  try {
    await login(c, cred);
    let entries = await copyTree(node, c, "get_tree", new Path());
    // then the internal tree (the deleter list, users), as upstream's fetch_data does: a login
    // that may not read it (a read user may not see password digests) cannot copy the server,
    // since the state copied next would count its ticks as held
    entries += await copyTree(node, c, "get_tree_internal", Path.of(null));
    const state = await c.request("get_state", { nodes: true, known: true, deleted: true });
    node.importState(state as InfoMessage);
    return { entries, from: c.greeting.node };
  } finally {
    c.close();
  }
}
