// The recovery console in a worker: a client of one server (TCP in Node and Deno, WebSocket in
// browsers), with the repair's plan and apply steps. It logs in with the credentials given to
// connect when the server's greeting asks for a login (upstream's password exchange, in plain
// JavaScript, so in every runtime).
import { init } from "../../core/range-set.js";
import type { KvClient, Msg, Greeting } from "../../client/client.js";
import type { Credentials } from "../../client/login.js";
import { applyMark, markTarget, planMark, type MarkKind, type MarkPlan } from "../../console/repair.js";
import type { RangeSetState } from "../../core/range-set.js";
import type { RangeMap } from "../../wire/messages.js";
import { Path, type PathElement } from "../../wire/path.js";
import { PathExpander } from "../../wire/relative-path.js";

/** How this runtime reaches a server: ws:// URLs, and host:port where TCP exists; logged in with `credentials` when the server asks. */
export type Connect = (server: string, credentials?: Credentials) => Promise<KvClient>;

export interface ConsoleApi {
  /**
   * Connect (and log in with `credentials` when the server asks for a login). The greeting's
   * `auth` names the method a server wants: connecting without credentials shows it.
   */
  connect(server: string, credentials?: Credentials): Promise<Greeting>;
  state(flags: Record<string, boolean>): Promise<Msg>;
  /** The ticks a mark would cover (given, or the node's missing ticks) and what it would change. */
  planMark(node: string, ticks: RangeSetState | "missing", kind?: MarkKind): Promise<MarkPlan>;
  mark(target: RangeMap, kind?: MarkKind, options?: { broadcast?: boolean }): Promise<Msg>;
  get(path: PathElement[]): Promise<Msg>;
  set(path: PathElement[], value: unknown): Promise<Msg>;
  delete(path: PathElement[]): Promise<Msg>;
  tree(path: PathElement[]): Promise<{ path: PathElement[]; value: unknown }[]>;
  close(): void;
}

export function createConsoleApi(connect: Connect): ConsoleApi {
  let client: KvClient | undefined;
  const need = (api: string): KvClient => {
    if (!client) throw new Error(`console.${api}: not connected; call connect(server) first`);
    return client;
  };
  return Object.freeze({
    async connect(server: string, credentials?: Credentials) {
      await init();
      client?.close();
      client = undefined;
      client = await connect(server, credentials);
      return client.greeting;
    },
    state: (flags: Record<string, boolean>) => need("state").request("get_state", flags),
    async planMark(node: string, ticks: RangeSetState | "missing", kind: MarkKind = "superseded") {
      const c = need("planMark");
      return planMark(c, await markTarget(c, node, ticks), kind);
    },
    mark: (target: RangeMap, kind: MarkKind = "superseded", options = {}) => applyMark(need("mark"), target, kind, options),
    get: (path: PathElement[]) => need("get").request("get_value", { path: new Path(path), nchain: 0 }),
    set: (path: PathElement[], value: unknown) => need("set").request("set_value", { path: new Path(path), value }),
    delete: (path: PathElement[]) => need("delete").request("delete_value", { path: new Path(path) }),
    async tree(path: PathElement[]) {
      const c = need("tree");
      const paths = new PathExpander(new Path(path));
      const out: { path: PathElement[]; value: unknown }[] = [];
      for await (const it of c.stream("get_tree", { path: new Path(path) })) out.push({ path: [...paths.expand(it.path, it.depth).elements], value: it.value });
      return out;
    },
    close() {
      client?.close();
      client = undefined;
    },
  });
}
