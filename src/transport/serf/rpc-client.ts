// A Serf agent's RPC (hashicorp/serf client/rpc_client.go's protocol) over TCP, node:net only.
//
// There is no length prefix: a request is a msgpack map {"Command": str, "Seq": uint} followed at
// once by its body (if any); a reply is {"Seq": uint, "Error": str} followed by a body for the
// commands that have one. Replies and stream records interleave, so the bytes are cut into whole
// msgpack values (MessageFramer, shared with the client port) and routed by Seq. Every map key
// and string goes out as msgpack str (a bin-typed one makes the agent hang up); Payload is bin.
//
//   handshake {"Version": 1}            first, always
//   auth      {"AuthKey": str}          when the agent has rpc_auth
//   event     {"Name", "Payload", "Coalesce"}
//   stream    {"Type": "user:NAME"}     acks, then records {"Event", "LTime", "Name", "Payload", "Coalesce"} under its Seq
//   stop      {"Stop": seq}
//   members   -> {"Members": [{"Name", "Addr", "Port", "Tags", "Status", ...}]}

import { connect, type Socket } from "node:net";
import { decode, encode } from "../../wire/msgpack.js";
import { MessageFramer } from "../../wire/message-framer.js";

/** One user event as a stream delivers it. */
export interface SerfUserEvent {
  Name: string;
  Payload: Uint8Array;
  LTime: number;
  Coalesce: boolean;
}

export interface SerfMember {
  Name: string;
  Addr: Uint8Array;
  Port: number;
  Tags: Record<string, string>;
  Status: string;
}

/** The agent answered a request with an error. */
export class SerfRpcError extends Error {
  constructor(readonly command: string, readonly agentError: string) {
    super(`serf rpc: agent refused ${command}: ${agentError}`);
    this.name = "SerfRpcError";
  }
}

export interface SerfRpcOptions {
  host: string;
  port: number;
  /** The agent's rpc_auth key, when it has one. */
  authKey?: string;
  /** Give up connecting (and the handshake) after this long, ms. Default 5000. */
  connectTimeout?: number;
}

interface Pending {
  command: string;
  /** The reply has a body after its header. */
  body: boolean;
  resolve(body: unknown): void;
  reject(e: Error): void;
}

/** The largest value read from an agent (a members list of a big cluster; events are < 1 KB). */
const MAX_FRAME = 16 * 1024 * 1024;

/** "HOST:PORT" (IPv6 as [ADDR]:PORT) -> parts; throws naming the text otherwise. */
export function parseRpcAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new RangeError(`serf: agent address ${JSON.stringify(text)} is not HOST:PORT (the agent's -rpc-addr, e.g. 127.0.0.1:7373)`);
  return { host: (m[1] ?? m[2])!, port };
}

export class SerfRpcClient {
  readonly #socket: Socket;
  readonly #framer = new MessageFramer(MAX_FRAME);
  #seq = 0;
  readonly #pending = new Map<number, Pending>();
  readonly #streams = new Map<number, (e: SerfUserEvent) => void>();
  /** Where the next value read goes: the body of the reply or record whose header came last. */
  #bodyFor: ((body: unknown) => void) | undefined;
  #closed: Error | undefined;
  readonly #onClose: ((why: Error) => void)[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = this.#framer.push(chunk);
        for (const f of frames) this.#route(decode(f));
      } catch (e) {
        this.#fail(new Error(`serf rpc: unreadable reply from the agent: ${(e as Error).message}`));
      }
    });
    socket.on("error", (e) => this.#fail(e));
    socket.on("close", () => this.#fail(new Error("serf rpc: the agent closed the connection")));
  }

  /** Connect, handshake and (with authKey) authenticate; rejects naming the address on failure. */
  static async connect(o: SerfRpcOptions): Promise<SerfRpcClient> {
    const where = `${o.host}:${o.port}`;
    const timeout = o.connectTimeout ?? 5000;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: o.host, port: o.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`serf rpc: no answer from ${where} within ${timeout} ms`));
      }, timeout);
      s.once("connect", () => {
        clearTimeout(timer);
        s.removeAllListeners("error");
        resolve(s);
      });
      s.once("error", (e) => {
        clearTimeout(timer);
        reject(new Error(`serf rpc: cannot reach the agent at ${where}: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      });
    });
    socket.setNoDelay(true);
    const client = new SerfRpcClient(socket);
    try {
      await withTimeout(client.request("handshake", { Version: 1 }), timeout, `serf rpc: handshake with ${where}`);
      if (o.authKey !== undefined) await withTimeout(client.request("auth", { AuthKey: o.authKey }), timeout, `serf rpc: auth with ${where}`);
    } catch (e) {
      client.close();
      throw e instanceof SerfRpcError ? new Error(`serf rpc: the agent at ${where} refused ${e.command}: ${e.agentError}`) : e;
    }
    return client;
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Hear the connection end (once; not after close()). */
  onClose(handler: (why: Error) => void): void {
    this.#onClose.push(handler);
  }

  /** Send a command; resolves with the reply's body (undefined for commands without one). */
  request(command: string, body?: Record<string, unknown>, hasBody = false): Promise<unknown> {
    const seq = this.#seq++;
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(this.#closed);
      this.#pending.set(seq, { command, body: hasBody, resolve, reject });
      this.#write(encode({ Command: command, Seq: seq }), body === undefined ? undefined : encode(body));
    });
  }

  /** Send a user event (Coalesce false unless asked: coalescing loses gossip). */
  async event(name: string, payload: Uint8Array, coalesce = false): Promise<void> {
    await this.request("event", { Name: name, Payload: payload, Coalesce: coalesce });
  }

  /** Stream user events of one name (or a comma list); resolves with the stream's Seq once the agent acks. */
  async stream(type: string, handler: (e: SerfUserEvent) => void): Promise<number> {
    const seq = this.#seq; // request() takes this one
    this.#streams.set(seq, handler); // before the ack: records may follow it in the same chunk
    try {
      await this.request("stream", { Type: type });
    } catch (e) {
      this.#streams.delete(seq);
      throw e;
    }
    return seq;
  }

  async stop(stream: number): Promise<void> {
    this.#streams.delete(stream);
    await this.request("stop", { Stop: stream });
  }

  async members(): Promise<SerfMember[]> {
    const body = (await this.request("members", undefined, true)) as { Members?: SerfMember[] };
    return body.Members ?? [];
  }

  close(): void {
    if (!this.#closed) this.#closed = new Error("serf rpc: connection closed");
    this.#onClose.length = 0;
    this.#rejectAll(this.#closed);
    this.#socket.destroy();
  }

  #write(header: Uint8Array, body?: Uint8Array): void {
    // one write: a request's header and body must not be interleaved with another's
    if (!body) this.#socket.write(header);
    else {
      const both = new Uint8Array(header.length + body.length);
      both.set(header);
      both.set(body, header.length);
      this.#socket.write(both);
    }
  }

  #route(v: unknown): void {
    const into = this.#bodyFor;
    if (into) {
      this.#bodyFor = undefined;
      into(v);
      return;
    }
    if (v === null || typeof v !== "object" || typeof (v as { Seq?: unknown }).Seq !== "number") {
      throw new Error(`expected a reply header {Seq, Error}, got ${JSON.stringify(v)?.slice(0, 80)}`);
    }
    const { Seq: seq, Error: error } = v as { Seq: number; Error?: unknown };
    const p = this.#pending.get(seq);
    if (p) {
      this.#pending.delete(seq);
      const settle = (body: unknown) => (typeof error === "string" && error !== "" ? p.reject(new SerfRpcError(p.command, error)) : p.resolve(body));
      if (p.body) this.#bodyFor = settle;
      else settle(undefined);
      return;
    }
    const stream = this.#streams.get(seq);
    if (stream) {
      this.#bodyFor = (record) => {
        const r = record as Partial<SerfUserEvent> & { Event?: string };
        if (r && r.Event === "user" && typeof r.Name === "string") {
          const payload = r.Payload instanceof Uint8Array ? r.Payload : typeof r.Payload === "string" ? new TextEncoder().encode(r.Payload) : new Uint8Array();
          stream({ Name: r.Name, Payload: payload, LTime: Number(r.LTime ?? 0), Coalesce: r.Coalesce === true });
        }
      };
      return;
    }
    // a header for nothing we asked: a stopped stream's last record, whose body follows
    this.#bodyFor = () => {};
  }

  #fail(e: Error): void {
    if (this.#closed) return;
    this.#closed = e;
    this.#rejectAll(e);
    this.#socket.destroy();
    for (const h of this.#onClose.splice(0)) h(e);
  }

  #rejectAll(e: Error): void {
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
    this.#streams.clear();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}
