// A real Mosquitto broker for a test: its own config on a free loopback port, stopped after.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Broker {
  url: string;
  port: number;
  /** Stop the broker (as a crash would: SIGKILL) and return; restart() brings it back on the same port. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** What the broker wrote to stderr (its log, at the levels asked for). */
  log(): string;
  /** With `tls`: mqtts://127.0.0.1:PORT and wss://127.0.0.1:PORT, TLS listeners beside the plain one. */
  mqttsUrl?: string;
  wssUrl?: string;
}

/** PEM files for the broker's TLS listeners (see certs.ts). */
export interface BrokerTls {
  ca: string;
  cert: string;
  key: string;
  /** Refuse clients without a certificate signed by `ca`. */
  requireCertificate?: boolean;
}

export interface MosquittoOptions {
  websocketPort?: number;
  /** More config lines (a bridge `connection` section, say); they come last. */
  extra?: string[];
  /** Log types to write (default: error). */
  logTypes?: string[];
  tls?: BrokerTls;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection({ port, host: "127.0.0.1" }, () => {
        c.end();
        resolve(true);
      });
      c.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on 127.0.0.1:${port} within ${ms} ms`);
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), "ticktock-mosquitto-"));
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  const lines = [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", "log_dest stderr", ...(opts.logTypes ?? ["error"]).map((t) => `log_type ${t}`)];
  if (opts.websocketPort) lines.push(`listener ${opts.websocketPort} 127.0.0.1`, "protocol websockets", "socket_domain ipv4");
  let tlsPorts: [number, number] | undefined;
  if (opts.tls) {
    tlsPorts = [await freePort(), await freePort()];
    const files = [`cafile ${opts.tls.ca}`, `certfile ${opts.tls.cert}`, `keyfile ${opts.tls.key}`];
    if (opts.tls.requireCertificate) files.push("require_certificate true");
    lines.push(`listener ${tlsPorts[0]} 127.0.0.1`, ...files, `listener ${tlsPorts[1]} 127.0.0.1`, "protocol websockets", "socket_domain ipv4", ...files);
  }
  lines.push(...(opts.extra ?? []));
  writeFileSync(conf, lines.join("\n") + "\n");
  let proc: ChildProcess | undefined;
  let log = "";
  const launch = async () => {
    proc = spawn("/usr/sbin/mosquitto", ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
    proc.stderr!.on("data", (d) => (log = (log + d).slice(-20_000)));
    await waitForPort(port);
    for (const p of tlsPorts ?? []) await waitForPort(p);
  };
  const kill = async () => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGKILL");
    });
  };
  await launch();
  const tlsUrls = tlsPorts ? { mqttsUrl: `mqtts://127.0.0.1:${tlsPorts[0]}`, wssUrl: `wss://127.0.0.1:${tlsPorts[1]}` } : {};
  return { url: `mqtt://127.0.0.1:${port}`, port, kill, restart: launch, stop: kill, log: () => log, ...tlsUrls };
}
