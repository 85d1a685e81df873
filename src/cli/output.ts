// How the CLI prints: data on stdout (YAML like upstream's CLI, or JSON), logs and errors on
// stderr. YAML follows upstream's yprint: block style, sequences not indented under their key,
// so a RangeSet prints as `- 1` and `- - 3` / `  - 10`. State is printed with keys sorted (as
// upstream's safe dumper does); data keeps its own key order.
import { stringify } from "yaml";
import { Path } from "../wire/path.js";
import { formatPath } from "../wire/path-text.js";

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return v;
  if (v instanceof Path) return formatPath(v);
  if (v instanceof Uint8Array) return `b'${[...v].map((b) => (b >= 32 && b < 127 && b !== 39 && b !== 92 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("")}'`;
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export function toYaml(value: unknown, opts: { sort?: boolean } = {}): string {
  return stringify(plain(value), { sortMapEntries: opts.sort ?? false, indentSeq: false });
}

export function toJson(value: unknown): string {
  return JSON.stringify(plain(value), (_k, v) => (typeof v === "bigint" ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v), 2);
}

/** A value the way upstream's `data PATH get` prints it: Python's repr for text, YAML for the rest. */
export function formatValue(v: unknown): string {
  if (typeof v === "string") return pyRepr(v);
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v === null) return "None";
  if (v instanceof Uint8Array) return plain(v) as string;
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
