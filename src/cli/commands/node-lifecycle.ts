// `ticktock internal enum` and `ticktock internal kill`: retiring a node that left the cluster.
// The same requests as upstream's `kv internal enum NODE [-n N] [-c] [-C]` and `kv internal kill
// NODE` (enum_node, kill_node), against ticktock nodes and upstream servers alike.
//
// A node can be dropped once none of its changes is the newest of any entry: `enum -c` lists
// those entries' ticks, `enum -C` rewrites them unchanged (a new change by the server asked, so
// the node is no longer their newest), then `kill` drops the node everywhere: its missing ticks
// stop being asked for.

import type { Command } from "commander";
import type { KvClient, Msg } from "../../client/client.js";
import { SERVER_HELP, TLS_CA_HELP, TLS_HELP, withClient } from "../connect.js";
import { toJson } from "../output.js";
import { UsageError } from "../process.js";

function count(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--num ${JSON.stringify(v)} is not a count; expected a whole number >= 1`);
  return n;
}

/**
 * Rewrite, unchanged, every entry whose newest change is `node`'s (upstream's `enum --copy`),
 * each conditional on its chain so that a concurrent change wins. Returns the ticks rewritten.
 */
export async function copyCurrent(c: KvClient, node: string, ticks: unknown[]): Promise<unknown[]> {
  const done: unknown[] = [];
  for (const tick of ticks) {
    const e = await c.request("get_value", { node, tick, nchain: 3 });
    if ((e.chain as Msg | undefined)?.node !== node) continue;
    await c.request("set_value", { path: e.path, value: e.value, chain: e.chain });
    done.push(tick);
  }
  return done;
}

export function registerNodeLifecycle(internal: Command): void {
  internal
    .command("enum")
    .description("list the ticks of a node's changes that entries on a server still hold (enum_node)")
    .argument("<node>", "the node")
    .option("-n, --num <count>", "at most this many ticks")
    .option("-c, --current", "only ticks whose change is the newest of its entry (what keeps the node from being dropped)")
    .option("-C, --copy", "rewrite those entries unchanged, so that the node no longer has current data")
    .option("--server <host:port>", SERVER_HELP).option("--tls", TLS_HELP).option("--tls-ca <file>", TLS_CA_HELP)
    .option("--json", "print JSON instead of one tick a line")
    .addHelpText("after", `
Retiring a node that left the cluster for good (as upstream's CLI):
  ticktock internal enum -c ghost     its entries whose newest change is ghost's (nothing: go on)
  ticktock internal enum -C ghost     rewrite those entries unchanged
  ticktock internal kill ghost        drop ghost on every server: its missing ticks are no longer asked for`)
    .action(async (node: string, o: { num?: string; current?: boolean; copy?: boolean; server?: string; json?: boolean }) => {
      const max = count(o.num);
      await withClient(o, async (c) => {
        const res = await c.request("enum_node", { node, ...(max ? { max } : {}), current: !!(o.current || o.copy) });
        const ticks = Array.isArray(res.result) ? res.result : [];
        const out = o.copy ? await copyCurrent(c, node, ticks) : ticks;
        if (o.json) process.stdout.write(`${toJson(o.copy ? { rewritten: out } : out)}\n`);
        else {
          for (const t of out) process.stdout.write(`${String(t)}\n`);
          if (o.copy) process.stderr.write(`rewrote ${out.length} entries on ${c.server}; ${node} ${out.length === ticks.length ? "has no current data there now" : "still has current data: run again"}\n`);
        }
      });
    });

  internal
    .command("kill")
    .description("drop a node from the cluster (kill_node): refused while it still has current data")
    .argument("<node>", "the node")
    .option("--server <host:port>", SERVER_HELP).option("--tls", TLS_HELP).option("--tls-ca <file>", TLS_CA_HELP)
    .addHelpText("after", `
The server forgets the node and tells every server (info {node_drop}); each forgets it too unless
one of the node's changes is still the newest of an entry it holds. Use \`internal enum -C NODE\`
first when the node still has current data.`)
    .action(async (node: string, o: { server?: string }) => {
      await withClient(o, async (c) => {
        await c.request("kill_node", { node });
        process.stdout.write(`dropped node ${node} on ${c.server}; every server was told\n`);
      });
    });
}
