// The one internal entry ticktock keeps: upstream's Deleter list at (None, "actor", "del"),
// {nodes: [...]}, which upstream's `internal deleter` reads (get_internal) and writes
// (set_internal) and the Delete actor follows. It is an entry like any other: gossiped as an
// update with the path [null, "actor", "del"], saved in state files; data reads of the root
// leave it out, as upstream's data tree does.

import { MessageError } from "../core/errors.js";
import { sameHead, toWire } from "../node/chain.js";
import { DELETER_PATH } from "../node/node-deleter.js";
import { encodeValue } from "../wire/codec.js";
import { fieldChain } from "../wire/parse.js";
import { Path, type PathElement } from "../wire/path.js";
import { chainLimit } from "./handler.js";
import type { ClientSession } from "./session.js";

type Msg = Record<string, unknown>;

/** Whether an internal-tree path (as get_internal gets it) names the deleter list. */
export function isDeleterList(p: unknown): boolean {
  const els = p instanceof Path ? p.elements : Array.isArray(p) ? (p as PathElement[]) : undefined;
  return !!els && new Path([null, ...els]).key === DELETER_PATH.key;
}


/** get_internal of `actor del`: its value, chain (as asked) and tock, as upstream's get_value; undefined when absent. */
export function getDeleterList(s: ClientSession, msg: Msg): Msg | undefined {
  const e = s.node.store.get(DELETER_PATH);
  if (!e) return undefined;
  const limit = chainLimit(msg, 0);
  const out: Msg = {};
  if (!e.deleted) out.value = e.value;
  if (limit > 0) out.chain = toWire(e.links, e.ended, limit);
  out.tock = e.tock;
  return out;
}

/** set_internal of `actor del`, with upstream's chain check (chain: null means "must not exist yet"). */
export function setDeleterList(s: ClientSession, msg: Msg): Msg {
  if (!("value" in msg)) throw new MessageError("set_internal: no value; use delete_internal to delete", "value");
  const cur = s.node.store.get(DELETER_PATH);
  const live = cur && !cur.deleted ? cur : undefined;
  if ("chain" in msg) {
    if (msg.chain === null || msg.chain === undefined) {
      if (live) throw new MessageError("Entry already exists at actor/del", "chain");
    } else {
      if (!cur) throw new MessageError("Entry is new at actor/del", "chain");
      const want = fieldChain("set_internal", msg.chain, "chain");
      if (!sameHead(cur.links, want)) throw new MessageError(`Chain is ${cur.links[0]!.node}:${cur.links[0]!.tick} not ${want[0]!.node}:${want[0]!.tick} for actor/del`, "chain");
    }
  }
  const before = live?.value;
  const r = s.node.set(DELETER_PATH, msg.value);
  const e = s.node.store.get(DELETER_PATH)!;
  const out: Msg = { changed: !live || !Buffer.from(encodeValue(before)).equals(Buffer.from(encodeValue(msg.value))) };
  if (live && !("chain" in msg)) out.prev = live.value;
  const limit = chainLimit(msg, 1);
  if (limit > 0) out.chain = toWire(e.links, e.ended, limit);
  out.tock = r.tock;
  return out;
}
