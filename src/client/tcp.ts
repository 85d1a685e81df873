// The client protocol over TCP (Node, Deno with node: compatibility), or over TLS with `tls`.
import { connect as netConnect, type Socket } from "node:net";
import { framedMessages } from "../wire/message-framer.js";
import { ClientError, KvClient, parseServer, type ClientOptions } from "./client.js";
import { tlsFailure, type TlsClientOptions } from "./tls-trust.js";
import { loggedIn, type Credentials } from "./login.js";

export interface TcpClientOptions extends ClientOptions {
  /** Talk TLS: `true` trusts the system's CAs; options give the CA to trust (and a client certificate). */
  tls?: boolean | TlsClientOptions;
  /** Log in with these when the server's greeting asks for a login. */
  credentials?: Credentials;
}

/** Connect to a MoaT-KV server (ticktock or upstream) at "host:port". */
export async function connectTcp(server?: string, opts: TcpClientOptions = {}): Promise<KvClient> {
  const { host, port } = parseServer(server);
  const name = `${host}:${port}`;
  const tls = opts.tls === true ? {} : opts.tls || undefined;
  // node:tls (and OpenSSL with it) loads only for a TLS connection: most never need it
  const socket: Socket = tls ? (await import("node:tls")).connect({ host, port, ...(tls as object) }) : netConnect({ host, port });
  const timeout = opts.timeout ?? 10_000;
  await new Promise<void>((resolve, reject) => {
    // a host that drops the SYN (a firewall, an address nobody has) would hold us for the OS's
    // connect timeout, minutes: give up after the request timeout
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ClientError(`cannot reach a MoaT-KV server at ${name}${tls ? " over TLS" : ""} (no answer within ${timeout} ms)`));
    }, timeout);
    socket.once(tls ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = tls ? tlsFailure(e, host, "--tls-ca FILE") : undefined;
      reject(new ClientError(why ? `cannot talk TLS to ${name}: ${why}` : `cannot reach a MoaT-KV server at ${name}${tls ? " over TLS" : ""} (${e.code ?? e.message})`));
    });
  });
  socket.setNoDelay(true);
  socket.on("error", () => {}); // surfaces as the end of the message stream
  const client = await KvClient.over(
    {
      send: (b) => {
        socket.write(b);
      },
      messages: framedMessages(socket, opts.maxMessage),
      close: () => socket.destroy(),
    },
    name,
    opts,
  );
  return loggedIn(client, opts.credentials);
}
