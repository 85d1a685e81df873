// How the CLI prints: data on stdout (YAML like upstream's CLI, or JSON), logs and errors on
// stderr. YAML follows upstream's yprint: keys sorted, sequences not indented under their key,
// so a RangeSet prints as `- 1` and `- - 3` / `  - 10`.
import { stringify } from "yaml";

export function toYaml(value: unknown): string {
  return stringify(value, {
    sortMapEntries: true,
    indentSeq: false,
    // bigints print as plain integers
    intAsBigInt: false,
  });
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v), 2);
}
