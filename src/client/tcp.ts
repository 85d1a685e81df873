// The client protocol over TCP (Node, Deno with node: compatibility).
import { connect as netConnect } from "node:net";
import { framedMessages } from "../wire/message-framer.js";
import { ClientError, KvClient, parseServer, type ClientOptions } from "./client.js";

/** Connect to a MoaT-KV server (ticktock or upstream) at "host:port". */
export async function connectTcp(server?: string, opts: ClientOptions = {}): Promise<KvClient> {
  const { host, port } = parseServer(server);
  const name = `${host}:${port}`;
  const socket = netConnect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", (e: NodeJS.ErrnoException) =>
      reject(new ClientError(`cannot reach a MoaT-KV server at ${name} (${e.code ?? e.message})`)),
    );
  });
  socket.setNoDelay(true);
  socket.on("error", () => {}); // surfaces as the end of the message stream
  return KvClient.over(
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
}
