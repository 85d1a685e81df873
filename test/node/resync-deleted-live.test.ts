// resync_deleted end to end on a real broker: a node that holds an entry the deleter has purged
// sends its head ticks (check_deleted) to the deleter's client port; the deleter broadcasts
// `info {deleted}` for the ticks it holds no entry for, and the node drops that entry.
import { expect, it } from "vitest";
import { resyncDeleted } from "../../src/client/resync-deleted.js";
import { serveTcp } from "../../src/server/tcp-server.js";
import { Path } from "../../src/wire/path.js";
import { mosquittoFixture, startNode, waitFor } from "../support/cluster.js";

const f = mosquittoFixture();

it("drops what the deleter no longer holds, and keeps the rest", async () => {
  const del = await startNode(f.broker.url, "del1");
  const late = await startNode(f.broker.url, "late1");
  f.nodes.push(del, late);
  const srv = await serveTcp(del.node, { port: 0 });
  f.servers.push(srv);
  await waitFor(() => del.node.mode === "serving" && late.node.mode === "serving", 10_000);
  del.node.set(Path.of("kept"), 1);
  await waitFor(() => late.node.get(Path.of("kept")) !== undefined, 10_000);
  // an entry whose deletion (and purge) late1 missed: only late1 holds it
  late.node.importUpdate({ node: "gone", tick: 1, prev: null, path: Path.of("stale"), value: "old", tock: 1 });
  expect(late.node.get(Path.of("stale"))?.value).toBe("old");
  const used = await resyncDeleted(late.node, ["nobody", "del1"], (n) => (n === "del1" ? `127.0.0.1:${srv.port}` : undefined));
  expect(used).toBe("del1");
  await waitFor(() => late.node.store.get(Path.of("stale")) === undefined, 10_000, () => late.logs.slice(-5).join("\n"));
  expect(late.node.get(Path.of("kept"))?.value).toBe(1);
  await expect(resyncDeleted(late.node, ["nobody"], () => undefined)).rejects.toThrow(/no deleter reachable \(nobody: address unknown\)/);
}, 30_000);
