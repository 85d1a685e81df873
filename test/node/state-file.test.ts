// State files in upstream's format: upstream's own files parse, and ticktock's writer produces
// the same bytes for the same records.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CAPTURES } from "../support/captures.js";
import { StateFileWriter, parseStateFile, readStateFile, type EntryRecord, type StateRecord, type UpdateRecord } from "../../src/node/state-file.js";
import { Path } from "../../src/wire/path.js";
import { fsStorage } from "../../src/node/state-file-fs.js";
import { decodeStream, encodeValue } from "../../src/wire/codec.js";

const fixture = (name: string) => fileURLToPath(new URL(name, CAPTURES));
const tmp = () => join(mkdtempSync(join(tmpdir(), "ticktock-state-")), "state.dkv");

describe("reading upstream's state files", () => {
  it("reads `log save` output: one state record, entries with relative paths resolved", () => {
    const { records, truncated } = readStateFile(fsStorage, fixture("state_test1.dkv"));
    expect(truncated).toBe(false);
    expect(records.map((r) => r.kind)).toEqual(["state", "entry", "entry", "entry", "entry"]);
    const state = records[0] as StateRecord;
    expect(state).toMatchObject({ nodes: { test1: 5, test2: 2 }, known: { test1: [[2, 4]] }, deleted: { test1: [5] }, node: "test1", tock: 72 });
    const entries = records.slice(1) as EntryRecord[];
    expect(entries.map((e) => e.path.elements)).toEqual([[], ["one", "two"], ["one", "four"], ["one", "five"]]);
    expect(entries.map((e) => e.value)).toEqual(["Testing", 124, { b: "two", a: 1 }, 5]);
    expect(entries[2]!.chain).toEqual({ node: "test2", tick: 1, prev: null });
  });

  it("reads `log dest` output: state records, entries, then updates ending with a deletion", () => {
    const { records } = readStateFile(fsStorage, fixture("log_test1_incremental.dkv"));
    expect(records.map((r) => r.kind)).toEqual(["state", "state", "entry", "entry", "entry", "entry", "update", "update"]);
    const [u1, u2] = records.slice(6) as UpdateRecord[];
    expect(u1).toMatchObject({ node: "test2", tick: 2, prev: null, value: 5, deleted: false, tock: 56 });
    expect(u1!.path.elements).toEqual(["one", "five"]);
    expect(u2).toMatchObject({ node: "test1", tick: 5, prev: null, deleted: true, tock: 65 });
    expect(u2!.path.elements).toEqual(["one", "three"]);
  });

  it("reports a last record cut short, and names a broken record", () => {
    const bytes = readFileSync(fixture("state_test1.dkv"));
    const cut = parseStateFile(bytes.subarray(0, bytes.length - 3));
    expect(cut.truncated).toBe(true);
    expect(cut.records.length).toBe(4);
    expect(() => parseStateFile(encodeValue([1, 2]), "x.dkv")).toThrow("x.dkv: record 0 is not a map");
    expect(() => parseStateFile(encodeValue({ hello: 1 }), "x.dkv")).toThrow("x.dkv: record 0 is neither a state, an entry nor an update record (keys: hello)");
    expect(() => parseStateFile(encodeValue({ path: ["a"], depth: 3, chain: null }), "x.dkv")).toThrow("x.dkv: record 0: depth 3 is deeper than the previous path :");
  });
});

describe("writing state files", () => {
  it("writes the same bytes as upstream's `log save` for the same records", () => {
    const { records } = readStateFile(fsStorage, fixture("state_test1.dkv"));
    const s = records[0] as StateRecord;
    const file = tmp();
    StateFileWriter.open(fsStorage, file, {
      state: { nodes: s.nodes!, known: s.known!, deleted: s.deleted!, node: s.node!, tock: s.tock! },
      entries: (records.slice(1) as EntryRecord[]).map((e) => ({ path: e.path, value: e.value, deleted: e.deleted, chain: e.chain, tock: e.tock })),
    }).close();
    expect(readFileSync(file).toString("hex")).toBe(readFileSync(fixture("state_test1.dkv")).toString("hex"));
  });

  it("appends update records with upstream's bytes, deletions included", () => {
    const upstream = readFileSync(fixture("log_test1_incremental.dkv"));
    const { records } = parseStateFile(upstream);
    const s = records[1] as StateRecord;
    const file = tmp();
    const w = StateFileWriter.open(fsStorage, file, {
      state: { nodes: s.nodes!, known: s.known!, deleted: s.deleted!, node: s.node!, tock: s.tock! },
      entries: (records.slice(2, 6) as EntryRecord[]).map((e) => ({ path: e.path, value: e.value, deleted: e.deleted, chain: e.chain, tock: e.tock })),
    });
    for (const u of records.slice(6) as UpdateRecord[]) w.appendUpdate(u);
    w.close();
    // upstream's file starts with one more state record; the rest must match byte for byte
    const first = encodeValue([...decodeStream(upstream)][0]).length;
    expect(readFileSync(file).toString("hex")).toBe(upstream.subarray(first).toString("hex"));
  });

  it("replaces an old file with the snapshot and appends state records after it", () => {
    const file = tmp();
    writeFileSync(file, "old");
    const w = StateFileWriter.open(fsStorage, file, { state: { nodes: {}, known: {}, deleted: {}, node: "n", tock: 1 }, entries: [{ path: Path.of("a"), value: 1, deleted: false, chain: { node: "n", tick: 1, prev: null }, tock: 1 }] });
    w.appendState({ known: { n: [2] }, node: "n", tock: 3 });
    w.close();
    const { records } = readStateFile(fsStorage, file);
    expect(records.map((r) => r.kind)).toEqual(["state", "entry", "state"]);
    expect(records[2]).toMatchObject({ known: { n: [2] }, node: "n", tock: 3 });
  });
});
