// Talking to a server from a command: connect (localhost:27586 by default, like upstream's
// client), log in when the server wants it (credentials.ts), run, close. Every failure becomes
// one line for the exit policy in main.ts.
import type { KvClient } from "../client/client.js";
import { connectTcp } from "../client/tcp.js";
import { login } from "../client/login.js";
import { credentials } from "./credentials.js";

export const SERVER_HELP = "server to talk to, HOST:PORT (default localhost:27586)";

export async function withClient<T>(server: string | undefined, fn: (c: KvClient) => Promise<T>): Promise<T> {
  const c = await connectTcp(server);
  try {
    await login(c, credentials());
    return await fn(c);
  } finally {
    c.close();
  }
}
