// A ticktock node under endless set/delete churn with a deleter configured (itself) keeps its
// tombstones and its state file bounded: the Delete actor purges what it has seen deleted, and
// the state file is rewritten as a snapshot once its appended records outgrow it. Real MQTT
// (Mosquitto); the `del` actor on a 1 s cycle, deletions queued every 200 ms.
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { Path } from "../../src/wire/path.js";
import { DELETER_PATH } from "../../src/node/node-deleter.js";
import { mosquittoFixture, sleep, startNode, waitFor } from "../support/cluster.js";

const f = mosquittoFixture();

it("keeps tombstones and the state file bounded under set/delete churn", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "ticktock-churn-")), "state.dkv");
  const t = await startNode(f.broker.url, "churn1", { save: file, deleter: { flushEvery: 200, config: { cycle: 1, gap: 0.2 } } });
  f.nodes.push(t);
  const n = t.node;
  await waitFor(() => n.mode === "serving", 10_000, () => String(n.mode));
  n.set(DELETER_PATH, { nodes: ["churn1"] });
  expect(n.deleter!.rules.enabled).toBe(true);
  const tombstones = () => { let k = 0; for (const e of n.store.values()) if (e.deleted) k++; return k; };
  const samples: { at: number; tombstones: number; bytes: number; snapshot: number }[] = [];
  const snap = `${file}.now`;
  const t0 = Date.now();
  let deletes = 0;
  let round = 0;
  const RUN = 30_000;
  while (Date.now() - t0 < RUN) {
    for (let i = 0; i < 10; i++) {
      const p = Path.of("churn", round, i);
      n.set(p, round);
      n.delete(p);
      deletes++;
    }
    n.set(Path.of("live", round % 50), round);
    round++;
    await sleep(40);
    const at = Date.now() - t0;
    if (samples.length === 0 || at - samples.at(-1)!.at >= 1000) {
      // beside the file, a fresh snapshot of the node as it is now: the file's bound by design
      // is the snapshot it started from plus at most twice that in appended records
      n.saveSnapshot(snap);
      samples.push({ at, tombstones: tombstones(), bytes: statSync(file).size, snapshot: statSync(snap).size });
    }
  }
  const early = samples.filter((s) => s.at >= 5_000 && s.at < 10_000);
  const late = samples.filter((s) => s.at >= 20_000);
  const max = (xs: typeof samples, k: "tombstones" | "bytes") => Math.max(...xs.map((s) => s[k]));
  console.log(`deleter churn: ${deletes} deletions in ${RUN} ms; tombstones max ${max(early, "tombstones")} at 5-10 s, ${max(late, "tombstones")} at 20-30 s; state file max ${max(early, "bytes")} / ${max(late, "bytes")} bytes (${Math.max(...late.map((x) => x.bytes / x.snapshot)).toFixed(2)} snapshots at most, late); ${n.store.size} entries at the end`);
  // unbounded, both would triple from the early window to the late one
  expect(max(late, "tombstones")).toBeLessThanOrEqual(2 * max(early, "tombstones"));
  // the file stays within a few snapshots of the node (unbounded, it would reach about nine)
  for (const s of late) expect(s.bytes, `state file at ${s.at} ms`).toBeLessThanOrEqual(4 * s.snapshot);
  expect(max(late, "tombstones")).toBeLessThan(deletes / 3);
  // once the churn stops, every tombstone goes, and the live data stays
  await waitFor(() => tombstones() === 0, 30_000, () => `${tombstones()} tombstones left`);
  for (let i = 0; i < 50; i++) expect(n.get(Path.of("live", i))).toBeDefined();
  expect(n.getState({ deleted: true }).deleted ?? {}).toEqual({});
}, 90_000);
