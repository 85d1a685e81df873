// The start-up decision: a node whose data has a gap after start-up serves only maintenance,
// unless --force (serve anyway) or --authoritative (mark every gap superseded).
import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNode, startNodes, waitFor, mosquittoFixture } from "../support/cluster.js";
import { StateFileWriter } from "../../src/node/state-file.js";
import { Path } from "../../src/wire/path.js";
import { fsStorage } from "../../src/node/state-file-fs.js";
import { NotServingError } from "../../src/core/errors.js";

const f = mosquittoFixture();

/** A state file in which ghost's tick 2 is lost: ticks 1 and 3 are there, the tick is 3. */
function fileWithGap(): string {
  const file = join(mkdtempSync(join(tmpdir(), "ticktock-gap-")), "gap.dkv");
  StateFileWriter.open(fsStorage, file, {
    state: { nodes: { ghost: 3 }, known: {}, deleted: {}, node: "old", tock: 5 },
    entries: [
      { path: Path.of("g", "1"), value: "g1", deleted: false, chain: { node: "ghost", tick: 1, prev: null }, tock: 1 },
      { path: Path.of("g", "3"), value: "g3", deleted: false, chain: { node: "ghost", tick: 3, prev: null }, tock: 3 },
    ],
  }).close();
  return file;
}

describe("start-up with missing ticks", () => {
  it("enters maintainer-only mode, answers maintenance, refuses data naming the ticks", async () => {
    const n = await startNode(f.broker.url, "m", { load: fileWithGap() });
    f.nodes.push(n);
    expect(n.node.mode).toBe("maintainer");
    expect(n.logs).toContain("ticktock m: maintainer-only mode: missing ticks ghost [2]");
    expect(() => n.node.get(Path.of("g", "1"))).toThrow(new NotServingError("maintainer-only: missing ticks ghost [2]"));
    expect(n.node.get(Path.of(".moat", "kv", "config"))).toBeUndefined(); // internal reads are maintenance
    expect(n.node.getState({ missing: true }).missing).toEqual({ ghost: [2] });
    // the operator's mark ends the mode by itself
    n.node.mark("ghost", "missing");
    await waitFor(() => n.node.mode === "serving", 2000);
    expect(n.node.get(Path.of("g", "1"))?.value).toBe("g1");
  });

  it("serves anyway with force", async () => {
    const n = await startNode(f.broker.url, "f", { load: fileWithGap(), force: true });
    f.nodes.push(n);
    expect(n.node.mode).toBe("serving");
    expect(n.node.getState({ missing: true }).missing).toEqual({ ghost: [2] });
    expect(n.node.get(Path.of("g", "3"))?.value).toBe("g3");
  });

  it("marks every gap superseded when authoritative", async () => {
    const n = await startNode(f.broker.url, "a", { load: fileWithGap(), authoritative: true });
    f.nodes.push(n);
    expect(n.node.mode).toBe("serving");
    expect(n.node.getState({ missing: true, known: true })).toMatchObject({ missing: {}, known: { ghost: [2] } });
    expect(n.logs).toContain("ticktock a: authoritative: marked missing ticks superseded: ghost [2]");
  });
});

describe("a running node's own work", () => {
  it("survives a listener that throws: the update still applies and the node keeps going", async () => {
    const [a, b] = (f.nodes = await startNodes(f.broker.url, ["la", "lb"]));
    b!.node.on("entry", () => {
      throw new Error("listener bug");
    });
    a!.node.set(Path.of("k"), 1);
    await waitFor(() => b!.node.store.get(Path.of("k"))?.value === 1, 5000);
    expect(b!.logs.some((l) => l.includes(`an "entry" listener failed: listener bug`))).toBe(true);
    expect(b!.logs.some((l) => l.includes("dropped update"))).toBe(false);
    a!.node.set(Path.of("k"), 2);
    await waitFor(() => b!.node.store.get(Path.of("k"))?.value === 2, 5000);
  });
});
