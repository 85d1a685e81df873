// The client protocol's actions: one handler per `action`, shared by every carrier.
// A handler returns the reply (seq and tock are added by the session) or opens a stream.
// Data actions go through the node, which refuses them in maintainer-only mode; state and
// repair actions (get_state, fake_info, fake_info_send) always work.

import { MessageError, show } from "../core/errors.js";
import { checkTick } from "../core/tick.js";
import type { Entry } from "../node/entry-store.js";
import { toWire, sameHead } from "../node/chain.js";
import { encodeValue } from "../wire/codec.js";
import type { InfoMessage, StateFlags } from "../wire/messages.js";
import { fieldChain, fieldString } from "../wire/parse.js";
import { Path, type PathElement } from "../wire/path.js";
import { PathShortener } from "../wire/relative-path.js";
import { delete_tree } from "./delete-tree.js";
import { enum_ } from "./enum.js";
import { msg_send } from "./msg-send.js";
import { chainLimit, type Handler, type Msg } from "./handler.js";
import type { ClientSession } from "./session.js";
import { hasNode, treeNodes } from "./tree-nodes.js";
import { INTERNAL_ACTIONS } from "./internal-actions.js";
import { check_deleted } from "./check-deleted.js";
import { AUTH_ACTIONS } from "./auth/auth-actions.js";

export type { Handler } from "./handler.js";

function pathOf(msg: Msg, action: string): Path {
  const p = msg.path;
  if (p instanceof Path) return p;
  if (Array.isArray(p)) return new Path(p as PathElement[]);
  if (p === undefined) throw new MessageError(`${action}: no path; expected path (a Path)`, "path");
  throw new MessageError(`${action}: path ${show(p)} is not a Path`, "path");
}


/** An entry's data as upstream sends it: value (unless deleted), chain (if asked), tock. */
function entryData(e: Entry, limit: number): Msg {
  const out: Msg = {};
  if (!e.deleted) out.value = e.value;
  if (limit > 0) out.chain = toWire(e.links, e.ended, limit);
  out.tock = e.tock;
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return Buffer.from(encodeValue(a)).equals(Buffer.from(encodeValue(b)));
}

const STATE_FLAGS = ["nodes", "known", "superseded", "present", "deleted", "missing", "remote_missing", "node_drop"] as const;

const get_state: Handler = (s, msg) => {
  const flags: StateFlags = {};
  for (const f of STATE_FLAGS) if (msg[f] === true) flags[f] = true;
  const { node, tock, ...state } = s.node.getState(flags) as unknown as Msg;
  // upstream answers `debug` with an empty map (its debugging info is a TODO)
  // and `debugger` with what a server without its remote debugger (pdb_clone) says
  return { ...state, ...(msg.debug === true ? { debug: {} } : {}), ...(msg.debugger === true ? { debugger: "Import error" } : {}), node, tock };
};

const get_value: Handler = (s, msg) => {
  const limit = chainLimit(msg);
  if (msg.path === undefined && msg.node !== undefined) {
    const node = fieldString("get_value", msg.node, "node");
    const tick = checkTick(msg.tick, "get_value", "tick");
    const e = s.node.entryByTick(node, tick);
    if (!e) throw new MessageError(`get_value: no entry holds tick ${tick} of node ${show(node)}`, "tick");
    const { tock, ...data } = entryData(e, limit);
    return { ...data, tock, path: e.path }; // upstream's key order
  }
  const nothing = limit > 0 ? { chain: null } : {};
  // upstream answers a path that is not one (a string, a number) as it answers an absent entry
  if (msg.path !== undefined && !(msg.path instanceof Path) && !Array.isArray(msg.path)) return nothing;
  const path = pathOf(msg, "get_value");
  const e = s.node.entryAt(path);
  if (e) return entryData(e, limit); // a deleted entry answers its chain and tock
  // an empty parent of deeper entries is a node upstream: it answers only a tock
  return hasNode(s.node.store, path) ? { tock: s.node.ledger.nextTock() } : nothing;
};

/** Upstream's optimistic checks: prev (value) and chain (the newest link) must match. */
function checkExpectations(s: ClientSession, path: Path, msg: Msg): Entry | undefined {
  const cur = s.node.get(path);
  if ("prev" in msg && !(cur && same(cur.value, msg.prev))) {
    throw new MessageError(`Data is ${show(cur?.value)} not ${show(msg.prev)} at ${path}`, "prev");
  }
  if ("chain" in msg) {
    if (msg.chain === null || msg.chain === undefined) {
      if (cur) throw new MessageError(`Entry already exists at ${path}`, "chain");
    } else {
      if (!cur) throw new MessageError(`Entry is new at ${path}`, "chain");
      const want = fieldChain("set_value", msg.chain, "chain");
      if (!sameHead(cur.links, want)) {
        throw new MessageError(`Chain is ${cur.links[0]!.node}:${cur.links[0]!.tick} not ${want[0]!.node}:${want[0]!.tick} for ${path}`, "chain");
      }
    }
  }
  return cur;
}

const set_value: Handler = (s, msg) => {
  const path = pathOf(msg, "set_value");
  if (!("value" in msg)) throw new MessageError("set_value: no value; use delete_value to delete", "value");
  const limit = chainLimit(msg, 1);
  if (msg.idem) {
    // before prev and chain are checked, and in upstream's key order; nchain -1 gives no chain here
    const cur = s.node.get(path);
    if (cur && same(cur.value, msg.value)) return { tock: cur.tock, changed: false, ...(typeof msg.nchain !== "number" || msg.nchain > 0 ? { chain: toWire(cur.links, cur.ended, limit) } : {}) };
  }
  const cur = checkExpectations(s, path, msg);
  const r = s.node.set(path, msg.value);
  const out: Msg = { changed: !cur || !same(cur.value, msg.value) };
  if (cur && !("prev" in msg) && !("chain" in msg)) out.prev = cur.value;
  if (limit > 0) {
    const e = s.node.store.get(path)!;
    out.chain = toWire(e.links, e.ended, limit);
  }
  out.tock = r.tock;
  return out;
};

const delete_value: Handler = (s, msg) => {
  const path = pathOf(msg, "delete_value");
  if ("value" in msg) throw new MessageError("delete_value: a value was given; use set_value to set", "value");
  const limit = chainLimit(msg, 1);
  const cur = checkExpectations(s, path, msg);
  const r = s.node.delete(path); // spends a tick even when there is nothing to delete, as upstream
  const out: Msg = { changed: r.changed };
  if (cur && !("prev" in msg) && !("chain" in msg)) out.prev = cur.value;
  if (limit > 0) {
    const e = s.node.store.get(path)!;
    out.chain = toWire(e.links, e.ended, limit);
  }
  out.tock = r.tock;
  return out;
};

function depthBounds(msg: Msg): [number, number] {
  const min = typeof msg.min_depth === "number" ? msg.min_depth : 0;
  const max = typeof msg.max_depth === "number" && msg.max_depth >= 0 ? msg.max_depth : Infinity;
  return [min, max];
}

const get_tree: Handler = (s, msg, seq) => {
  const st = s.stream(seq); // as upstream, even a bad request gets a stream (start, error, end)
  const path = pathOf(msg, "get_tree");
  const limit = chainLimit(msg);
  const [min, max] = depthBounds(msg);
  const entries = s.node.tree(path);
  if (!hasNode(s.node.store, path)) throw new MessageError(`get_tree: nothing at or below ${path}`, "path");
  const short = new PathShortener(path);
  const send = (p: Path, data: Msg) => {
    const depth = p.length - path.length;
    if (depth < min || depth > max) return;
    const rel = short.shorten(p);
    st.item({ ...data, path: rel.path, depth: rel.depth });
  };
  // paced: a large tree goes out as the client reads it
  if (msg.empty) {
    // also the nodes without a value: tombstones (their chain and tock), empty parents (the
    // tock they were created with), in upstream's tree order
    void st.pump(s.node.store.walk(path), ({ path: p, entry: e, tock }) => send(p, e ? entryData(e, limit) : { tock }));
  } else void st.pump(entries, (e) => send(e.path, entryData(e, limit)));
};

const watch: Handler = (s, msg, seq) => {
  const st = s.stream(seq); // as upstream, even a bad request gets a stream (start, error, end)
  const path = pathOf(msg, "watch");
  const limit = chainLimit(msg);
  const [min, max] = depthBounds(msg);
  const existing = s.node.tree(path);
  s.node.store.touch(path); // upstream creates the watched path as an empty node
  const initial = msg.fetch ? existing : [];
  const short = new PathShortener(path);
  const send = (e: Entry) => {
    const depth = e.path.length - path.length;
    if (depth < min || depth > max) return;
    const rel = short.shorten(e.path);
    st.item({ ...entryData(e, limit), path: rel.path, depth: rel.depth });
  };
  for (const e of initial) send(e);
  if (msg.fetch) st.state("uptodate");
  st.onStop(s.node.on("entry", (e) => {
    if (e.path.startsWith(path)) send(e);
  }));
};

const stop: Handler = (s, msg) => {
  const task = msg.task;
  if (task === undefined) throw new MessageError("stop: no task; expected the seq of a running request", "task");
  const st = typeof task === "number" ? s.streams.get(task) : undefined;
  if (!st) return { result: false };
  st.end();
  return { result: true };
};

const get_tock: Handler = (s) => ({ tock: s.node.ledger.nextTock() });

/** The request minus protocol fields: what fake_info applies or fake_info_send broadcasts. */
function infoBody(msg: Msg): InfoMessage {
  const { action: _a, seq: _s, ...body } = msg;
  return body as InfoMessage;
}

const fake_info: Handler = (s, msg) => {
  s.node.fakeInfo(infoBody(msg));
  return {};
};

const fake_info_send: Handler = (s, msg) => {
  s.node.fakeInfoSend(infoBody(msg));
  return {};
};

const enum_node: Handler = (s, msg) => {
  const node = fieldString("enum_node", msg.node, "node");
  const max = typeof msg.max === "number" && msg.max > 0 ? msg.max : Infinity;
  return { result: s.node.enumNode(node, !!msg.current).slice(0, max) };
};

const kill_node: Handler = (s, msg) => {
  s.node.killNode(fieldString("kill_node", msg.node, "node"));
  return {};
};

const save: Handler = (s, msg) => {
  const file = fieldString("save", msg.path, "path");
  s.node.saveSnapshot(file);
  return { result: true };
};

const log: Handler = (s, msg) => {
  if (msg.path === undefined || msg.path === null) {
    s.node.stopLog();
    return { result: true };
  }
  s.node.logTo(fieldString("log", msg.path, "path"), msg.fetch === true); // entries only with fetch, as upstream
  return { result: true };
};

const ping: Handler = () => ({ result: "pong" });

/** Every action this server answers; anything else gets an error naming these. */
export const ACTIONS: Readonly<Record<string, Handler>> = Object.freeze({
  get_state, get_value, set_value, delete_value, delete_tree, get_tree, watch, stop, get_tock,
  enum: enum_, fake_info, fake_info_send, enum_node, kill_node, save, log, msg_send, ping,
  check_deleted, ...INTERNAL_ACTIONS, ...AUTH_ACTIONS,
});
