// A TCP proxy on loopback that can be cut and restored, to split a network link in a test.
//
//   const p = await startTcpProxy(targetPort);  // listens on p.port, forwards to 127.0.0.1:targetPort
//   p.cut();    // every open connection is destroyed; new ones are accepted and closed at once
//   p.heal();   // new connections are forwarded again
//   await p.close();
//
// The listener stays open while cut, so its port cannot be taken by another process and a
// client that reconnects (a Mosquitto bridge) just fails until the link is healed.
import { createConnection, createServer, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  /** Connections forwarded since start. */
  readonly accepted: number;
  /** Connections open now (each is a client socket paired with one to the target). */
  readonly open: number;
  readonly isCut: boolean;
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let cut = false;
  let accepted = 0;
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    accepted++;
    const target = createConnection({ port: targetPort, host: "127.0.0.1" });
    const pair: [Socket, Socket] = [client, target];
    pairs.add(pair);
    const end = () => {
      client.destroy();
      target.destroy();
      pairs.delete(pair);
    };
    for (const s of pair) {
      s.setNoDelay(true);
      s.once("error", end);
      s.once("close", end);
    }
    client.pipe(target);
    target.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    get isCut() {
      return cut;
    },
    cut() {
      cut = true;
      for (const [a, b] of [...pairs]) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
    heal() {
      cut = false;
    },
    async close() {
      cut = true;
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
