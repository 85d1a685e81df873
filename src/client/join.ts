// Joining a cluster: copy data and state from a running server over the client protocol, as
// upstream's fetch_data does: get_tree of everything with whole chains, get_tree_internal,
// then get_state.
import type { TicktockNode } from "../node/node.js";
import { Path } from "../wire/path.js";
import { PathExpander } from "../wire/relative-path.js";
import type { InfoMessage, UpdateMessage } from "../wire/messages.js";
import { connectTcp } from "./tcp.js";
import type { ClientError } from "./client.js";
import { login, type Credentials } from "./login.js";

/** `cred`: who to log in as where the server wants a login (as upstream's kv.conn.auth). */
export async function joinFrom(node: TicktockNode, server: string, cred?: Credentials): Promise<{ entries: number; from: string }> {
  const c = await connectTcp(server);
  try {
    await login(c, cred);
    const paths = new PathExpander();
    let entries = 0;
    for await (const item of c.stream("get_tree", { path: new Path(), nchain: -1 })) {
      const msg: UpdateMessage = { chain: item.chain as UpdateMessage["chain"], path: paths.expand(item.path, item.depth), tock: item.tock as number } as UpdateMessage;
      if ("value" in item) msg.value = item.value;
      node.importUpdate(msg);
      entries++;
    }
    // then the internal tree (the deleter list, users), as upstream's fetch_data does; a server
    // that keeps it from this login (a read-only user may not see password digests) is skipped
    try {
      const internal = new PathExpander(Path.of(null));
      for await (const item of c.stream("get_tree_internal", { path: new Path(), nchain: -1 })) {
        const msg: UpdateMessage = { chain: item.chain as UpdateMessage["chain"], path: internal.expand(item.path, item.depth), tock: item.tock as number } as UpdateMessage;
        if ("value" in item) msg.value = item.value;
        node.importUpdate(msg);
        entries++;
      }
    } catch (e) {
      if (!/^Not allowed/.test((e as ClientError).serverError ?? "")) throw e;
    }
    const state = await c.request("get_state", { nodes: true, known: true, deleted: true });
    node.importState(state as InfoMessage);
    return { entries, from: c.greeting.node };
  } finally {
    c.close();
  }
}
