// An edge health check for a MoaT-KV cluster: one fetch(request, env) handler for every edge
// runtime. Each runtime's set-up is a few lines beside it:
//
//   Deno                deno serve --allow-net --allow-env examples/edge/health.ts
//   Cloudflare Workers  examples/edge/workerd/ (config.capnp for workerd, wrangler.toml for wrangler)
//   Vercel Edge         examples/edge/vercel/api/health.ts
//
//   GET /        200 {ok: true, ...} when nothing is missing; 503 with the missing ticks per node;
//                502 {ok: false, error} when the server or the state file cannot be read
//   GET /state   the server's get_state data (every set) as JSON
//
// Settings, from the Worker's `env` bindings, else Deno.env, else process.env:
//   TICKTOCK_SERVER     ws://HOST:PORT (or wss://) of a ticktock node's --ws-port: ask it get_state
//   TICKTOCK_STATE_URL  the URL of a state file (upstream's or ticktock's): compute the state from it
//   TICKTOCK_USER, TICKTOCK_PASSWORD  a login, for a node with auth on (the platform's secrets;
//                       a read-only user, `ticktock auth user add NAME --role read`, is enough)
//
// Where the runtime forbids compiling WebAssembly from bytes (Workers, Vercel Edge) the set-up
// passes the precompiled core: healthCheck({ core }) with `import core from "ticktock/core.wasm"`.

import { init, type CoreSource } from "../../src/index.js";
import { connectWebSocket } from "../../src/client/websocket.js";
import type { Credentials } from "../../src/client/login.js";
import { offlineNode } from "../../src/node/offline.js";
import { parseStateFile } from "../../src/node/state-file.js";

/** Settings as a Worker receives them: bindings by name (strings here; others are ignored). */
export type Bindings = Record<string, unknown>;

type Globals = { Deno?: { env: { get(n: string): string | undefined } }; process?: { env: Record<string, string | undefined> } };

/**
 * A setting from the Worker's bindings, else from Deno's or Node's environment; "" counts as unset.
 * A binding that is there decides, even when it is not a string: workerd binds an unset
 * fromEnvironment variable as null (and puts "null" in its process.env).
 */
function setting(name: string, env: Bindings | undefined): string | undefined {
  const g = globalThis as Globals;
  const bound = env !== null && typeof env === "object" && name in env;
  const value = bound ? env[name] : (g.Deno?.env.get(name) ?? g.process?.env?.[name]);
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The login from TICKTOCK_USER and TICKTOCK_PASSWORD, if a user is set. */
function login(env: Bindings | undefined): Credentials | undefined {
  const name = setting("TICKTOCK_USER", env);
  if (!name) return undefined;
  const password = setting("TICKTOCK_PASSWORD", env);
  if (password === undefined) throw new Error(`TICKTOCK_USER ${name} needs TICKTOCK_PASSWORD`);
  return { method: "password", name, password };
}

const ALL = { nodes: true, known: true, present: true, deleted: true, missing: true, remote_missing: true, node_drop: true };

/** The get_state data, from the server or from the state file; throws a one-line reason. */
async function currentState(env: Bindings | undefined): Promise<{ source: string; state: Record<string, unknown> }> {
  const server = setting("TICKTOCK_SERVER", env);
  if (server) {
    const c = await connectWebSocket(server, { timeout: 5000, credentials: login(env) });
    try {
      return { source: server, state: await c.request("get_state", ALL) };
    } finally {
      c.close();
    }
  }
  const file = setting("TICKTOCK_STATE_URL", env);
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

/** The handler. `core`: where the WebAssembly core comes from (default: the bytes embedded in the bundle). */
export function healthCheck(opts: { core?: CoreSource } = {}): { fetch(request: Request, env?: Bindings): Promise<Response> } {
  return {
    async fetch(request, env) {
      const { pathname } = new URL(request.url);
      if (request.method !== "GET") return json({ error: `${request.method} is not supported; use GET` }, 405);
      if (pathname !== "/" && pathname !== "/state") return json({ error: `no such endpoint ${pathname}; try / or /state` }, 404);
      try {
        await init(opts.core);
      } catch (e) {
        return json({ ok: false, error: (e as Error).message }, 500);
      }
      let result: Awaited<ReturnType<typeof currentState>>;
      try {
        result = await currentState(env);
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
}

export default healthCheck();
