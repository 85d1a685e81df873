// The client action check_deleted (upstream's cmd_check_deleted), asked by a server that fell
// behind the Delete actor (resync_deleted): `nodes` {node: ranges} of the ticks it holds entries
// for. Whatever this server holds no entry for is broadcast as `info {deleted}`; the reply is
// empty, as upstream's.

import type { Handler } from "./handler.js";

export const check_deleted: Handler = (s, msg) => {
  s.node.checkDeleted(msg.nodes);
  return {};
};
