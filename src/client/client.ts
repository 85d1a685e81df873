// A client for MoaT-KV's client protocol, shared by the CLI, the tests, joining nodes and (over
// a WebSocket) the browser inspector. It works against ticktock nodes and upstream servers.
//
//   const c = await KvClient.connect("127.0.0.1:27586");
//   const state = await c.request("get_state", { nodes: true, missing: true });
//   for await (const item of c.stream("get_tree", { path: new Path(), nchain: -1 })) ...
//   c.close();
//
// Every failure is a ClientError with one clear line: unreachable server, refused action
// (the server's `error`), a timeout, or a connection closed mid-request.

import { TicktockError } from "../core/errors.js";
import { encodeValue } from "../wire/codec.js";
import { isMap } from "../wire/parse.js";

export type Msg = Record<string, unknown>;

export class ClientError extends TicktockError {
  /** The server's own error text, when the server refused the request. */
  readonly serverError: string | undefined;
  constructor(message: string, serverError?: string) {
    super("ERR_MESSAGE", message);
    this.serverError = serverError;
  }
}

/** What carries the bytes: a TCP socket (tcp.ts) or a WebSocket (websocket.ts). */
export interface Carrier {
  send(bytes: Uint8Array): void;
  /** Every decoded message from the server, until the connection ends. */
  messages: AsyncIterable<unknown>;
  close(): void;
}

export interface Greeting {
  seq: 0;
  version: unknown;
  node: string;
  tick: number | bigint;
  tock: number | bigint;
  qlen: number;
}

interface Pending {
  action: string;
  onMessage(m: Msg): void;
  fail(e: Error): void;
}

export interface ClientOptions {
  /** How long one request may wait for its reply (or a stream for its next part), ms. Default 10,000. */
  timeout?: number;
  /** Largest message read from the server, bytes (default 16 MiB); a larger one ends the connection. */
  maxMessage?: number;
}

export class KvClient {
  readonly greeting: Greeting;
  readonly server: string;
  #seq = 0;
  #pending = new Map<number, Pending>();
  #closed: Error | undefined;
  readonly #carrier: Carrier;
  readonly #timeout: number;

  private constructor(carrier: Carrier, greeting: Greeting, server: string, opts: ClientOptions) {
    this.#carrier = carrier;
    this.greeting = greeting;
    this.server = server;
    this.#timeout = opts.timeout ?? 10_000;
  }

  /** Speak the protocol over a carrier: wait for the greeting, say hello, start reading. */
  static async over(carrier: Carrier, server: string, opts: ClientOptions = {}): Promise<KvClient> {
    const it = carrier.messages[Symbol.asyncIterator]();
    const timeout = opts.timeout ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const first = await Promise.race([
      it.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ClientError(`${server} sent no greeting within ${timeout} ms; is it a MoaT-KV server (one serving TLS needs --tls)?`)), timeout);
      }),
    ]).finally(() => clearTimeout(timer));
    if (first.done || !isMap(first.value) || first.value.seq !== 0 || typeof first.value.node !== "string") {
      carrier.close();
      throw new ClientError(`${server} did not greet like a MoaT-KV server${first.done ? " (it closed the connection)" : ""}`);
    }
    const client = new KvClient(carrier, first.value as unknown as Greeting, server, opts);
    carrier.send(encodeValue({ seq: 0, qlen: 0 }));
    void client.#read(it);
    return client;
  }

  async #read(it: AsyncIterator<unknown>): Promise<void> {
    let why = `${this.server} closed the connection`;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        const m = r.value;
        if (!isMap(m)) continue;
        const seq = m.seq;
        if (typeof seq !== "number") {
          if (typeof m.error === "string") why = `${this.server} failed: ${m.error}`;
          continue;
        }
        this.#pending.get(seq)?.onMessage(m);
      }
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      why = typeof code === "string" ? `${this.server} closed the connection (${code})` : `${this.server} sent malformed data (${(e as Error).message})`;
    }
    this.#closed = new ClientError(why);
    for (const p of this.#pending.values()) p.fail(new ClientError(`${p.action}: ${why}`));
    this.#pending.clear();
  }

  #send(action: string, fields: Msg, pending: Pending): number {
    if (this.#closed) throw this.#closed;
    const seq = ++this.#seq;
    this.#pending.set(seq, pending);
    this.#carrier.send(encodeValue({ ...fields, action, seq }));
    return seq;
  }

  /** One request, one reply. Rejects with the server's error text when it refuses. */
  request(action: string, fields: Msg = {}): Promise<Msg> {
    return new Promise<Msg>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let seq = 0;
      const done = () => {
        clearTimeout(timer);
        this.#pending.delete(seq);
      };
      try {
        seq = this.#send(action, fields, {
          action,
          onMessage: (m) => {
            done();
            if (typeof m.error === "string") reject(new ClientError(`${action}: ${m.error}`, m.error));
            else resolve(m);
          },
          fail: (e) => {
            done();
            reject(e);
          },
        });
      } catch (e) {
        reject(e);
        return;
      }
      timer = setTimeout(() => {
        done();
        reject(new ClientError(`${action}: no reply from ${this.server} within ${this.#timeout} ms`));
      }, this.#timeout);
    });
  }

  /**
   * A multi-part request: yields every part between {state: start} and {state: end}. With
   * `untilUptodate`, also ends at {state: uptodate} (a watch's initial dump) and stops the watch.
   */
  async *stream(action: string, fields: Msg = {}, opts: { untilUptodate?: boolean } = {}): AsyncGenerator<Msg> {
    const queue: Msg[] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    const seq = this.#send(action, fields, {
      action,
      onMessage: (m) => {
        queue.push(m);
        wake?.();
      },
      fail: (e) => {
        failure = e;
        wake?.();
      },
    });
    try {
      for (;;) {
        while (queue.length === 0) {
          if (failure) throw failure;
          let timer: ReturnType<typeof setTimeout> | undefined;
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(() => {
              failure ??= new ClientError(`${action}: ${this.server} sent nothing within ${this.#timeout} ms`);
              resolve();
            }, this.#timeout);
          });
          clearTimeout(timer);
          wake = undefined;
        }
        const m = queue.shift()!;
        if (typeof m.error === "string") throw new ClientError(`${action}: ${m.error}`, m.error);
        if (m.state === "start") continue;
        if (m.state === "end") return;
        if (m.state === "uptodate") {
          if (opts.untilUptodate) return;
          continue;
        }
        yield m;
      }
    } finally {
      this.#pending.delete(seq);
      if (opts.untilUptodate && !this.#closed) this.#carrier.send(encodeValue({ action: "stop", task: seq, seq: ++this.#seq }));
    }
  }

  close(): void {
    this.#closed ??= new ClientError(`connection to ${this.server} closed`);
    this.#carrier.close();
  }
}

/** "host:port", "host" or ":port" with upstream's defaults (localhost, 27586). */
export function parseServer(server: string | undefined): { host: string; port: number } {
  const s = server ?? "";
  const m = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d+))?$/.exec(s);
  if (!m) throw new ClientError(`server ${JSON.stringify(s)} is not HOST:PORT`);
  const host = m[1] ?? (m[2] || "localhost");
  const port = m[3] ? Number(m[3]) : 27586;
  if (!(port > 0 && port < 65536)) throw new ClientError(`server ${JSON.stringify(s)}: port ${port} is out of range`);
  return { host, port };
}
