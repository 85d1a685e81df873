// What an action handler is: it gets the session, the request and its seq, and returns the
// reply (seq and tock are added by the session) or opens a stream. actions.ts maps action
// names to handlers; the larger handlers live in files of their own beside it.

import type { ClientSession } from "./session.js";

export type Msg = Record<string, unknown>;
export type Handler = (s: ClientSession, msg: Msg, seq: number) => Msg | void;
