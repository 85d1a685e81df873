// Relative paths, as upstream writes them in state files, get_tree and watch replies: each
// record's path (relative to a base path) drops the prefix it shares with the previous
// record's, and `depth` says how long that prefix is.
//
//   previous one.two, next one.four  ->  {path: ["four"], depth: 1}
//   previous one.two, next one       ->  {path: [], depth: 1}
//
// A record with depth 0 carries a Path (msgpack ext 3) when the base is the root, as upstream
// does; every other record carries a plain list.

import { Path, type PathElement } from "./path.js";

function sameElement(a: PathElement | undefined, b: PathElement | undefined): boolean {
  return new Path([a as PathElement]).key === new Path([b as PathElement]).key;
}

export class PathShortener {
  #last: readonly PathElement[] = [];
  readonly #base: Path;

  /** Paths are written relative to `base` (the root by default). */
  constructor(base: Path = new Path()) {
    this.#base = base;
  }

  shorten(path: Path): { path: Path | PathElement[]; depth: number } {
    const rel = path.elements.slice(this.#base.length);
    let d = 0;
    while (d < this.#last.length && d < rel.length && sameElement(this.#last[d], rel[d])) d++;
    // as upstream: the same path or an ancestor of the previous one leaves an empty remainder
    this.#last = rel;
    const rest = rel.slice(d);
    return { path: d === 0 && this.#base.length === 0 ? new Path(rest) : rest, depth: d };
  }
}

/** The reading side: rebuild full paths (relative to `base`) from shortened records. */
export class PathExpander {
  #last: readonly PathElement[] = [];
  readonly #base: Path;

  constructor(base: Path = new Path()) {
    this.#base = base;
  }

  /** Returns the full path, or throws a description of what is wrong. */
  expand(path: unknown, depth: unknown): Path {
    const d = depth === undefined || depth === null ? 0 : depth;
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) throw new Error(`depth ${String(d)} is not a count`);
    if (d > this.#last.length) throw new Error(`depth ${d} is deeper than the previous path ${new Path(this.#last)}`);
    const rest = path instanceof Path ? path.elements : path;
    if (!Array.isArray(rest)) throw new Error("path is not a Path or a list");
    const rel = [...this.#last.slice(0, d), ...(rest as PathElement[])];
    this.#last = rel;
    return new Path([...this.#base.elements, ...rel]);
  }
}
