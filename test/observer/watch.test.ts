// The passive observer and `ticktock watch`: rebuilding the cluster's ticks from its gossip.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { startMosquitto, type Broker } from "../support/mosquitto.js";
import { startNodes, stopAll, waitFor, type TestNode } from "../support/cluster.js";
import { run } from "../support/cli.js";
import { ClusterObserver } from "../../src/observer/cluster-observer.js";
import { MqttTransport } from "../../src/transport/mqtt-transport.js";
import type { GossipTransport } from "../../src/transport/transport.js";
import { renderSnapshot } from "../../src/cli/commands/watch.js";
import { encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

let broker: Broker;
let nodes: TestNode[] = [];
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await stopAll(nodes);
  await broker.stop();
});

async function ghostGap(): Promise<void> {
  const c = await mqtt.connectAsync(broker.url);
  for (const tick of [1, 3]) await c.publishAsync("moat/kv/update", Buffer.from(encodeValue({ node: "ghost", tick, prev: null, path: Path.of("g", `${tick}`), value: tick, tock: 1 })));
  await c.endAsync();
}

describe("the passive observer", () => {
  it("sends nothing, sees every node's ticks, the gap and who lacks it", async () => {
    // a transport that counts what the observer tries to send
    const inner = new MqttTransport({ url: broker.url });
    let published = 0;
    const counting: GossipTransport = {
      get state() { return inner.state; },
      start: () => inner.start(),
      publish: () => void published++,
      onMessage: (h) => inner.onMessage(h),
      onState: (h) => inner.onState(h),
      close: () => inner.close(),
    };
    const observer = new ClusterObserver({ transport: counting });
    await observer.start();
    nodes = await startNodes(broker.url, ["w1", "w2"]);
    nodes[0]!.node.set(Path.of("x"), 1);
    nodes[1]!.node.set(Path.of("y"), 2);
    await ghostGap();
    await waitFor(() => observer.snapshot().matrix.some((m) => m.node === "ghost"), 5000, () => JSON.stringify(observer.snapshot().matrix));
    const s = observer.snapshot();
    expect(s.nodes.map((n) => [n.name, n.tick])).toEqual(expect.arrayContaining([["w1", 1], ["w2", 1], ["ghost", 3]]));
    expect(s.unseen).toEqual({ ghost: [2] });
    expect(s.matrix.find((m) => m.node === "ghost")).toMatchObject({ lacks: [2], canServe: [] });
    const r = observer.raster("ghost", 3)!;
    expect([...r.present]).toEqual([1, 0, 1]);
    expect([...r.missing]).toEqual([0, 1, 0]);
    expect(observer.node.stats.received).toBeGreaterThan(5);
    expect(published).toBe(0); // passive: it heard everything and said nothing
    await observer.stop();
  });

  it("ticktock watch prints JSON lines of the cluster's state", async () => {
    const w = run(["watch", "--mqtt", broker.url, "--json", "--interval", "100"]);
    try {
      await w.waitFor(/listening to/);
      nodes[0]!.node.set(Path.of("z"), 3);
      await w.waitFor(/"name": ?"w1","tick": ?2/, 10_000);
      const line = w.stdout().trim().split("\n").map((l) => JSON.parse(l)).at(-1);
      expect(line.nodes.find((n: { name: string }) => n.name === "w1").tick).toBe(2);
    } finally {
      w.proc.kill("SIGTERM");
      expect(await w.exited).toBe(0);
    }
  });

  it("renders the terminal view", () => {
    const text = renderSnapshot(
      {
        at: 10_000, nodes: [{ name: "a", tick: 3, counts: { present: 2, superseded: 0, deleted: 0, missing: 1, remoteMissing: 0 } }],
        servers: [{ name: "a", tick: 3, tock: 9, lastSeen: 9_500, lacks: { ghost: [2] }, announced: {}, messages: 4 }],
        unseen: { a: [2] }, unseenCount: { a: 1 }, matrix: [{ server: "a", node: "ghost", lacks: [2], canServe: [] }],
        feed: [{ at: 9_000, action: "info", from: "a", summary: "missing ghost [2]" }],
      },
      "HEADER",
    );
    expect(text).toBe(
      "HEADER\n\nnode  tick  present  superseded  deleted  unseen  asked for (lacks)  last heard\n" +
        "a     3     2        0           0        1       ghost [2]          500 ms\n\n" +
        "not seen published (lost, or before this watch began; --server seeds the view): a [2]\n" +
        "a lacks ghost [2]; can serve: nobody\n\nrecent gossip:\n  00:00:09 info   a: missing ghost [2]\n",
    );
  });
});
