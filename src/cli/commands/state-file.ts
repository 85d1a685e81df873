// `ticktock state-file FILE...`: the tick state computed offline from saved state files,
// upstream's or ticktock's, for edge functions and post-mortems. Files are applied in order,
// as a node loading them would, and the result printed like `internal state`.
import type { Command } from "commander";
import { init } from "../../core/range-set.js";
import { TicktockNode } from "../../node/node.js";
import type { GossipTransport } from "../../transport/transport.js";
import { readStateFile, type StateRecord } from "../../node/state-file.js";
import { fsStorage } from "../../node/state-file-fs.js";
import type { UpdateMessage } from "../../wire/messages.js";
import { addStateFlags, formatState, stateRequest, type StateOptions } from "./internal.js";

/** No network at all: the node only ever loads files here. */
const offline: GossipTransport = {
  state: "closed",
  start: () => Promise.reject(new Error("offline")),
  publish: () => {},
  onMessage: () => {},
  onState: () => {},
  close: () => Promise.resolve(),
};

/** Load state files into an offline node; returns it and what was read. */
export function loadStateFiles(files: string[], name?: string): { node: TicktockNode; notes: string[] } {
  const records = files.map((f) => ({ f, ...readStateFile(fsStorage, f) }));
  const firstState = records.flatMap((r) => r.records).find((r): r is StateRecord => r.kind === "state" && !!r.node);
  const owner = name ?? firstState?.node ?? "offline";
  const node = new TicktockNode({ name: owner, transport: offline, log: () => {} });
  const notes: string[] = [];
  for (const { f, records: recs, truncated } of records) {
    for (const r of recs) {
      if (r.kind === "state") node.importState(r);
      else {
        const msg: UpdateMessage = r.kind === "entry"
          ? ({ chain: r.chain, path: r.path, tock: r.tock } as UpdateMessage)
          : { node: r.node, tick: r.tick, ...(r.prev !== undefined ? { prev: r.prev } : {}), path: r.path, tock: r.tock };
        if (!r.deleted) msg.value = r.value;
        node.importUpdate(msg);
      }
    }
    notes.push(`${f}: ${recs.length} records${truncated ? " (the last one was cut short and is ignored)" : ""}`);
  }
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
      process.stdout.write(formatState(reply as unknown as Record<string, unknown>, o.json));
    });
}
