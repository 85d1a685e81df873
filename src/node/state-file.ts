// State files in upstream's format (`moat kv log save` / `log dest`): a msgpack stream of
//
//   state records   {nodes, known, deleted, node, tock}          the ledger (known = superseded)
//   entry records   {value, chain, tock, path, depth}            one entry each (no value: deleted)
//   update records  {node, tick, prev, path, value?, tock, depth} changes as they happened
//
// `path` is a full Path (ext 3) with depth 0, or with depth d > 0 a plain list that replaces
// the previous record's path after its first d elements. ticktock reads files written by
// upstream and writes files upstream can read; it appends update records (and small state
// records for marks) as they happen, so a node restarted from its file loses nothing.

import { MessageError } from "../core/errors.js";
import type { Tick } from "../core/tick.js";
import { decodeStream, encodeValue } from "../wire/codec.js";
import type { ChainLink, InfoMessage, RangeMap } from "../wire/messages.js";
import { isMap } from "../wire/parse.js";
import { Path } from "../wire/path.js";
import { PathExpander, PathShortener } from "../wire/relative-path.js";

export interface StateRecord {
  kind: "state";
  nodes?: Record<string, Tick | null>;
  known?: RangeMap;
  deleted?: RangeMap;
  remote_missing?: RangeMap;
  /** Nodes dropped from the cluster (kill_node here or a node_drop heard). */
  node_drop?: string[];
  node?: string;
  tock?: Tick;
}

export interface EntryRecord {
  kind: "entry";
  path: Path;
  value?: unknown;
  deleted: boolean;
  chain: ChainLink;
  tock: Tick;
}

export interface UpdateRecord {
  kind: "update";
  path: Path;
  node: string;
  tick: Tick;
  prev?: ChainLink | null;
  value?: unknown;
  deleted: boolean;
  tock: Tick;
}

export type StateFileRecord = StateRecord | EntryRecord | UpdateRecord;

/**
 * Parse a state file's bytes into records, resolving relative paths. A last record cut short
 * (a crash while appending) is left out and reported as `truncated`; anything else malformed
 * throws, naming the record.
 */
export function parseStateFile(bytes: Uint8Array, name = "state file"): { records: StateFileRecord[]; truncated: boolean } {
  const out: StateFileRecord[] = [];
  const paths = new PathExpander();
  let i = 0;
  const where = () => `${name}: record ${i}`;
  try {
    for (const rec of decodeStream(bytes)) {
      if (!isMap(rec)) throw new MessageError(`${where()} is not a map`, `record ${i}`);
      if ("path" in rec) {
        let path: Path;
        try {
          path = paths.expand(rec.path, rec.depth);
        } catch (e) {
          throw new MessageError(`${where()}: ${(e as Error).message}`, "path");
        }
        const deleted = !("value" in rec);
        if ("chain" in rec) {
          out.push({ kind: "entry", path, value: rec.value, deleted, chain: rec.chain as ChainLink, tock: (rec.tock ?? 0) as Tick });
        } else {
          out.push({
            kind: "update", path, node: rec.node as string, tick: rec.tick as Tick, prev: rec.prev as ChainLink | null | undefined,
            value: rec.value, deleted, tock: (rec.tock ?? 0) as Tick,
          });
        }
      } else if ("nodes" in rec || "known" in rec || "deleted" in rec || "superseded" in rec || "node_drop" in rec) {
        const s: StateRecord = { kind: "state" };
        if (rec.nodes !== undefined) s.nodes = rec.nodes as Record<string, Tick | null>;
        const known = rec.known ?? rec.superseded;
        if (known !== undefined) s.known = known as RangeMap;
        if (rec.deleted !== undefined) s.deleted = rec.deleted as RangeMap;
        if (rec.remote_missing !== undefined) s.remote_missing = rec.remote_missing as RangeMap;
        if (rec.node_drop !== undefined) s.node_drop = rec.node_drop as string[];
        if (rec.node !== undefined) s.node = rec.node as string;
        if (rec.tock !== undefined) s.tock = rec.tock as Tick;
        out.push(s);
      } else {
        throw new MessageError(`${where()} is neither a state, an entry nor an update record (keys: ${Object.keys(rec).join(", ")})`, `record ${i}`);
      }
      i++;
    }
  } catch (e) {
    if (e instanceof MessageError) throw e;
    // msgpack reports running out of bytes as a RangeError: the last record was cut short
    if (e instanceof RangeError) return { records: out, truncated: true };
    throw new MessageError(`${where()} is not valid msgpack: ${(e as Error).message}`, `record ${i}`);
  }
  return { records: out, truncated: false };
}

/**
 * Where state files live. The node is runtime-neutral (it also runs in browsers and workers);
 * Node and Deno pass fsStorage (state-file-fs.ts), others may keep files anywhere.
 */
export interface StateStorage {
  exists(file: string): boolean;
  read(file: string): Uint8Array;
  /** A new file that replaces `file` once `commit()` is called (so a crash keeps the old one). */
  create(file: string): RecordSink;
}

/** Appends encoded records; `commit()` makes a freshly created file take the name. */
export interface RecordSink {
  write(bytes: Uint8Array): void;
  commit(): void;
  close(): void;
}

export function readStateFile(storage: StateStorage, file: string): { records: StateFileRecord[]; truncated: boolean } {
  return parseStateFile(storage.read(file), file);
}

/** What a snapshot holds: the ledger's state record and every entry. */
export interface Snapshot {
  /** node_drop only when a node was dropped (upstream's snapshots never carry it; its loader reads it). */
  state: { nodes: Record<string, Tick | null>; known: RangeMap; deleted: RangeMap; node_drop?: string[]; node: string; tock: Tick };
  entries: { path: Path; value?: unknown; deleted: boolean; chain: ChainLink; tock: Tick }[];
}

/**
 * Writes a snapshot, then appends records as they happen. The snapshot is committed (takes
 * the file's name) only once it is complete, so a crash while writing it leaves the old file.
 */
export class StateFileWriter {
  readonly file: string;
  #sink: RecordSink | undefined;
  readonly #paths = new PathShortener();

  private constructor(file: string, sink: RecordSink) {
    this.file = file;
    this.#sink = sink;
  }

  static open(storage: StateStorage, file: string, snapshot: Snapshot): StateFileWriter {
    const w = new StateFileWriter(file, storage.create(file));
    const s = snapshot.state;
    w.#write({ nodes: s.nodes, known: s.known, deleted: s.deleted, ...(s.node_drop?.length ? { node_drop: s.node_drop } : {}), node: s.node, tock: s.tock });
    for (const e of snapshot.entries) {
      const rec: Record<string, unknown> = {};
      if (!e.deleted) rec.value = e.value;
      rec.chain = e.chain;
      rec.tock = e.tock;
      w.#write(w.#withPath(rec, e.path));
    }
    w.#sink!.commit();
    return w;
  }

  #withPath(rec: Record<string, unknown>, path: Path): Record<string, unknown> {
    const short = this.#paths.shorten(path);
    rec.path = short.path;
    rec.depth = short.depth;
    return rec;
  }

  #write(rec: unknown): void {
    this.#sink?.write(encodeValue(rec));
  }

  /** Append an update record (a change applied here, local or remote). */
  appendUpdate(u: { node: string; tick: Tick; prev?: ChainLink | null; path: Path; value?: unknown; deleted: boolean; tock: Tick }): void {
    const rec: Record<string, unknown> = { node: u.node, tick: u.tick };
    if (u.prev !== undefined) rec.prev = u.prev;
    rec.path = null; // placeholder to keep upstream's key order: path before value and tock
    if (!u.deleted) rec.value = u.value;
    rec.tock = u.tock;
    this.#write(this.#withPath(rec, u.path));
  }

  /** Append a state record (after marks or info that changed superseded or deleted ticks). */
  appendState(s: Pick<InfoMessage, "known" | "deleted" | "nodes" | "node_drop"> & { node: string; tock: Tick }): void {
    const rec: Record<string, unknown> = {};
    if (s.nodes) rec.nodes = s.nodes;
    if (s.known) rec.known = s.known;
    if (s.deleted) rec.deleted = s.deleted;
    if (s.node_drop) rec.node_drop = s.node_drop;
    rec.node = s.node;
    rec.tock = s.tock;
    this.#write(rec);
  }

  close(): void {
    this.#sink?.close();
    this.#sink = undefined;
  }
}
