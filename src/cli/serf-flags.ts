// `--serf HOST:PORT` and `--serf-auth-file FILE` for `ticktock node` and `ticktock watch`: gossip
// through a Serf agent's RPC instead of an MQTT broker (src/transport/serf/). Node and Deno only:
// a browser cannot open TCP; it reaches a Serf cluster through a node's --ws-port.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { SerfTransport } from "../transport/serf/serf-transport.js";
import { parseRpcAddress } from "../transport/serf/rpc-client.js";
import { UsageError } from "./process.js";

export interface SerfFlags {
  serf?: string;
  serfAuthFile?: string;
}

export function serfOptions(cmd: Command): Command {
  return cmd
    .option("--serf <host:port>", "gossip through the Serf agent whose RPC listens here (its -rpc-addr) instead of MQTT; no broker")
    .option("--serf-auth-file <file>", "the Serf agent's rpc_auth key, read from this file (with --serf)");
}

/**
 * The transport the flags ask for: a SerfTransport with --serf, undefined without (MQTT).
 * Usage errors: --serf with --mqtt (or its TLS flags), a malformed address, an unreadable key file.
 */
export function serfTransport(o: SerfFlags & { mqtt?: string; mqttCa?: string; mqttCert?: string; mqttKey?: string }, root: string, log: (line: string) => void): SerfTransport | undefined {
  if (o.serf === undefined) {
    if (o.serfAuthFile !== undefined) throw new UsageError("--serf-auth-file is the key of a Serf agent's RPC: give --serf HOST:PORT too");
    return undefined;
  }
  const mqtt = [o.mqtt !== undefined && "--mqtt", o.mqttCa !== undefined && "--mqtt-ca", o.mqttCert !== undefined && "--mqtt-cert", o.mqttKey !== undefined && "--mqtt-key"].filter(Boolean);
  if (mqtt.length) throw new UsageError(`--serf and ${mqtt.join(", ")} exclude each other: gossip goes through a Serf agent or an MQTT broker, not both`);
  try {
    parseRpcAddress(o.serf);
  } catch (e) {
    throw new UsageError(`--serf: ${(e as Error).message.replace(/^serf: /, "")}`);
  }
  let authKey: string | undefined;
  if (o.serfAuthFile !== undefined) {
    try {
      authKey = readFileSync(o.serfAuthFile, "utf8").replace(/\r?\n$/, "");
    } catch (e) {
      throw new UsageError(`--serf-auth-file ${o.serfAuthFile}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (authKey === "") throw new UsageError(`--serf-auth-file ${o.serfAuthFile} is empty; expected the agent's rpc_auth key`);
  }
  return new SerfTransport({ address: o.serf, authKey, root, log });
}
