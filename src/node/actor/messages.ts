// The messages of upstream's actor protocol (asyncactor) on `<root>/ping`, in the wire form and
// field order upstream's msgpack writes them, so that they re-encode to the same bytes:
//
//   init  {t, node}                                         a node starts (once per name)
//   vers  {t, node, cycle, gap, nodes, splits, n_hosts, version, force_in}   the timing config
//   ping  {t, node, value, history}                         the regular announcement
//   hist  {t, value, history}                               after a split: the other side's last ping
//
// `value` is null while the sender is not ready, else [tock, tick]; `history` lists the senders
// of the latest pings, newest first (a ping's own sender at the front).

import { MessageError, show } from "../../core/errors.js";
import type { Tick } from "../../core/tick.js";
import { fieldTick, isMap } from "../../wire/parse.js";

/** A node's ping value: [tock, tick], or null while it is not ready. */
export type ActorValue = readonly [Tick, Tick | null] | null;

/** The actor's timing config, as `vers` carries it (times in seconds). */
export interface ActorConfig {
  /** Seconds between pings of the cluster. Upstream's server: 10 (asyncactor's own default too). */
  cycle: number;
  /** Extra seconds to agree on the next pinger. Upstream's server: 2 (asyncactor: 1.5). */
  gap: number;
  /** Length of the history of active nodes; -1: all. Default 5. */
  nodes: number;
  /** Network partitions to expect, plus one: the history length sent. Default 4. */
  splits: number;
  /** Rough number of nodes. Default 10. */
  n_hosts: number;
  /** The config's version: a higher one seen on the wire replaces this one. Default 0. */
  version: number;
  /** Try harder to get every node into the history (1) or not (0). Default 0. */
  force_in: number;
}

/** The ping actor's config of upstream's server (asyncactor's DEFAULTS with kv.server.ping). */
export const PING_DEFAULTS: Readonly<ActorConfig> = Object.freeze({ cycle: 10, gap: 2, nodes: 5, splits: 4, n_hosts: 10, version: 0, force_in: 0 });

export interface InitMessage {
  t: "init";
  node: string;
}

/** `vers`: the config; fields beyond ActorConfig's are kept (in their order) and sent on. */
export type SetupMessage = { t: "vers"; node: string } & ActorConfig & Record<string, unknown>;

export interface PingMessage {
  t: "ping";
  node: string;
  value: ActorValue;
  history: string[];
}

export interface HistoryMessage {
  t: "hist";
  value: ActorValue;
  history: string[];
}

export type ActorMessage = InitMessage | SetupMessage | PingMessage | HistoryMessage;

/** The node a message speaks for: a `hist` message speaks for the first of its history. */
export function senderOf(m: ActorMessage): string | undefined {
  return m.t === "hist" ? m.history[0] : m.node;
}

export function initMessage(node: string): InitMessage {
  return { t: "init", node };
}

/** `vers` with upstream's key order: t, node, then the config keys in asyncactor's order. */
export function setupMessage(node: string, cfg: ActorConfig & Record<string, unknown>): SetupMessage {
  const { cycle, gap, nodes, splits, n_hosts, version, force_in, ...extra } = cfg;
  return { t: "vers", node, cycle, gap, nodes, splits, n_hosts, version, force_in, ...extra };
}

export function pingMessage(node: string, value: ActorValue, history: readonly string[]): PingMessage {
  return { t: "ping", node, value, history: [...history] };
}

export function historyMessage(value: ActorValue, history: readonly string[]): HistoryMessage {
  return { t: "hist", value, history: [...history] };
}

/**
 * Check that a setup config is usable, as asyncactor's SetupMessage.verify does for a node's own
 * config (cycle >= 1, gap >= 0, cycle >= 3 * gap); a bad option gets a clear error.
 */
export function verifyConfig(cfg: ActorConfig, api = "actor"): void {
  for (const k of ["cycle", "gap", "nodes", "splits", "n_hosts", "version", "force_in"] as const) {
    if (typeof cfg[k] !== "number" || !Number.isFinite(cfg[k])) throw new MessageError(`${api}: ${k} ${show(cfg[k])} is not a number`, k);
  }
  if (cfg.cycle < 1) throw new MessageError(`${api}: cycle ${cfg.cycle} is too short; expected at least 1 second`, "cycle");
  if (cfg.gap < 0) throw new MessageError(`${api}: gap ${cfg.gap} is negative; expected at least 0 seconds`, "gap");
  if (cfg.cycle < cfg.gap * 3) throw new MessageError(`${api}: cycle ${cfg.cycle} is shorter than 3 * gap (${cfg.gap * 3}); expected cycle >= 3 * gap`, "cycle");
}

function fieldName(v: unknown, field: string, t: string): string {
  if (typeof v !== "string" || v === "") throw new MessageError(`ping ${t}: ${field} ${show(v)} is not a node name`, field);
  return v;
}

function fieldValue(v: unknown, t: string): ActorValue {
  if (v === null || v === undefined) return null;
  if (!Array.isArray(v) || v.length !== 2) throw new MessageError(`ping ${t}: value ${show(v)} is not [tock, tick] or null`, "value");
  const tock = fieldTick(`ping ${t}`, v[0], "value.0");
  const tick = v[1] === null ? null : fieldTick(`ping ${t}`, v[1], "value.1");
  return [tock, tick];
}

function fieldHistory(v: unknown, t: string): string[] {
  if (!Array.isArray(v)) throw new MessageError(`ping ${t}: history ${show(v)} is not a list of node names`, "history");
  return v.map((n, i) => fieldName(n, `history.${i}`, t));
}

function fieldNumber(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new MessageError(`ping vers: ${field} ${show(v)} is not a number`, field);
  return v;
}

/**
 * Check a decoded message from `<root>/ping`. Throws MessageError naming the offending field;
 * an unknown `t` is an error too (upstream's actor dies on one, ticktock drops it).
 */
export function parseActorMessage(msg: unknown): ActorMessage {
  if (!isMap(msg)) throw new MessageError(`ping: message ${show(msg)} is not a map`, "");
  const t = msg.t;
  switch (t) {
    case "init":
      return { t, node: fieldName(msg.node, "node", t) };
    case "vers": {
      const out: Record<string, unknown> = { ...msg, node: fieldName(msg.node, "node", t) };
      for (const k of ["cycle", "gap", "nodes", "splits", "n_hosts", "version", "force_in"]) {
        // missing keys are None upstream; 0 keeps the arithmetic sane here
        out[k] = k in msg ? fieldNumber(msg[k], k) : 0;
      }
      return out as SetupMessage;
    }
    case "ping":
      return { t, node: fieldName(msg.node, "node", t), value: fieldValue(msg.value, t), history: fieldHistory(msg.history ?? [], t) };
    case "hist": {
      const history = fieldHistory(msg.history, t);
      if (history.length === 0) throw new MessageError("ping hist: history is empty; expected the pinging node first", "history");
      return { t, value: fieldValue(msg.value, t), history };
    }
    default:
      throw new MessageError(`ping: t ${show(t)} is not a message type; expected init, vers, ping or hist`, "t");
  }
}
