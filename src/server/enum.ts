// enum: the names one level below a path (upstream's cmd_enum, what `moat kv data … list`
// and the client library's list() send). Without `with_data`, `{result: [name, …]}` of the
// children that hold a value (all children with `empty`); with `with_data`, `{result: {name:
// value}}` of the children with a value (`empty` adds the others as nil). A path that is no
// node of the tree is an error, as upstream's.

import { MessageError } from "../core/errors.js";
import { Path, type PathElement } from "../wire/path.js";
import type { Handler } from "./handler.js";
import { hasNode, treeNodes } from "./tree-nodes.js";

type Msg = Record<string, unknown>;

export const enum_: Handler = (s, msg) => {
  const p = msg.path;
  if (!(p instanceof Path) && !Array.isArray(p)) throw new MessageError(`enum: path ${String(p)} is not a Path`, "path");
  const path = p instanceof Path ? p : new Path(p as PathElement[]);
  s.node.tree(path); // the serving check
  if (!hasNode(s.node.store, path)) throw new MessageError(`enum: nothing at or below ${path}`, "path");
  const children = treeNodes(s.node.store, path).filter((c) => c.length === path.length + 1);
  const live = (c: Path) => {
    const e = s.node.store.get(c);
    return e && !e.deleted ? e : undefined;
  };
  if (msg.with_data) {
    const out = new Map<PathElement, unknown>();
    for (const c of children) {
      const e = live(c);
      if (e) out.set(c.elements[path.length]!, e.value);
      else if (msg.empty) out.set(c.elements[path.length]!, null);
    }
    const keys = [...out.keys()];
    return { result: keys.every((k) => typeof k === "string") ? Object.fromEntries(out) as Msg : out };
  }
  return { result: children.filter((c) => msg.empty || live(c)).map((c) => c.elements[path.length]!) };
};
