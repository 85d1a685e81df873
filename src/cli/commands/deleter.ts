// `ticktock internal deleter`: the Deleter list (the internal entry `actor del`, {nodes: [...]}),
// the nodes that must all have seen a deletion before any server forgets its tombstone. The same
// requests as upstream's `kv internal deleter [-d] [NODE...]`, against ticktock nodes and
// upstream servers alike; `add` and `delete` read better and do the same as NODE... and -d.

import type { Command } from "commander";
import type { Msg } from "../../client/client.js";
import { Path } from "../../wire/path.js";
import { SERVER_HELP, TLS_CA_HELP, TLS_HELP, withClient } from "../connect.js";
import { toJson, toYaml } from "../output.js";

const LIST = new Path(["actor", "del"]);

/** The new list: `nodes` added, or removed with `remove` (all of them when none are named). */
export function changedList(current: unknown, nodes: string[], remove: boolean): string[] {
  const v = current !== null && typeof current === "object" && !Array.isArray(current) ? (current as Msg).nodes : current;
  const have = Array.isArray(v) ? v.filter((n): n is string => typeof n === "string") : [];
  if (remove) return nodes.length === 0 ? [] : have.filter((n) => !nodes.includes(n));
  return [...new Set([...have, ...nodes])];
}

function print(reply: Msg, json?: boolean): void {
  const { seq: _s, ...rest } = reply;
  process.stdout.write(json ? `${toJson(rest)}\n` : toYaml(rest, { sort: false }));
}

export function registerDeleter(internal: Command): void {
  internal
    .command("deleter")
    .description("show or change the deleter list: the nodes that must all see a deletion before tombstones are purged")
    .argument("[words...]", "NODE... to add; `add NODE...`; `delete NODE...` (delete alone: clear the list)")
    .option("-d, --delete", "remove the named nodes (none named: clear the list), as upstream's -d")
    .option("--server <host:port>", SERVER_HELP).option("--tls", TLS_HELP).option("--tls-ca <file>", TLS_CA_HELP)
    .option("--json", "print JSON instead of YAML")
    .addHelpText("after", `
There should be one deleter in every possible network partition, and every node with permanent
storage should be one. Examples:
  ticktock internal deleter                 the list, with its chain
  ticktock internal deleter add tt1 up1     add nodes (upstream: kv internal deleter tt1 up1)
  ticktock internal deleter delete up1      remove a node (upstream: kv internal deleter -d up1)`)
    .action(async (words: string[], o: { delete?: boolean; server?: string; json?: boolean }) => {
      let remove = !!o.delete;
      let nodes = words;
      if (words[0] === "add" || words[0] === "delete") {
        remove ||= words[0] === "delete";
        nodes = words.slice(1);
      }
      const change = remove || nodes.length > 0;
      await withClient(o, async (c) => {
        const res = await c.request("get_internal", { path: LIST, nchain: change ? 3 : 2 });
        if (!change) return print(res, o.json);
        const value = { nodes: changedList(res.value, nodes, remove) };
        const out = await c.request("set_internal", { path: LIST, chain: res.chain ?? null, value });
        print({ ...out, value }, o.json);
      });
    });
}
