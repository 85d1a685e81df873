// The health check's cases, the same for every edge runtime (as hono's runtime tests share one
// contract): a real Mosquitto, a ticktock node on it with its WebSocket client port, a state file
// over HTTP. Each runtime's test file gives `serve`: start the runtime's set-up with these
// settings and say where it answers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { freePort, startMosquitto, type Broker } from "../support/mosquitto.js";
import { FAST, startNode, stopAll, waitFor, type TestNode } from "../support/cluster.js";
import { TicktockNode } from "../../src/node/node.js";
import { MqttTransport } from "../../src/transport/mqtt-transport.js";
import { serveTcp } from "../../src/server/tcp-server.js";
import { connectTcp } from "../../src/client/tcp.js";
import { sealedPassword } from "../../src/client/login.js";
import { serveDir } from "../support/static-server.js";
import { serveWebSocket } from "../../src/server/ws-server.js";
import type { ClientServer } from "../../src/server/tcp-server.js";
import { encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

export interface Served {
  url: string;
  stop(): Promise<void> | void;
}
export type Serve = (settings: { TICKTOCK_SERVER?: string; TICKTOCK_STATE_URL?: string; TICKTOCK_USER?: string; TICKTOCK_PASSWORD?: string }) => Promise<Served>;

export function describeHealthCheck(runtime: string, serve: Serve): void {
  let broker: Broker;
  let nodes: TestNode[] = [];
  let ws: ClientServer;
  beforeAll(async () => {
    broker = await startMosquitto();
    nodes = [await startNode(broker.url, "edge1")];
    ws = await serveWebSocket(nodes[0]!.node, { port: 0 });
  });
  afterAll(async () => {
    await ws?.close();
    await stopAll(nodes);
    await broker?.stop();
  });

  describe(`the edge health check under ${runtime}`, () => {
    it("answers 200 while nothing is missing, 503 with the missing ticks, and /state", async () => {
      const srv = await serve({ TICKTOCK_SERVER: `ws://127.0.0.1:${ws.port}` });
      try {
        let res = await fetch(`${srv.url}/`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ ok: true, node: "edge1", missing: {} });
        const c = await mqtt.connectAsync(broker.url);
        for (const tick of [1, 3]) await c.publishAsync("moat/kv/update", Buffer.from(encodeValue({ node: "ghost", tick, prev: null, path: Path.of("g", `${tick}`), value: tick, tock: 1 })));
        await c.endAsync();
        await waitFor(() => nodes[0]!.node.ledger.get("ghost")?.tick === 3, 5000);
        res = await fetch(`${srv.url}/`);
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ ok: false, missing: { ghost: [2] }, nodes: { ghost: 3 } });
        const state = await (await fetch(`${srv.url}/state`)).json();
        expect(state).toMatchObject({ source: `ws://127.0.0.1:${ws.port}`, node: "edge1", missing: { ghost: [2] }, present: { ghost: [1, 3] } });
        expect((await fetch(`${srv.url}/nope`)).status).toBe(404);
      } finally {
        await srv.stop();
      }
    });

    it("computes the same from a state file given by URL", async () => {
      const files = await serveDir(fileURLToPath(new URL("../fixtures/upstream/", import.meta.url)));
      const srv = await serve({ TICKTOCK_STATE_URL: `${files.url}/state_test1.dkv` });
      try {
        const res = await fetch(`${srv.url}/`);
        const body = await res.json();
        expect({ status: res.status, body }).toMatchObject({ status: 200, body: { ok: true, node: "test1" } });
        expect(body).toMatchObject({ ok: true, node: "test1", nodes: { test1: 5, test2: 2 } });
        const state = await (await fetch(`${srv.url}/state`)).json();
        expect(state).toMatchObject({ deleted: { test1: [5] }, missing: {} });
      } finally {
        await srv.stop();
        await files.close();
      }
    });

    it("logs in to a node with auth as TICKTOCK_USER, and says so when the password is wrong", async () => {
      const locked = new TicktockNode({ ...FAST, name: "edge2", transport: new MqttTransport({ url: broker.url, root: "edge.locked" }), log: () => {} });
      await locked.start();
      const tcp = await serveTcp(locked, { port: 0 });
      const lockedWs = await serveWebSocket(locked, { port: 0 });
      try {
        const admin = await connectTcp(`127.0.0.1:${tcp.port}`);
        await admin.request("auth_set", { typ: "password", kind: "user", ident: "health", chain: null, password: await sealedPassword(admin, "pulse 1"), role: "read" });
        await admin.request("set_auth_typ", { typ: "password" });
        admin.close();
        const server = `ws://127.0.0.1:${lockedWs.port}`;
        const ok = await serve({ TICKTOCK_SERVER: server, TICKTOCK_USER: "health", TICKTOCK_PASSWORD: "pulse 1" });
        try {
          const res = await fetch(`${ok.url}/`);
          expect(res.status).toBe(200);
          expect(await res.json()).toMatchObject({ ok: true, node: "edge2", missing: {} });
        } finally {
          await ok.stop();
        }
        const wrong = await serve({ TICKTOCK_SERVER: server, TICKTOCK_USER: "health", TICKTOCK_PASSWORD: "pulse 2" });
        try {
          const res = await fetch(`${wrong.url}/`);
          expect(res.status).toBe(502);
          expect((await res.json()).error).toBe(`login to ${server} as health failed: AuthFailedError: user health and this password do not match`);
        } finally {
          await wrong.stop();
        }
      } finally {
        await lockedWs.close();
        await tcp.close();
        await locked.stop();
      }
    });

    it("answers 502 saying what is wrong when the server is unreachable", async () => {
      const srv = await serve({ TICKTOCK_SERVER: `ws://127.0.0.1:${await freePort()}` });
      try {
        const res = await fetch(`${srv.url}/`);
        expect(res.status).toBe(502);
        expect((await res.json()).error).toMatch(/^cannot reach a ticktock node at ws:\/\/127\.0\.0\.1:\d+$/);
      } finally {
        await srv.stop();
      }
    });
  });
}
