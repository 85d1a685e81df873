// Every error ticktock throws on purpose. Each class has a stable `code` for programs and a
// message for people, in the form
//   <api>: <what> <offending value> at <where>; expected <rule>

export type TicktockErrorCode =
  | "ERR_NOT_LOADED"
  | "ERR_TICK"
  | "ERR_RANGE_STATE"
  | "ERR_DISPOSED"
  | "ERR_MESSAGE"
  | "ERR_NOT_SERVING"
  | "ERR_CORE";

export class TicktockError extends Error {
  readonly code: TicktockErrorCode;
  constructor(code: TicktockErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A tick that is not an integer in [0, 2^64 - 1] (or an end beyond 2^64). */
export class TickError extends TicktockError {
  constructor(message: string) {
    super("ERR_TICK", message);
  }
}

/** A RangeSet wire state that is not a list of ticks and [a, b] pairs. */
export class RangeStateError extends TicktockError {
  /** Index of the offending item, or -1 when the state itself is wrong. */
  readonly index: number;
  constructor(message: string, index: number) {
    super("ERR_RANGE_STATE", message);
    this.index = index;
  }
}

/** A RangeSet used after dispose(). */
export class DisposedError extends TicktockError {
  constructor(api: string) {
    super("ERR_DISPOSED", `${api}: this RangeSet was disposed; its memory is gone`);
  }
}

/** A wire message (update, info, get_state request) with a missing or ill-typed field. */
export class MessageError extends TicktockError {
  /** The field path, e.g. "missing.ghost" or "chain.prev.tick". */
  readonly field: string;
  constructor(message: string, field: string) {
    super("ERR_MESSAGE", message);
    this.field = field;
  }
}

/** A data request refused because the node is not serving data (maintainer-only, or starting). */
export class NotServingError extends TicktockError {
  constructor(message: string) {
    super("ERR_NOT_SERVING", message);
  }
}

/** Show a value in an error message: bigints with "n", strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "undefined";
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  try {
    const s = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}
