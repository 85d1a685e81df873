// One entry of the internal tree (upstream's paths below None: the deleter list `actor del`,
// the auth records `auth …`), read and written as upstream's get_internal / set_internal /
// delete_internal do: the value, the chain as asked, and upstream's optimistic chain check
// (chain: null means "must not exist yet"). Internal entries are entries like any other:
// gossiped as updates with a path starting with null, saved in state files.

import { MessageError } from "../core/errors.js";
import { sameHead, toWire } from "../node/chain.js";
import { encodeValue } from "../wire/codec.js";
import { fieldChain } from "../wire/parse.js";
import { Path, type PathElement } from "../wire/path.js";
import { chainLimit, type Msg } from "./handler.js";
import type { ClientSession } from "./session.js";

/** The store path of an internal-tree path as a client names it (without the leading null). */
export function internalPath(p: unknown, action: string): Path {
  if (p instanceof Path) return new Path([null, ...p.elements]);
  if (Array.isArray(p)) return new Path([null, ...(p as PathElement[])]);
  throw new MessageError(`${action}: path ${p === undefined ? "(none)" : JSON.stringify(p)} is not a Path`, "path");
}

/** How an internal path reads in errors: `actor/del`. */
export function showInternal(path: Path): string {
  return path.elements.slice(1).map(String).join("/");
}

/** The entry's value, chain (as asked) and tock, as upstream's get_value; undefined when absent. */
export function getInternalEntry(s: ClientSession, path: Path, msg: Msg): Msg | undefined {
  const e = s.node.store.get(path);
  if (!e) return undefined;
  const limit = chainLimit(msg, 0);
  const out: Msg = {};
  if (!e.deleted) out.value = e.value;
  if (limit > 0) out.chain = toWire(e.links, e.ended, limit);
  out.tock = e.tock;
  return out;
}

function checkChain(s: ClientSession, path: Path, msg: Msg, action: string): void {
  if (!("chain" in msg)) return;
  const cur = s.node.store.get(path);
  const live = cur && !cur.deleted ? cur : undefined;
  if (msg.chain === null || msg.chain === undefined) {
    if (live) throw new MessageError(`Entry already exists at ${showInternal(path)}`, "chain");
  } else {
    if (!cur) throw new MessageError(`Entry is new at ${showInternal(path)}`, "chain");
    const want = fieldChain(action, msg.chain, "chain");
    if (!sameHead(cur.links, want)) throw new MessageError(`Chain is ${cur.links[0]!.node}:${cur.links[0]!.tick} not ${want[0]!.node}:${want[0]!.tick} for ${showInternal(path)}`, "chain");
  }
}

/** Write `value` at an internal path (set_internal's reply: changed, prev, chain, tock). */
export function setInternalEntry(s: ClientSession, path: Path, value: unknown, msg: Msg, action = "set_internal"): Msg {
  checkChain(s, path, msg, action);
  const cur = s.node.store.get(path);
  const live = cur && !cur.deleted ? cur : undefined;
  const r = s.node.set(path, value);
  const e = s.node.store.get(path)!;
  const out: Msg = { changed: !live || !Buffer.from(encodeValue(live.value)).equals(Buffer.from(encodeValue(value))) };
  if (live && !("chain" in msg)) out.prev = live.value;
  const limit = chainLimit(msg, 1);
  if (limit > 0) out.chain = toWire(e.links, e.ended, limit);
  out.tock = r.tock;
  return out;
}

/** Delete the entry at an internal path (delete_internal's reply: changed, prev, chain, tock). */
export function deleteInternalEntry(s: ClientSession, path: Path, msg: Msg): Msg {
  checkChain(s, path, msg, "delete_internal");
  const cur = s.node.store.get(path);
  const live = cur && !cur.deleted ? cur : undefined;
  const r = s.node.delete(path);
  const e = s.node.store.get(path)!;
  const out: Msg = { changed: r.changed };
  if (live && !("chain" in msg)) out.prev = live.value;
  const limit = chainLimit(msg, 1);
  if (limit > 0) out.chain = toWire(e.links, e.ended, limit);
  out.tock = r.tock;
  return out;
}
