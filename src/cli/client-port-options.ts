// The command-line side of what a node's client ports let in (server/limits.ts, ws-server.ts):
// --ws-origin, --max-message, --max-connections, --idle-timeout.

import { InvalidArgumentError, type Command } from "commander";
import { DEFAULT_LIMITS, type ServerLimits } from "../server/limits.js";
import { originOf } from "../server/web-origin.js";
import { intOption } from "./process.js";

/** Where `ticktock inspect` serves its page by default: the web origins a node lets in unless told otherwise. */
export const INSPECTOR_ORIGINS = ["http://127.0.0.1:8080", "http://localhost:8080"] as const;

export interface ClientPortOptions {
  wsOrigin?: string[];
  maxMessage: number;
  maxConnections: number;
  idleTimeout: number;
}

function originEntry(v: string, prev: string[] | undefined): string[] {
  if (v === "*") return [...(prev ?? []), "*"];
  try {
    return [...(prev ?? []), originOf(v)];
  } catch (e) {
    throw new InvalidArgumentError(`--ws-origin: ${(e as Error).message}, or * for every page`);
  }
}

export function addClientPortOptions(cmd: Command): Command {
  return cmd
    .option("--ws-origin <origin>", `a web page origin allowed to use the WebSocket port (repeatable; * for any page; default: the inspector at ${INSPECTOR_ORIGINS.join(" or ")}). Clients that send no Origin (the CLI, edge functions) are always let in`, originEntry)
    .option("--max-message <bytes>", "largest message a client or the gossip may send, refused from its header", intOption("--max-message", 1024, 1 << 30), DEFAULT_LIMITS.maxMessage)
    .option("--max-connections <n>", "open connections per client port", intOption("--max-connections", 1, 1_000_000), DEFAULT_LIMITS.maxConnections)
    .option("--idle-timeout <seconds>", "close a connection without requests or a running watch after this long (0: never)", intOption("--idle-timeout", 0, 7 * 24 * 3600), DEFAULT_LIMITS.idleTimeout / 1000);
}

/** The limits and the allowed origins the options ask for. */
export function clientPortSettings(o: ClientPortOptions): { limits: Partial<ServerLimits>; origins: readonly string[] | "*" } {
  const origins = o.wsOrigin ?? [...INSPECTOR_ORIGINS];
  return {
    limits: { maxMessage: o.maxMessage, maxConnections: o.maxConnections, idleTimeout: o.idleTimeout * 1000, maxQueued: Math.max(DEFAULT_LIMITS.maxQueued, 4 * o.maxMessage) },
    origins: origins.includes("*") ? "*" : origins,
  };
}
