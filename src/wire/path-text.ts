// Paths as text, in upstream's syntax (moat.util's Path):
//
//   one.two.three     ("one", "two", "three")
//   :                 the empty path
//   a:1  a:t :n.b     ("a", 1), ("a", true), (null, "b"): an element starting with ":" is typed
//                     and needs no dot before it
//   ::  :.  :_        a literal ":", "." and space inside a string element
//   :e                the empty string; :xFF / :b101 integers in hex / binary
//   :vASCII :yHEX :sB64   bytes
//
// parsePath throws a PathSyntaxError that shows where the text went wrong.

import { TicktockError } from "../core/errors.js";
import { Path, type PathElement } from "./path.js";

export class PathSyntaxError extends TicktockError {
  constructor(text: string, at: number, why: string) {
    super("ERR_MESSAGE", `path ${JSON.stringify(text)}: ${why} at position ${at}`);
  }
}

export function parsePath(text: string): Path {
  if (text === ":") return new Path();
  if (text === "") throw new PathSyntaxError(text, 0, "empty text; use ':' for the empty path");
  const out: PathElement[] = [];
  let cur: string | undefined; // the string element being built
  let i = 0;
  const endString = () => {
    if (cur !== undefined) out.push(cur);
    cur = undefined;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === ".") {
      if (cur === undefined && (i === 0 || text[i - 1] === ".")) throw new PathSyntaxError(text, i, "empty element");
      endString();
      i++;
      if (i === text.length) throw new PathSyntaxError(text, i, "path ends with a dot");
      continue;
    }
    if (c !== ":") {
      cur = (cur ?? "") + c;
      i++;
      continue;
    }
    const k = text[i + 1];
    if (k === ":" || k === "." || k === "_") {
      cur = (cur ?? "") + (k === "_" ? " " : k);
      i += 2;
      continue;
    }
    if (k === undefined) throw new PathSyntaxError(text, i, "':' at the end");
    // a typed element: runs to the next "." or ":"
    endString();
    let j = i + 2;
    while (j < text.length && text[j] !== "." && text[j] !== ":") j++;
    const body = text.slice(i + 2, j);
    out.push(typedElement(text, i, k, body));
    i = j;
    if (text[i] === ".") {
      i++;
      if (i === text.length) throw new PathSyntaxError(text, i, "path ends with a dot");
    }
  }
  endString();
  return new Path(out);
}

function typedElement(text: string, at: number, kind: string, body: string): PathElement {
  const fixed: Record<string, PathElement> = { t: true, f: false, n: null, e: "" };
  if (kind in fixed) {
    if (body !== "") throw new PathSyntaxError(text, at, `":${kind}" takes nothing after it`);
    return fixed[kind]!;
  }
  const int = (s: string, radix: number, re: RegExp) => {
    if (!re.test(s)) throw new PathSyntaxError(text, at, `"${s}" is not a number`);
    const v = BigInt(radix === 16 ? `0x${s}` : radix === 2 ? `0b${s}` : s);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  switch (kind) {
    case "x":
      return int(body, 16, /^[0-9a-fA-F]+$/);
    case "b":
      return int(body, 2, /^[01]+$/);
    case "v":
      return new TextEncoder().encode(body);
    case "y":
      if (!/^([0-9a-fA-F]{2})*$/.test(body)) throw new PathSyntaxError(text, at, `"${body}" is not hex bytes`);
      return Uint8Array.from(body.match(/../g) ?? [], (h) => parseInt(h, 16));
    case "s":
      return Uint8Array.from(atob(body), (ch) => ch.charCodeAt(0));
    case "i":
      return int(body, 10, /^-?\d+$/);
    default: {
      const s = kind + body;
      if (/^-?\d+$/.test(s)) return int(s, 10, /^-?\d+$/);
      throw new PathSyntaxError(text, at, `unknown element ":${kind}" (expected :t :f :n :e :x :b :v :y :s or a number)`);
    }
  }
}

/** Upstream's text form of a path (the inverse of parsePath). */
export function formatPath(path: Path): string {
  if (path.length === 0) return ":";
  let s = "";
  path.elements.forEach((e, i) => {
    if (typeof e === "string") {
      if (e === "") {
        s += ":e";
        return;
      }
      if (i > 0) s += ".";
      s += e.replace(/:/g, "::").replace(/\./g, ":.").replace(/ /g, ":_");
    } else if (e === true) s += ":t";
    else if (e === false) s += ":f";
    else if (e === null) s += ":n";
    else if (typeof e === "number" || typeof e === "bigint") s += `:${e}`;
    else if (e instanceof Uint8Array) s += `:y${[...e].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
    else s += `:${JSON.stringify(e)}`;
  });
  return s;
}
