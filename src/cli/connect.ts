// Talking to a server from a command: connect (localhost:27586 by default, like upstream's
// client; over TLS with --tls/--tls-ca), log in when the server wants it (credentials.ts), run,
// close. Every failure becomes one line for the exit policy in main.ts.
import type { KvClient } from "../client/client.js";
import { connectTcp } from "../client/tcp.js";
import { login } from "../client/login.js";
import { credentials } from "./credentials.js";
import { clientTls, type ClientTlsFlags } from "./tls-flags.js";

export const SERVER_HELP = "server to talk to, HOST:PORT (default localhost:27586)";
export const TLS_HELP = "talk TLS to the server (trusting the system's CAs, or --tls-ca)";
export const TLS_CA_HELP = "trust this CA certificate (PEM) for the server's TLS; implies --tls";

/** How a command reaches its server: --server, --tls, --tls-ca. */
export interface ServerFlags extends ClientTlsFlags {
  server?: string;
}

export async function withClient<T>(server: string | undefined | ServerFlags, fn: (c: KvClient) => Promise<T>): Promise<T> {
  const o: ServerFlags = typeof server === "object" ? server : { server };
  const c = await connectTcp(o.server, { tls: clientTls(o) });
  try {
    await login(c, credentials());
    return await fn(c);
  } finally {
    c.close();
  }
}
