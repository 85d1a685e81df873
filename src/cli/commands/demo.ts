// `ticktock demo`: the seed's story in one process. A publisher (ghost) skips its tick 2, every
// server's ledger reports it missing, an operator marks it, and the gap is gone.
import type { Command } from "commander";
import { init } from "../../core/range-set.js";
import { TickLedger } from "../../ledger/tick-ledger.js";
import type { InfoMessage, UpdateMessage } from "../../wire/messages.js";
import { toYaml } from "../output.js";

const CLI_FLAGS = { nodes: true, deleted: true, missing: true, remote_missing: true, superseded: true };

export function register(program: Command): void {
  program
    .command("demo")
    .description("show missing-tick accounting and its repair on an in-process cluster of ledgers")
    .action(async () => {
      await init();
      const servers = ["test1", "test2", "test3"].map((n) => new TickLedger(n));
      const gossip = (msg: UpdateMessage | InfoMessage, kind: "update" | "info") => {
        for (const s of servers) {
          if (kind === "update") s.applyUpdate(msg as UpdateMessage);
          else s.applyInfo(msg as InfoMessage);
        }
      };
      const show = (title: string) => {
        const { known, ...rest } = servers[0]!.getState(CLI_FLAGS);
        process.stdout.write(`# ${title}\n$ ticktock internal state -ndmrk   (on test1)\n`);
        process.stdout.write(toYaml({ ...rest, superseded: known }) + "\n");
      };
      gossip({ node: "test1", tick: 1, prev: null, path: ["one"], value: 1, tock: 1 }, "update");
      gossip({ node: "test2", tick: 1, prev: null, path: ["two"], value: 2, tock: 2 }, "update");
      gossip({ node: "ghost", tick: 1, prev: null, path: ["ghost", "a"], value: "g1", tock: 3 }, "update");
      gossip({ node: "ghost", tick: 3, prev: null, path: ["ghost", "c"], value: "g3", tock: 4 }, "update");
      show("ghost published ticks 1 and 3, never 2");
      gossip({ node: "test2", tick: 1, tock: 5, missing: servers[1]!.missing() }, "info");
      show("test2 asked the cluster for ghost's tick 2 (info/missing); nobody has it");
      const { message } = servers[0]!.mark("ghost", "missing");
      gossip(message, "info"); // fake_info_send: the same mark on every server
      process.stdout.write(`$ ticktock internal mark -b ghost\n`);
      show("after the mark, broadcast to every server");
      const clean = servers.every((s) => Object.keys(s.missing()).length === 0);
      process.stdout.write(clean ? "every server: nothing missing\n" : "some server still misses ticks\n");
      for (const s of servers) s.dispose();
    });
}
