// `ticktock data PATH get|set|delete`: look at and fix the data around a repair, with upstream's
// path and value syntax:
//   data one.two set -e : 123          the value itself (":" is the empty subpath)
//   data one.four set -e a 1 -v b two  {a: 1, b: "two"}  (-v pairs first, then -e, as upstream)
//   data one get -rd_                  the subtree, each value under the key "_"
import type { Command } from "commander";
import { formatPath, parsePath } from "../../wire/path-text.js";
import { Path, type PathElement } from "../../wire/path.js";
import { PathExpander } from "../../wire/relative-path.js";
import { SERVER_HELP, TLS_CA_HELP, TLS_HELP, withClient } from "../connect.js";
import { formatValue, toJson, toYaml } from "../output.js";
import { LiteralError, parseLiteral } from "../literal.js";
import { UsageError, intOption } from "../process.js";

const collect = (pair: string[]) => (v: string, prev: string[][] | undefined) => {
  const list = prev ?? [];
  const last = list[list.length - 1];
  if (last && last.length < pair.length) last.push(v);
  else list.push([v]);
  return list;
};

function pathArg(text: string): Path {
  try {
    return parsePath(text);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** `-e SUBPATH -`: remove SUBPATH (the whole entry when SUBPATH is ":"). */
const REMOVE = Symbol("remove");

/** Put v at sub-path `at` inside `base` (a non-map base becomes a map); REMOVE deletes it there. */
function setAt(base: unknown, at: Path, v: unknown): unknown {
  if (at.length === 0) return v;
  const root: Record<string, unknown> = base !== null && typeof base === "object" && !Array.isArray(base) && !(base instanceof Uint8Array) ? { ...(base as Record<string, unknown>) } : {};
  let cur = root;
  at.elements.forEach((e, i) => {
    const k = String(e);
    if (i === at.length - 1) {
      if (v === REMOVE) delete cur[k];
      else cur[k] = v;
    } else {
      const next = cur[k];
      cur[k] = next !== null && typeof next === "object" && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
      cur = cur[k] as Record<string, unknown>;
    }
  });
  return root;
}

/** The nested-dict form of a subtree, each value under `key` ("-d _"). */
function nest(items: { rel: readonly PathElement[]; value: unknown }[], key: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const { rel, value } of items) {
    let cur = root;
    for (const e of rel) cur = (cur[String(e)] ??= {}) as Record<string, unknown>;
    cur[key] = value;
  }
  return root;
}

export const DATA_VERBS = ["get", "set", "delete"];

/** Upstream's order is `data PATH VERB`; commander wants `data VERB PATH`. Swap when needed. */
export function reorderDataArgs(argv: string[]): string[] {
  const i = argv.indexOf("data");
  const path = argv[i + 1], next = argv[i + 2];
  if (i < 0 || path === undefined || path.startsWith("-") || DATA_VERBS.includes(path)) return argv;
  // `data PATH` alone (or with options only) reads the value, as upstream's does
  if (next === undefined || next.startsWith("-")) return [...argv.slice(0, i + 1), "get", ...argv.slice(i + 1)];
  if (!DATA_VERBS.includes(next)) throw new UsageError(`data ${path}: unknown command ${JSON.stringify(next)}; expected data PATH get|set|delete (see ticktock data --help)`);
  const out = [...argv];
  [out[i + 1], out[i + 2]] = [next, path];
  return out;
}

export function register(program: Command): void {
  const data = program
    .command("data")
    .description("get, set or delete data at a path: data PATH get|set|delete (upstream's order and path syntax)")
    .addHelpText("after", `
Examples (either word order works):
  ticktock data one.two.three get
  ticktock data one get -rd_                 the subtree, each value under "_"
  ticktock data one.two set -e : 123          ":" is the value itself
  ticktock data one.four set -e a 1 -v b two  {a: 1, b: "two"}
  ticktock data one.two delete
Paths: one.two.three, ":" for the root, ":1" a number, ":t" true, "::" a colon, ":." a dot.`);

  data
    .command("get")
    .argument("<path>", "the path: one.two.three, ':' for the root")
    .description("print the value at the path (or, with -r, the subtree)")
    .option("-r, --recursive", "the whole subtree")
    .option("-d, --as-dict <key>", "with -r: nest the subtree as maps, each value under this key (-d _)")
    .option("-m, --max-depth <n>", "with -r: how deep", intOption("--max-depth", 0, 1_000_000))
    .option("-M, --min-depth <n>", "with -r: from how deep", intOption("--min-depth", 0, 1_000_000))
    .option("--server <host:port>", SERVER_HELP).option("--tls", TLS_HELP).option("--tls-ca <file>", TLS_CA_HELP)
    .option("--json", "print JSON")
    .action(async (text: string, o: { recursive?: boolean; asDict?: string; maxDepth?: number; minDepth?: number; server?: string; json?: boolean }) => {
      const path = pathArg(text);
      await withClient(o, async (c) => {
        if (!o.recursive) {
          const r = await c.request("get_value", { path, nchain: 0 });
          if (!("value" in r)) {
            process.stderr.write(`No data at ${formatPath(path)}\n`); // as upstream's, on stderr, exit code 0
            return;
          }
          process.stdout.write(o.json ? `${toJson(r.value)}\n` : `${formatValue(r.value)}\n`);
          return;
        }
        const items: { rel: readonly PathElement[]; value: unknown }[] = [];
        const paths = new PathExpander();
        const req: Record<string, unknown> = { path };
        if (o.maxDepth !== undefined) req.max_depth = o.maxDepth;
        if (o.minDepth) req.min_depth = o.minDepth;
        for await (const item of c.stream("get_tree", req)) items.push({ rel: paths.expand(item.path, item.depth).elements, value: item.value });
        // upstream's list form: one single-entry map per item, keyed by the Path (`- !P one.two: 3`)
        const out = o.asDict !== undefined ? nest(items, o.asDict) : items.map((i) => (o.json ? { [formatPath(new Path(i.rel))]: i.value } : new Map([[new Path(i.rel), i.value]])));
        // upstream prints the list form item by item: nothing at all for no items
        if (Array.isArray(out) && out.length === 0 && !o.json) return;
        process.stdout.write(o.json ? `${toJson(out)}\n` : toYaml(out));
      });
    });

  data
    .command("set")
    .argument("<path>", "the path: one.two.three, ':' for the root")
    .description("set the value at the path: -v (text), -e (literal) and -p (path) pairs update the current value")
    .option("-v, --value <subpath text...>", "put TEXT at SUBPATH of the value (':' = the value itself)", collect(["k", "v"]))
    .option("-e, --eval <subpath literal...>", "put a literal (123, 'x', b'x', True, None; '-' removes SUBPATH) at SUBPATH", collect(["k", "v"]))
    .option("-p, --path <subpath path...>", "put a path (one.two) at SUBPATH", collect(["k", "v"]))
    .option("--server <host:port>", SERVER_HELP).option("--tls", TLS_HELP).option("--tls-ca <file>", TLS_CA_HELP)
    .addHelpText("after", `
The pairs apply in upstream's order (-v, then -e, then -p) to the value there now, so
"-e a 1" on {b: 2} gives {a: 1, b: 2}; ":" replaces the whole value, and "-e : -" deletes it.
Examples:
  ticktock data one.two set -e : 123
  ticktock data one.four set -e a 1 -v b two -p c x.y`)
    .action(async (text: string, o: { value?: string[][]; eval?: string[][]; path?: string[][]; server?: string }) => {
      const path = pathArg(text);
      const pairs = [
        ...(o.value ?? []).map((p) => ({ p, kind: "-v" })),
        ...(o.eval ?? []).map((p) => ({ p, kind: "-e" })),
        ...(o.path ?? []).map((p) => ({ p, kind: "-p" })),
      ];
      if (pairs.length === 0) throw new UsageError("set needs a value: -e SUBPATH LITERAL, -v SUBPATH TEXT or -p SUBPATH PATH (':' is the value itself)");
      const parsed = pairs.map(({ p, kind }) => {
        if (p.length !== 2) throw new UsageError(`${kind} takes two words, SUBPATH and ${kind === "-e" ? "LITERAL" : kind === "-v" ? "TEXT" : "PATH"}`);
        const at = pathArg(p[0]!);
        if (kind === "-v") return { at, v: p[1] as unknown };
        if (kind === "-p") return { at, v: pathArg(p[1]!) as unknown };
        if (p[1] === "-") return { at, v: REMOVE };
        try {
          return { at, v: parseLiteral(p[1]!) };
        } catch (e) {
          if (e instanceof LiteralError) throw new UsageError(e.message);
          throw e;
        }
      });
      if (parsed.some((x) => x.at.length === 0) && parsed.length > 1) throw new UsageError("':' sets the whole value: it cannot be combined with other pairs");
      await withClient(o, async (c) => {
        const cur = await c.request("get_value", { path, nchain: 2 });
        let value: unknown = "value" in cur ? cur.value : REMOVE;
        for (const { at, v } of parsed) value = setAt(value, at, v);
        const chain = "value" in cur ? (cur.chain ?? null) : null;
        if (value === REMOVE) await c.request("delete_value", { path, nchain: false, ...("value" in cur ? { chain } : {}) });
        else await c.request("set_value", { path, value, nchain: false, chain });
      });
    });

  data
    .command("delete")
    .argument("<path>", "the path: one.two.three, ':' for the root")
    .description("delete the value at the path")
    .option("--server <host:port>", SERVER_HELP).option("--tls", TLS_HELP).option("--tls-ca <file>", TLS_CA_HELP)
    .action(async (text: string, o: { server?: string }) => {
      const path = pathArg(text);
      await withClient(o, (c) => c.request("delete_value", { path, nchain: false }));
    });
}
