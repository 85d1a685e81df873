// Tick values: numbers while they are safe integers, bigints beyond 2^53 - 1.
//
// Ticks are 63-bit on MoaT-KV's wire and u64 in the core. JavaScript numbers are exact only up to
// 2^53 - 1, so the API takes and gives `number | bigint`: ordinary ticks stay numbers (fast), and
// values up to 2^64 - 1 round-trip exactly as bigints. Every tick that leaves ticktock is
// normalised by `tickOut`: a number when it is safe, else a bigint, so `===` compares them.

import { TickError, show } from "./errors.js";

export type Tick = number | bigint;

export const MAX_TICK = (1n << 64n) - 1n;
/** The exclusive end of a range that holds MAX_TICK. */
export const END_OF_TICKS = 1n << 64n;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** Normalise a bigint or number result: number when safe, else bigint. */
export function tickOut(v: Tick): Tick {
  if (typeof v === "bigint") return v <= MAX_SAFE_BIG ? Number(v) : v;
  return v;
}

/** Whether a value is a valid tick (non-negative integer <= 2^64 - 1), of either type. */
export function isTick(v: unknown): v is Tick {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0;
  if (typeof v === "bigint") return v >= 0n && v <= MAX_TICK;
  return false;
}

/** Validate and normalise a tick; `limit` is the largest allowed value (MAX_TICK, or 2^64 for ends). */
export function checkTick(v: unknown, api: string, what: string, limit: bigint = MAX_TICK): Tick {
  if (typeof v === "number") {
    if (Number.isSafeInteger(v) && v >= 0) return v;
    if (Number.isInteger(v) && v > 0) {
      throw new TickError(`${api}: ${what} ${show(v)} is above 2^53 - 1 and not exact as a number; pass it as a bigint`);
    }
    throw new TickError(`${api}: ${what} ${show(v)} is not a tick; expected an integer in [0, ${limit}]`);
  }
  if (typeof v === "bigint") {
    if (v >= 0n && v <= limit) return tickOut(v);
    throw new TickError(`${api}: ${what} ${show(v)} is out of range; expected an integer in [0, ${limit}]`);
  }
  throw new TickError(`${api}: ${what} ${show(v)} is not a tick; expected an integer in [0, ${limit}]`);
}

/** The larger of two ticks. */
export function tickMax(a: Tick, b: Tick): Tick {
  return a < b ? b : a;
}

/** t + 1, normalised (becomes a bigint past 2^53 - 1). */
export function tickSucc(t: Tick): Tick {
  if (typeof t === "number") return t < Number.MAX_SAFE_INTEGER ? t + 1 : BigInt(t) + 1n;
  return t + 1n;
}
