// Mixed clusters: upstream MoaT-KV servers and ticktock nodes on one Mosquitto, looked at through
// the client protocol only (get_tree, get_state), so that every server is judged the same way.
import { connectTcp } from "../../src/client/tcp.js";
import type { Msg } from "../../src/client/client.js";
import { Path } from "../../src/wire/path.js";
import { PathExpander } from "../../src/wire/relative-path.js";

/** A server of either kind, reachable on a loopback client port. */
export interface Member {
  name: string;
  port: number;
  /** Its log, for failure messages. */
  log(): string;
}

/** Run `fn` with a client connected to a member's client port. */
export async function withClient<T>(port: number, fn: (c: Awaited<ReturnType<typeof connectTcp>>) => Promise<T>): Promise<T> {
  const c = await connectTcp(`127.0.0.1:${port}`, { timeout: 15_000 });
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** path text -> value of every entry below `root` (internal paths left out). */
export async function treeOf(port: number, root: Path = new Path()): Promise<Record<string, unknown>> {
  return withClient(port, async (c) => {
    const out: Record<string, unknown> = {};
    const paths = new PathExpander(root);
    for await (const item of c.stream("get_tree", { path: root, nchain: 0 })) {
      const p = paths.expand(item.path, item.depth as number);
      if ("value" in item) out[String(p)] = item.value;
    }
    return out;
  });
}

export async function stateOf(port: number, flags: Msg = { nodes: true, known: true, deleted: true, missing: true }): Promise<Msg> {
  return withClient(port, (c) => c.request("get_state", flags));
}

/** A value of exactly `size` bytes of UTF-8 text, different per label. */
export function valueOf(label: string, size: number): string {
  const head = `${label}:${size}:`;
  if (size <= head.length) return head.slice(0, size);
  let body = "";
  for (let i = 0; body.length < size - head.length; i++) body += String.fromCharCode(97 + ((i * 7 + label.length) % 26));
  return head + body.slice(0, size - head.length);
}

/** Describe how each member's data differs from `want`, for failure messages. */
export function diffData(want: Record<string, unknown>, got: Record<string, unknown>): string {
  const out: string[] = [];
  for (const k of Object.keys(want)) {
    if (!(k in got)) out.push(`lacks ${k}`);
    else if (got[k] !== want[k]) out.push(`${k} differs (${String(got[k]).length} vs ${String(want[k]).length} chars)`);
  }
  for (const k of Object.keys(got)) if (!(k in want)) out.push(`extra ${k}`);
  return out.join(", ");
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Poll `check` (a description of what is still wrong, "" when all is well) until it holds;
 * fail with the last description and the members' logs after `ms`.
 */
export async function eventually(check: () => Promise<string>, ms: number, members: Member[] = []): Promise<void> {
  const until = Date.now() + ms;
  let last = "";
  for (;;) {
    try {
      last = await check();
    } catch (e) {
      last = `check failed: ${(e as Error).message}`;
    }
    if (last === "") return;
    if (Date.now() > until) {
      const logs = members.map((m) => `--- ${m.name} (port ${m.port}) log:\n${m.log()}`).join("\n");
      throw new Error(`not reached within ${ms} ms: ${last}\n${logs}`);
    }
    await sleep(250);
  }
}
