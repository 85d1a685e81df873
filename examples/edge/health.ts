// An edge health check for a MoaT-KV cluster: a module whose default export has a
// fetch(request) handler, as edge runtimes expect.
//
//   TICKTOCK_SERVER=ws://127.0.0.1:27590 deno serve --allow-net --allow-env examples/edge/health.ts
//   TICKTOCK_STATE_URL=https://.../test1.dkv deno serve --allow-net --allow-env examples/edge/health.ts
//
//   GET /        200 {ok: true, ...} when nothing is missing; 503 with the missing ticks per node
//   GET /state   the server's get_state data (every set) as JSON
//
// With TICKTOCK_SERVER it asks a ticktock node over its WebSocket client port (--ws-port); with
// TICKTOCK_STATE_URL it fetches a state file (upstream's or ticktock's) and computes the state.
// A node with auth on: TICKTOCK_USER and TICKTOCK_PASSWORD (the platform's secrets) log in with
// upstream's password exchange; a read-only user (`ticktock auth user add NAME --role read`) is
// all a health check needs.

import { init } from "../../src/core/range-set.js";
import { connectWebSocket } from "../../src/client/websocket.js";
import type { Credentials } from "../../src/client/login.js";
import { offlineNode } from "../../src/node/offline.js";
import { parseStateFile } from "../../src/node/state-file.js";

type Env = (name: string) => string | undefined;
const env: Env = (name) =>
  (globalThis as { Deno?: { env: { get(n: string): string | undefined } } }).Deno?.env.get(name) ??
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[name];

/** The login from TICKTOCK_USER and TICKTOCK_PASSWORD, if a user is set. */
function login(): Credentials | undefined {
  const name = env("TICKTOCK_USER");
  if (!name) return undefined;
  const password = env("TICKTOCK_PASSWORD");
  if (password === undefined) throw new Error(`TICKTOCK_USER ${name} needs TICKTOCK_PASSWORD`);
  return { method: "password", name, password };
}

const ALL = { nodes: true, known: true, present: true, deleted: true, missing: true, remote_missing: true, node_drop: true };

/** The get_state data, from the server or from the state file; throws a one-line reason. */
async function currentState(): Promise<{ source: string; state: Record<string, unknown> }> {
  await init();
  const server = env("TICKTOCK_SERVER");
  if (server) {
    const c = await connectWebSocket(server, { timeout: 5000, credentials: login() });
    try {
      return { source: server, state: await c.request("get_state", ALL) };
    } finally {
      c.close();
    }
  }
  const file = env("TICKTOCK_STATE_URL");
  if (file) {
    const res = await fetch(file);
    if (!res.ok) throw new Error(`${file} answered ${res.status} ${res.statusText}`);
    const { records } = parseStateFile(new Uint8Array(await res.arrayBuffer()), file);
    const node = offlineNode(records);
    return { source: file, state: node.getState(ALL) as unknown as Record<string, unknown> };
  }
  throw new Error("set TICKTOCK_SERVER (ws://HOST:PORT of a node's --ws-port) or TICKTOCK_STATE_URL (a state file's URL)");
}

const json = (body: unknown, status: number) =>
  new Response(JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n", { status, headers: { "content-type": "application/json" } });

export default {
  async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (request.method !== "GET") return json({ error: `${request.method} is not supported; use GET` }, 405);
    if (pathname !== "/" && pathname !== "/state") return json({ error: `no such endpoint ${pathname}; try / or /state` }, 404);
    let result: Awaited<ReturnType<typeof currentState>>;
    try {
      result = await currentState();
    } catch (e) {
      return json({ ok: false, error: (e as Error).message }, 502);
    }
    const { source, state } = result;
    if (pathname === "/state") return json({ source, ...state }, 200);
    const missing = (state.missing ?? {}) as Record<string, unknown>;
    const ok = Object.keys(missing).length === 0;
    return json({ ok, node: state.node, source, missing, nodes: state.nodes }, ok ? 200 : 503);
  },
};
