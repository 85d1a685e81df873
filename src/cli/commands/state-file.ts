// `ticktock state-file FILE...`: the tick state computed offline from saved state files,
// upstream's or ticktock's, for edge functions and post-mortems. Files are applied in order,
// as a node loading them would, and the result printed like `internal state`.
import type { Command } from "commander";
import { init } from "../../core/range-set.js";
import type { TicktockNode } from "../../node/node.js";
import { readStateFile } from "../../node/state-file.js";
import { offlineNode } from "../../node/offline.js";
import { fsStorage } from "../../node/state-file-fs.js";
import { addStateFlags, formatStateCommand, stateRequest, type StateOptions } from "./internal.js";

/** Load state files into an offline node; returns it and what was read. */
export function loadStateFiles(files: string[], name?: string): { node: TicktockNode; notes: string[] } {
  const read = files.map((f) => ({ f, ...readStateFile(fsStorage, f) }));
  const node = offlineNode(read.flatMap((r) => r.records), name);
  const notes = read.map(({ f, records, truncated }) => `${f}: ${records.length} records${truncated ? " (the last one was cut short and is ignored)" : ""}`);
  return { node, notes };
}

export function register(program: Command): void {
  addStateFlags(
    program
      .command("state-file")
      .description("compute a node's tick state offline from state files (upstream's or ticktock's)")
      .argument("<files...>", "state files, applied in order (a `log save` snapshot, then `log dest` logs)")
      .option("--as <node>", "whose view: the node name (default: the one the first file names)"),
  )
    .addHelpText("after", "\nExample:\n  ticktock state-file test1.dkv -ndmrk")
    .action(async (files: string[], o: StateOptions & { as?: string; json?: boolean }) => {
      await init();
      const { node, notes } = loadStateFiles(files, o.as);
      for (const n of notes) process.stderr.write(`ticktock state-file: ${n}\n`);
      const reply = node.getState(stateRequest(o));
      process.stdout.write(formatStateCommand(reply as unknown as Record<string, unknown>, o.json));
    });
}
