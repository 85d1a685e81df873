// What an action handler is: it gets the session, the request and its seq, and returns the
// reply (seq and tock are added by the session) or opens a stream. actions.ts maps action
// names to handlers; the larger handlers live in files of their own beside it.

import { MessageError, show } from "../core/errors.js";
import type { ClientSession } from "./session.js";

export type Msg = Record<string, unknown>;
export type Handler = (s: ClientSession, msg: Msg, seq: number) => Msg | void;

/**
 * nchain: 0/false no chain, -1 the whole chain, n > 0 that many links; absent: `absent` links
 * (0 for reads; 1 for set_value and delete_value, as upstream).
 */
export function chainLimit(msg: Msg, absent = 0): number {
  const n = msg.nchain;
  if (n === undefined) return absent;
  if (n === null || n === false || n === 0) return 0;
  if (n === true) return 1;
  if (typeof n === "number" && Number.isInteger(n)) return n < 0 ? Infinity : n;
  throw new MessageError(`nchain ${show(n)} is not a count`, "nchain");
}
