// Talking to a server from a command: connect (localhost:27586 by default, like upstream's
// client), run, close. Every failure becomes one line for the exit policy in main.ts.
import type { KvClient } from "../client/client.js";
import { connectTcp } from "../client/tcp.js";

export const SERVER_HELP = "server to talk to, HOST:PORT (default localhost:27586)";

export async function withClient<T>(server: string | undefined, fn: (c: KvClient) => Promise<T>): Promise<T> {
  const c = await connectTcp(server);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}
