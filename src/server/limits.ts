// What one client may cost a node, on the TCP and WebSocket client ports: the size of one
// message, the bytes queued to a client that does not read, how many connections, how long an
// idle one stays. Each refusal is an error to the client where it can still be told, and one
// line in the node's log; every other client is served on.

import { DEFAULT_MAX_MESSAGE } from "../wire/message-framer.js";

export interface ServerLimits {
  /** Bytes of one message from a client; refused from its header (default 16 MiB). */
  maxMessage: number;
  /** Bytes queued to one client before it counts as not reading and is cut off (default 64 MiB). */
  maxQueued: number;
  /** Open connections on one port (default 256); more are told so and closed. */
  maxConnections: number;
  /** Milliseconds without a request and without a running stream (a watch) before a connection is closed (default 10 min; 0: never). */
  idleTimeout: number;
}

export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxMessage: DEFAULT_MAX_MESSAGE,
  maxQueued: 64 * 1024 * 1024,
  maxConnections: 256,
  idleTimeout: 10 * 60 * 1000,
});

/**
 * Output of a long reply (get_tree, a watch's first fetch) waits while more than this (or a
 * quarter of maxQueued, if less) is queued to the client, so that a large reply to a client that
 * reads never reaches maxQueued.
 */
export const PACE_BYTES = 1024 * 1024;

export const paceFor = (l: ServerLimits): number => Math.min(PACE_BYTES, Math.floor(l.maxQueued / 4));

/** The defaults with the given limits, each checked. */
export function limitsWith(given: Partial<ServerLimits> = {}): ServerLimits {
  const l = { ...DEFAULT_LIMITS, ...given };
  for (const [k, v] of Object.entries(l) as [keyof ServerLimits, number][]) {
    const min = k === "idleTimeout" ? 0 : 1;
    if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`server limits: ${k} ${String(v)} is not a whole number >= ${min}`);
  }
  return l;
}

/** "10 min", "30 s", "300 ms": a duration for a log line. */
export function showDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/**
 * Closes a connection that has been idle (no request, no running stream) for `ms`: `touch()` on
 * every request; `busy()` says whether a stream runs, which keeps it open.
 */
export class IdleTimer {
  #timer: ReturnType<typeof setTimeout> | undefined;
  constructor(readonly ms: number, readonly busy: () => boolean, readonly expire: () => void) {
    this.touch();
  }

  touch(): void {
    if (this.ms <= 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => (this.busy() ? this.touch() : this.expire()), this.ms);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
