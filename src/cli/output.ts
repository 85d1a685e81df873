// How the CLI prints: data on stdout (YAML like upstream's CLI, or JSON), logs and errors on
// stderr. YAML follows upstream's yprint (ruamel's safe dumper with moat.util's representers):
// block style, keys sorted, sequences not indented under their key (a RangeSet prints as `- 1`
// and `- - 3` / `  - 10`), single quotes where quoting is needed, multi-line text as `|-`, a
// Path as `!P one.two` (also as a key), bytes as `!bin text` (ASCII), `!hex 01:02` (short) or
// `!!binary` (base64).
import { Scalar, stringify, type Tags } from "yaml";
import { Path } from "../wire/path.js";
import { formatPath } from "../wire/path-text.js";

function isAscii(b: Uint8Array): boolean {
  return b.every((c) => c < 128);
}

const TAGS: Tags = [
  { tag: "!P", identify: (v) => v instanceof Path, resolve: (s: string) => s, stringify: (item) => formatPath((item as Scalar<Path>).value) },
  {
    tag: "!bin", identify: (v) => v instanceof Uint8Array && isAscii(v), resolve: (s: string) => s,
    stringify: (item) => Buffer.from((item as Scalar<Uint8Array>).value).toString("latin1"),
  },
  {
    tag: "!hex", identify: (v) => v instanceof Uint8Array && !isAscii(v) && v.length < 33, resolve: (s: string) => s,
    stringify: (item) => [...(item as Scalar<Uint8Array>).value].map((c) => c.toString(16).padStart(2, "0")).join(":"),
  },
  {
    tag: "tag:yaml.org,2002:binary", identify: (v) => v instanceof Uint8Array, resolve: (s: string) => s,
    stringify: (item) => Buffer.from((item as Scalar<Uint8Array>).value).toString("base64"),
  },
];

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return v;
  if (v instanceof Path) return formatPath(v);
  if (v instanceof Uint8Array) return pyBytes(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Python's repr of bytes: b'ab\x00'. */
function pyBytes(v: Uint8Array): string {
  return `b'${[...v].map((b) => (b >= 32 && b < 127 && b !== 39 && b !== 92 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("")}'`;
}

/** Text on one line with a control character (a tab): ruamel double-quotes it, with escapes. */
const NEEDS_ESCAPES = /^[^\n]*[\x00-\x08\x09\x0b-\x1f\x7f][^\n]*$/;

function quoteControls(v: unknown): unknown {
  if (typeof v === "string" && NEEDS_ESCAPES.test(v)) return Object.assign(new Scalar(v), { type: Scalar.QUOTE_DOUBLE });
  if (Array.isArray(v)) return v.map(quoteControls);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, quoteControls(x)]));
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, quoteControls(x)]));
  }
  return v;
}

/** YAML as upstream's yprint writes it; `sort: false` keeps a report's own key order. */
export function toYaml(value: unknown, opts: { sort?: boolean } = {}): string {
  return stringify(quoteControls(value), { sortMapEntries: opts.sort ?? true, indentSeq: false, singleQuote: true, customTags: TAGS });
}

export function toJson(value: unknown): string {
  return JSON.stringify(plain(value), (_k, v) => (typeof v === "bigint" ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v), 2);
}

/** A value the way upstream's `data PATH get` prints it: Python's repr for text, bytes, numbers and booleans, YAML for the rest. */
export function formatValue(v: unknown): string {
  if (typeof v === "string") return pyRepr(v);
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v instanceof Uint8Array) return pyBytes(v);
  if (v === null) return "null\n..."; // the YAML document of None, as upstream prints it
  return toYaml(v).trimEnd();
}

/** Python's repr of a str. */
export function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === q) out += `\\${q}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 32 || c === 127) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + q;
}
