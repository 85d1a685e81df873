// An in-process MQTT broker (aedes) on 127.0.0.1, so one command runs a node or a demo cluster
// without installing a broker. MQTT 3.1.1 over TCP.

import { createServer, type Server } from "node:net";
import { Aedes } from "aedes";

export interface EmbeddedBroker {
  /** mqtt://127.0.0.1:PORT */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Start a broker on host:port (port 0: any free port). */
export async function startEmbeddedBroker(port = 0, host = "127.0.0.1"): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  return {
    url: `mqtt://${host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => broker.close(() => resolve()));
        // drop connected clients so close() does not wait for them
        for (const c of Object.values((broker as unknown as { clients: Record<string, { close(): void }> }).clients ?? {})) c.close();
      }),
  };
}
