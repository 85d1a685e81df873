// Literal values for `data PATH set -e SUBPATH LITERAL`, as upstream's restricted evaluator
// reads them: numbers, 'strings' or "strings", b'bytes', True/False/None, and (more than
// upstream's evaluator, which has no containers) [lists], (tuples) and {dicts}. Nothing is
// executed; anything else is an error that shows where it went wrong.

export class LiteralError extends Error {}

export function parseLiteral(text: string): unknown {
  let i = 0;
  const fail = (why: string): never => {
    throw new LiteralError(`literal ${JSON.stringify(text)}: ${why} at position ${i}`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === undefined) return fail("value expected");
    if (c === "'" || c === '"') return str(c);
    if (c === "b" && (text[i + 1] === "'" || text[i + 1] === '"')) {
      // bytes, b'ab' (upstream's evaluator gives Python bytes; msgpack bin on the wire)
      i++;
      const t = str(text[i]!);
      if ([...t].some((ch) => ch.charCodeAt(0) > 255)) fail("bytes can only hold characters up to \\xff");
      return Uint8Array.from(t, (ch) => ch.charCodeAt(0));
    }
    if (c === "[" || c === "(") return seq(c === "[" ? "]" : ")");
    if (c === "{") return dict();
    const m = /^(?:-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|True|False|None|-?inf|nan)/.exec(text.slice(i));
    if (!m) return fail("value expected");
    i += m[0].length;
    const w = m[0];
    if (w === "True") return true;
    if (w === "False") return false;
    if (w === "None") return null;
    if (/^-?\d+$/.test(w)) {
      const b = BigInt(w);
      return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    return Number(w.replace("inf", "Infinity"));
  };
  const str = (q: string): string => {
    i++;
    let s = "";
    while (i < text.length && text[i] !== q) {
      if (text[i] === "\\") {
        const e = text[i + 1];
        const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0" };
        if (e === undefined || !(e in map)) fail(`unknown escape \\${e ?? ""}`);
        s += map[e!];
        i += 2;
      } else s += text[i++];
    }
    if (text[i] !== q) fail("unterminated string");
    i++;
    return s;
  };
  const seq = (close: string): unknown[] => {
    i++;
    const out: unknown[] = [];
    ws();
    while (text[i] !== close) {
      out.push(value());
      ws();
      if (text[i] === ",") i++;
      else if (text[i] !== close) fail(`',' or '${close}' expected`);
      ws();
    }
    i++;
    return out;
  };
  const dict = (): Record<string, unknown> => {
    i++;
    const out: Record<string, unknown> = {};
    ws();
    while (text[i] !== "}") {
      const k = value();
      if (typeof k !== "string" && typeof k !== "number") fail("dict keys must be strings or numbers");
      ws();
      if (text[i] !== ":") fail("':' expected");
      i++;
      out[String(k)] = value();
      ws();
      if (text[i] === ",") i++;
      else if (text[i] !== "}") fail("',' or '}' expected");
      ws();
    }
    i++;
    return out;
  };
  const v = value();
  ws();
  if (i < text.length) fail("unexpected text after the value");
  return v;
}
