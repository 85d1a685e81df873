// What the doctor asks a server: a real node over TCP, every request recorded, each one of the
// actions a read-only user may run (the auth gate's LOOK set): the doctor changes nothing.
import { describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { mosquittoFixture, startNodes, waitFor } from "../../support/cluster.js";
import { serveTcp } from "../../../src/server/tcp-server.js";
import { connectTcp } from "../../../src/client/tcp.js";
import type { KvClient } from "../../../src/client/client.js";
import { LOOK } from "../../../src/server/auth/gate.js";
import { encodeValue } from "../../../src/wire/codec.js";
import { Path } from "../../../src/wire/path.js";
import { entriesBy, hostmapOf, sampleServer } from "../../../src/console/doctor/sample.js";

const f = mosquittoFixture();

/** The client, with every action it sends recorded. */
function recorded(c: KvClient, actions: string[]): KvClient {
  return new Proxy(c, {
    get(target, prop) {
      if (prop === "request" || prop === "stream") {
        return (action: string, ...rest: unknown[]) => {
          actions.push(action);
          return (target[prop] as (...a: unknown[]) => unknown).call(target, action, ...rest);
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

describe("the doctor's requests", () => {
  it("sample a server's state, its entries by a node and its hostmap with read-only actions only", async () => {
    f.nodes = await startNodes(f.broker.url, ["s1"]);
    const server = await serveTcp(f.nodes[0]!.node, { port: 0 });
    f.servers.push(server);
    const ghost = await mqtt.connectAsync(f.broker.url);
    for (const tick of [1, 3]) {
      await ghost.publishAsync("moat/kv/update", Buffer.from(encodeValue({ node: "ghost", tick, prev: null, path: Path.of("ghost", `t${tick}`), value: `g${tick}`, tock: 1 })));
    }
    await ghost.endAsync();
    await waitFor(() => JSON.stringify(f.nodes[0]!.node.ledger.missing()) === '{"ghost":[2]}', 10_000);

    const c = await connectTcp(`127.0.0.1:${server.port}`);
    const actions: string[] = [];
    try {
      const rc = recorded(c, actions);
      const s = await sampleServer(rc);
      expect(s).toMatchObject({ server: "s1", address: `127.0.0.1:${server.port}`, state: { missing: { ghost: [2] }, present: { ghost: [1, 3] } } });
      expect(await entriesBy(rc, "s1", "ghost")).toEqual([{ path: "ghost.t1", tick: 1, server: "s1" }, { path: "ghost.t3", tick: 3, server: "s1" }]);
      expect(await entriesBy(rc, "s1", "nobody")).toEqual([]);
      expect(await hostmapOf(rc)).toEqual({}); // a ticktock node keeps no hostmap entries
    } finally {
      c.close();
    }
    expect(new Set(actions)).toEqual(new Set(["get_state", "enum_node", "get_value", "get_tree_internal"]));
    for (const a of actions) expect(LOOK.has(a), a).toBe(true);
  });
});
