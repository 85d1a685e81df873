// One client connection speaking MoaT-KV's client protocol, whatever carries it (TCP, a
// WebSocket): the greeting, request dispatch by `action`, replies with the request's `seq`,
// errors as `{error, seq}`, and multi-part replies (state start / items / end).
//
// As upstream, a request without a usable seq or that is not a map gets an error without a seq
// and the connection stays open. Unlike upstream, which hangs up on an unknown action, that gets
// an error reply too (see docs/upstream-differences.md).

import { show } from "../core/errors.js";
import { isMap } from "../wire/parse.js";
import type { TicktockNode } from "../node/node.js";
import { SessionAuth, greetingAuth } from "./auth/auth-state.js";
import { refusal } from "./auth/gate.js";

/** The actions a session serves, by name (actions.ts's ACTIONS; the carrier passes them in). */
export type ActionTable = Readonly<Record<string, (s: ClientSession, msg: Record<string, unknown>, seq: number) => Record<string, unknown> | void>>;

/** How a session sends and hangs up; the carrier (TCP, WebSocket) provides it. */
export interface SessionIO {
  send(msg: Record<string, unknown>): void;
  close(): void;
  /** Whether so much is queued to the client that a long reply should wait (see limits.ts). */
  congested?(): boolean;
  /** Resolves once the client has read enough that a long reply may go on (or the connection is gone). */
  drained?(): Promise<void>;
}

/** The protocol version upstream announces (always [0, 0, 1]). */
export const PROTOCOL_VERSION = [0, 0, 1];
/** How many unacknowledged stream messages a client may have: upstream's default buffer. */
export const QLEN = 10;

/** A multi-part reply in progress. */
export class Stream {
  #wseq = 0;
  #ended = false;
  readonly #cleanup: (() => void)[] = [];
  constructor(readonly session: ClientSession, readonly seq: number) {}

  #frame(msg: Record<string, unknown>): Record<string, unknown> {
    msg.seq = this.seq;
    if (this.session.qlen > 0) msg.wseq = ++this.#wseq;
    return msg;
  }

  /** {state: start|uptodate|end}, with a fresh tock. */
  state(state: "start" | "uptodate" | "end"): void {
    if (this.#ended) return;
    this.session.sendWithTock(this.#frame({ state }));
  }

  item(msg: Record<string, unknown>): void {
    if (this.#ended) return;
    this.session.sendWithTock(this.#frame(msg));
  }

  error(message: string): void {
    if (this.#ended) return;
    this.session.sendWithTock(this.#frame({ error: message }));
  }

  /**
   * Send each item, waiting while the client has too much unread (a large get_tree to a client
   * that reads goes out at its pace; one that reads nothing is cut off by the carrier), then end.
   */
  async pump<T>(items: Iterable<T>, send: (item: T) => void): Promise<void> {
    const io = this.session.io;
    try {
      for (const item of items) {
        if (this.#ended) return;
        send(item);
        while (!this.#ended && io.congested?.() && io.drained) await io.drained();
      }
    } catch (e) {
      this.error((e as Error).message);
    }
    this.end();
  }

  /** Run when the stream stops (end, `stop`, or the connection closes). */
  onStop(fn: () => void): void {
    this.#cleanup.push(fn);
  }

  end(): void {
    if (this.#ended) return;
    this.state("end");
    this.#ended = true;
    this.session.streams.delete(this.seq);
    for (const fn of this.#cleanup) fn();
  }

  /** Stop without a message (the connection is gone). */
  abort(): void {
    this.#ended = true;
    for (const fn of this.#cleanup) fn();
  }
}

export class ClientSession {
  /** The client's queue length from its hello (0: no wseq numbering). */
  qlen = 0;
  readonly streams = new Map<number, Stream>();
  #closed = false;
  /** Who this connection is (auth on: nobody until `auth`), and its Diffie-Hellman key. */
  readonly auth: SessionAuth;

  constructor(readonly node: TicktockNode, readonly io: SessionIO, readonly actions: ActionTable) {
    this.auth = new SessionAuth(node.store);
  }

  /** The server speaks first. */
  open(): void {
    const tick = this.node.ledger.get(this.node.name)?.tick ?? 0;
    const auth = greetingAuth(this.node.store); // the methods, when the node has auth records
    this.io.send({ seq: 0, version: PROTOCOL_VERSION, node: this.node.name, tick, tock: this.node.ledger.nextTock(), qlen: QLEN, ...(auth ? { auth } : {}) });
  }

  /** Send, appending a fresh tock when the message has none (as upstream does). */
  sendWithTock(msg: Record<string, unknown>): void {
    if (this.#closed) return;
    if (!("tock" in msg)) msg.tock = this.node.ledger.nextTock();
    this.io.send(msg);
  }

  /** The result in the handler's key order, then seq, then tock unless it has one: as upstream. */
  reply(seq: number, result: Record<string, unknown>): void {
    this.sendWithTock({ ...result, seq });
  }

  /** One decoded message from the client. */
  receive(msg: unknown): void {
    if (this.#closed) return;
    if (!isMap(msg)) {
      this.sendWithTock({ error: `request ${show(msg)} is not a map; expected {action, seq, ...}` });
      return;
    }
    const seq = msg.seq;
    if (seq === 0) {
      // the client's hello: {seq: 0, qlen}
      if (typeof msg.qlen === "number" && Number.isInteger(msg.qlen) && msg.qlen >= 0) this.qlen = Math.min(msg.qlen, QLEN);
      return;
    }
    if (typeof seq !== "number" || !Number.isInteger(seq) || seq < 0) {
      this.sendWithTock({ error: `request has no usable seq (got ${show(seq)}); expected a positive integer` });
      return;
    }
    if (msg.state === "ack" || msg.state === "end") return; // flow control for streams: nothing to do here
    const action = msg.action;
    if (typeof action !== "string") {
      this.reply(seq, { error: `request ${seq} has no action; expected one of ${Object.keys(this.actions).join(", ")}` });
      return;
    }
    const handler = Object.hasOwn(this.actions, action) ? this.actions[action] : undefined;
    if (!handler) {
      this.reply(seq, { error: `unknown action ${show(action)}; this server knows ${Object.keys(this.actions).join(", ")}` });
      return;
    }
    const refused = refusal(this.auth, action, msg);
    if (refused) {
      if (this.auth.user) this.node.log.warn(`refused ${action} to ${this.auth.user.name}: a read-only user`);
      this.reply(seq, { error: refused });
      return;
    }
    try {
      const result = handler(this, msg, seq);
      if (result) this.reply(seq, result);
    } catch (e) {
      const open = this.streams.get(seq);
      if (open) {
        open.error((e as Error).message);
        open.end();
      } else this.reply(seq, { error: (e as Error).message });
    }
  }

  /** Open a multi-part reply for request `seq` (sends {state: start}). */
  stream(seq: number): Stream {
    const s = new Stream(this, seq);
    this.streams.set(seq, s);
    s.state("start");
    return s;
  }

  /** The connection is gone: stop every stream (watches unsubscribe). */
  closed(): void {
    this.#closed = true;
    for (const s of this.streams.values()) s.abort();
    this.streams.clear();
  }
}
