// Joining a running cluster: copy data and state over the client protocol before serving, or
// fall back to gossip when no server answers.
import { describe, expect, it } from "vitest";
import { freePort } from "../support/mosquitto.js";
import { converged, dataOf, describeCluster, startNode, waitFor, mosquittoFixture } from "../support/cluster.js";
import { serveTcp } from "../../src/server/tcp-server.js";
import { joinFrom } from "../../src/client/join.js";
import { Path } from "../../src/wire/path.js";

const f = mosquittoFixture();

describe("joining", () => {
  it("copies every entry and the tick state from a running server before serving", async () => {
    const a = await startNode(f.broker.url, "a");
    f.nodes.push(a);
    for (let i = 0; i < 25; i++) a.node.set(Path.of("j", `${i}`), { i });
    a.node.delete(Path.of("j", "3"));
    a.node.set(Path.of("j", "4"), "again");
    const server = await serveTcp(a.node, { port: 0 });
    f.servers.push(server);
    let copied = -1;
    const b = await startNode(f.broker.url, "b", {
      startupWait: 0, // no gossip wait: everything must come from the copy
      join: async (n) => {
        copied = (await joinFrom(n, `127.0.0.1:${server.port}`)).entries;
      },
    });
    f.nodes.push(b);
    expect(copied).toBe(24);
    expect(b.node.mode).toBe("serving");
    expect(dataOf(b.node)).toEqual(dataOf(a.node));
    // a still holds the deletion (tick 26) as a tombstone; b learns it as deleted, so also superseded
    expect(b.node.getState({ nodes: true, known: true, deleted: true })).toMatchObject({ nodes: { a: 27 }, known: { a: [[4, 6], 26] }, deleted: { a: [26] } });
    expect(b.node.ledger.missing()).toEqual({});
  });

  it("falls back to gossip when the server to copy from is unreachable", async () => {
    const a = await startNode(f.broker.url, "a");
    f.nodes.push(a);
    a.node.set(Path.of("x"), 1);
    const dead = await freePort();
    const b = await startNode(f.broker.url, "b", { join: (n) => joinFrom(n, `127.0.0.1:${dead}`).then(() => undefined) });
    f.nodes.push(b);
    expect(b.logs.some((l) => l.includes(`could not copy from a running server (cannot reach a MoaT-KV server at 127.0.0.1:${dead} (ECONNREFUSED)); joining from gossip`))).toBe(true);
    await waitFor(() => converged(f.nodes), 5000, () => describeCluster(f.nodes));
    expect(dataOf(b.node)).toEqual({ x: 1 });
  });
});
