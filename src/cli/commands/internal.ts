// `ticktock internal state` and `ticktock internal mark`: the seed's recovery procedure, against
// ticktock nodes and upstream MoaT-KV servers alike (same requests as upstream's CLI).
import type { Command } from "commander";
import { RangeSet } from "../../core/range-set.js";
import type { Msg } from "../../client/client.js";
import { applyMark, markTarget, planMark } from "../../console/repair.js";
import type { RangeMap } from "../../wire/messages.js";
import { SERVER_HELP, TLS_CA_HELP, TLS_HELP, withClient } from "../connect.js";
import { toJson, toYaml } from "../output.js";
import { UsageError } from "../process.js";
import { init } from "../../core/range-set.js";
import { registerDeleter } from "./deleter.js";
import { registerNodeLifecycle } from "./node-lifecycle.js";

/** The flags of `internal state` and the get_state fields they ask for. */
export interface StateOptions {
  nodes?: boolean;
  deleted?: boolean;
  missing?: boolean;
  remoteMissing?: boolean;
  present?: boolean;
  superseded?: boolean;
  known?: boolean;
  all?: boolean;
}

export function stateRequest(o: StateOptions): Record<string, boolean> {
  const all = !!o.all;
  return {
    nodes: all || !!o.nodes,
    deleted: all || !!o.deleted,
    missing: all || !!o.missing,
    remote_missing: all || !!o.remoteMissing,
    present: all || !!o.present,
    superseded: all || !!o.superseded || !!o.known,
  };
}

/** A get_state reply as printed: YAML with sorted keys (or JSON), as it came (`internal mark`). */
export function formatState(reply: Msg, json = false): string {
  return json ? `${toJson(reply)}\n` : toYaml(reply, { sort: true });
}

/** What `internal state` prints: like upstream 0.70.22's CLI, the superseded sets (`known`) as `superseded`. */
export function formatStateCommand(reply: Msg, json = false): string {
  const { known, ...rest } = reply;
  return formatState(known === undefined ? reply : { ...rest, superseded: known }, json);
}

export function addStateFlags(cmd: Command): Command {
  return cmd
    .option("-n, --nodes", "each node's highest tick")
    .option("-d, --deleted", "deleted ticks")
    .option("-m, --missing", "missing ticks: [1, tick] - present - superseded")
    .option("-r, --remote-missing", "ticks other servers said they lack")
    .option("-p, --present", "ticks whose data is held")
    .option("-s, --superseded", "superseded ticks")
    .option("-k, --known", "the same as -s")
    .option("-a, --all", "all of the above")
    .option("--json", "print JSON instead of YAML");
}

/** "5" or "3-7" (inclusive) into a wire range item. */
function tickArg(s: string): number | [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw new UsageError(`tick ${JSON.stringify(s)} is not a tick or a range A-B`);
  const a = Number(m[1]);
  if (m[2] === undefined) return a;
  const b = Number(m[2]);
  if (b < a) throw new UsageError(`range ${s} runs backwards`);
  return [a, b + 1];
}

interface MarkOptions {
  deleted?: boolean;
  broadcast?: boolean;
  node?: string;
  dryRun?: boolean;
  server?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const internal = program.command("internal").description("look at and repair a server's tick accounting");
  registerDeleter(internal);
  registerNodeLifecycle(internal);

  addStateFlags(
    internal
      .command("state")
      .description("print a server's tick state (get_state), as upstream's `internal state`")
      .option("-D, --debug", "the server's debugging information")
      .option("--server <host:port>", SERVER_HELP).option("--tls", TLS_HELP).option("--tls-ca <file>", TLS_CA_HELP),
  )
    .addHelpText("after", "\nExample, the seed's first step:\n  ticktock internal state -ndmrk --server 127.0.0.1:27586")
    .action(async (o: StateOptions & { debug?: boolean; server?: string; json?: boolean }) => {
      const req = { ...stateRequest(o), ...(o.debug ? { debug: true } : {}) };
      const reply = await withClient(o, (c) => c.request("get_state", req));
      process.stdout.write(formatStateCommand(reply, o.json));
    });

  internal
    .command("mark")
    .description("mark a node's ticks superseded (or deleted) so they stop being missing")
    .argument("<node>", 'the node whose ticks to mark; "" with no ticks marks every node\'s missing ticks')
    .argument("[ticks...]", "ticks (5) or ranges (3-7); none: the node's current missing ticks")
    .option("-d, --deleted", "mark as deleted instead of superseded")
    .option("-b, --broadcast", "send the same mark to every server")
    .option("-n, --node <source>", "the node the mark claims to come from (servers of that name ignore it)")
    .option("--dry-run", "show what would change and which entries could resurface; change nothing")
    .option("--server <host:port>", SERVER_HELP).option("--tls", TLS_HELP).option("--tls-ca <file>", TLS_CA_HELP)
    .option("--json", "print JSON instead of YAML")
    .addHelpText("after", `
Examples (the seed's repair):
  ticktock internal mark -b ghost            every server: ghost's missing ticks are superseded
  ticktock internal mark test1 2 --deleted   this server: test1's tick 2 was a deletion
  ticktock internal mark "" --dry-run        preview marking every node's missing ticks`)
    .action(async (node: string, tickArgs: string[], o: MarkOptions) => {
      await init();
      const kind = o.deleted ? "deleted" : "superseded";
      if (tickArgs.length > 0 && node === "") throw new UsageError('ticks need a node name; the empty name "" marks every node\'s missing ticks, without ticks');
      await withClient(o, async (c) => {
        let ticks: RangeMap[string] | "missing" = "missing";
        if (tickArgs.length > 0) {
          using r = RangeSet.fromState(tickArgs.map(tickArg));
          ticks = r.toState();
        }
        const target = await markTarget(c, node, ticks);
        if (Object.keys(target).length === 0) {
          process.stdout.write(`nothing to mark: ${node === "" ? "no node has" : `node ${node} has no`} missing ticks on ${c.server}\n`);
          return;
        }
        if (o.dryRun) {
          const plan = await planMark(c, target, kind);
          const report: Msg = { dry_run: `nothing was changed on ${c.server}${o.broadcast ? " or any other server" : ""}` };
          report[`would_mark_${kind}`] = plan.changes;
          if (Object.keys(plan.unchanged).length) report.unchanged = plan.unchanged;
          report.could_resurface = plan.couldResurface;
          process.stdout.write(o.json ? `${toJson(report)}\n` : toYaml(report, { sort: false }));
          return;
        }
        const reply = await applyMark(c, target, kind, { broadcast: o.broadcast, source: o.node });
        process.stdout.write(formatState(reply, o.json));
      });
    });
}
