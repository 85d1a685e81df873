// TLS on the command line, the same flags on every command:
//   serving (ticktock node):            --tls-cert FILE --tls-key FILE   (client port and wss://)
//   reaching servers (--server, --join): --tls, --tls-ca FILE             (--tls-ca implies --tls)
//   reaching the broker (--mqtt):       mqtts:// or wss:// URLs, --mqtt-ca FILE, --mqtt-cert/--mqtt-key FILE
// Files are PEM; one that cannot be read or is not what its flag wants is a usage error naming both.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Command } from "commander";
import type { TlsClientOptions } from "../client/tls-trust.js";
import type { TlsServerOptions } from "../server/listener.js";
import { UsageError } from "./process.js";

export interface ClientTlsFlags {
  tls?: boolean;
  tlsCa?: string;
}
export interface ServerTlsFlags {
  tlsCert?: string;
  tlsKey?: string;
}
export interface BrokerTlsFlags {
  mqttCa?: string;
  mqttCert?: string;
  mqttKey?: string;
}

/** --mqtt-ca, --mqtt-cert, --mqtt-key: for an mqtts:// or wss:// broker. */
export function brokerTlsOptions(cmd: Command): Command {
  return cmd
    .option("--mqtt-ca <file>", "trust this CA certificate (PEM) for an mqtts:// or wss:// broker")
    .option("--mqtt-cert <file>", "a client certificate (PEM) for a broker that asks for one (with --mqtt-key)")
    .option("--mqtt-key <file>", "the key (PEM) of --mqtt-cert");
}

function readPem(flag: string, file: string, kind: "CERTIFICATE" | "PRIVATE KEY"): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    throw new UsageError(`${flag} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const text = pem.toString("latin1");
  const ok = kind === "CERTIFICATE" ? text.includes("-----BEGIN CERTIFICATE-----") : /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text);
  if (!ok) throw new UsageError(`${flag} ${file}: not a PEM ${kind === "CERTIFICATE" ? "certificate" : "private key"} (no -----BEGIN ${kind}----- line)`);
  return pem;
}

/** A certificate and its key that go together, or a usage error saying why not. */
function certAndKey(certFlag: string, keyFlag: string, certFile: string | undefined, keyFile: string | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new UsageError(`${certFlag} and ${keyFlag} go together: give both`);
  const cert = readPem(certFlag, certFile, "CERTIFICATE"), key = readPem(keyFlag, keyFile, "PRIVATE KEY");
  try {
    // node:tls (OpenSSL) loads here, when a certificate is given, not with every command
    (createRequire(import.meta.url)("node:tls") as typeof import("node:tls")).createSecureContext({ cert, key });
  } catch (e) {
    const err = e as { reason?: string; message: string };
    throw new UsageError(`${certFlag} ${certFile} with ${keyFlag} ${keyFile}: not usable (${err.reason ?? err.message})`);
  }
  return { cert, key };
}

/** What --tls/--tls-ca ask for: undefined (plain TCP), true (the system's CAs) or the CA to trust. */
export function clientTls(o: ClientTlsFlags): TlsClientOptions | true | undefined {
  if (o.tlsCa !== undefined) return { ca: readPem("--tls-ca", o.tlsCa, "CERTIFICATE") };
  return o.tls ? true : undefined;
}

/** What --tls-cert/--tls-key ask for; `log` gets a line per refused handshake. */
export function serverTls(o: ServerTlsFlags, log: (line: string) => void): TlsServerOptions | undefined {
  const pair = certAndKey("--tls-cert", "--tls-key", o.tlsCert, o.tlsKey);
  return pair && { ...pair, log };
}

/** What --mqtt-ca/--mqtt-cert/--mqtt-key ask for, checked against the broker URL (TLS needs mqtts:// or wss://). */
export function brokerTls(url: string | undefined, o: BrokerTlsFlags): TlsClientOptions | undefined {
  const given = [o.mqttCa !== undefined && "--mqtt-ca", o.mqttCert !== undefined && "--mqtt-cert", o.mqttKey !== undefined && "--mqtt-key"].filter(Boolean);
  if (given.length === 0) return undefined;
  if (!url || !/^(mqtts|wss):\/\//i.test(url)) {
    throw new UsageError(`${given.join(", ")} appl${given.length === 1 ? "ies" : "y"} to a TLS broker: give --mqtt mqtts://HOST:PORT or wss://HOST:PORT${url ? `, not ${url}` : ""}`);
  }
  const out: TlsClientOptions = {};
  if (o.mqttCa !== undefined) out.ca = readPem("--mqtt-ca", o.mqttCa, "CERTIFICATE");
  const pair = certAndKey("--mqtt-cert", "--mqtt-key", o.mqttCert, o.mqttKey);
  if (pair) Object.assign(out, pair);
  return out;
}
