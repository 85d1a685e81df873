// The doctor's reasoning: from what every reachable server said about its tick accounting
// (get_state, as `internal state -ndmrk` asks), sampled once or several times, and from who was
// heard in the gossip, one diagnosis per node with missing ticks. Pure and browser-safe (no
// node: imports): the `ticktock doctor` command and the inspector share it. Await
// `init()` (core/range-set.ts) once before calling diagnose().
//
// For each node with ticks missing anywhere it answers, in this order:
//   where    which of its ticks are missing, on which servers, since which sample;
//   holders  which servers still have them: present (the data), or superseded/deleted (they
//            answer a request with that news), so recovery can bring them back;
//   moving   whether the missing servers asked (a holder's remote_missing lists the ticks) and
//            whether the missing count shrank between samples;
//   who      whether the node that published them is alive (it answered, or was heard in the
//            gossip) or gone;
//   risk     which entries could keep an older value or come back if the ticks are marked, and
//            which mark (superseded or --deleted) is the safer one;
//   action   "wait: server X holds them …" for the ticks some server has, and the exact
//            `ticktock internal mark NODE TICKS [--deleted] --broadcast --server ADDR` for the
//            ticks nobody has.
//
// Worked example, the demo (ghost published ticks 1 and 3, never 2): every server's get_state
// says missing {ghost: [2]} and nobody has tick 2 present or superseded, ghost never pings, so
// the diagnosis is "ghost's tick 2 is missing on demo1, demo2 and demo3; no server holds it;
// ghost is gone; run: ticktock internal mark ghost 2 --broadcast --server …".

import { MessageError, show } from "../../core/errors.js";
import { RangeSet, type RangeSetState } from "../../core/range-set.js";
import type { Tick } from "../../core/tick.js";
import { tickArgs, tickWords } from "./tick-words.js";

/** A get_state reply (the fields `internal state -ndmrk` asks for; superseded as `known` or `superseded`). */
export interface StateReply {
  node?: string;
  nodes?: Record<string, Tick | null>;
  present?: Record<string, RangeSetState>;
  known?: Record<string, RangeSetState>;
  superseded?: Record<string, RangeSetState>;
  deleted?: Record<string, RangeSetState>;
  missing?: Record<string, RangeSetState>;
  remote_missing?: Record<string, RangeSetState>;
  [field: string]: unknown;
}

/** An entry whose newest change is by a node (enum_node current + get_value): what a mark could leave stale. */
export interface EntryRef {
  path: string;
  tick: Tick;
  server: string;
}

/** What one server said at one moment. */
export interface ServerSample {
  /** The server's node name (its greeting's `node`). */
  server: string;
  /** HOST:PORT it was reached at, for the commands the diagnosis prints. */
  address?: string;
  /** When it answered, ms since the epoch. */
  at: number;
  state: StateReply;
  /** Per node: entries whose newest change is by that node (optional; for the resurfacing check). */
  entries?: Record<string, EntryRef[]>;
}

/** Who was heard in the gossip while the doctor listened. */
export interface GossipHeard {
  /** Listening from, to (ms since the epoch). */
  from: number;
  to: number;
  /** Node name -> when last heard and how ("ping", "info", "update", "ping history"). */
  heard: Record<string, { at: number; how: string }>;
}

export interface DiagnoseOptions {
  gossip?: GossipHeard;
  /** Servers that could not be asked (name or address, and why). */
  unreachable?: { server: string; why: string }[];
  /** The command printed in repair advice, with its login flags (default "ticktock"). */
  cli?: string;
  /** Flags the printed command needs after --server (TLS: "--tls-ca FILE"). */
  serverFlags?: string;
}

export interface MissingOn {
  server: string;
  ticks: RangeSetState;
  count: Tick;
  /** The first sample of this server that missed any of these ticks (ms since the epoch). */
  since: number;
  /** Between the first and the latest sample: "once" with one sample. */
  trend: "once" | "shrinking" | "steady" | "growing";
}

export interface Holder {
  server: string;
  /** Of the missing ticks: held with their data. */
  present: RangeSetState;
  /** Known as superseded (or deleted) there: it answers a request with that. */
  superseded: RangeSetState;
  deleted: RangeSetState;
}

export interface Publisher {
  state: "alive" | "gone" | "unknown";
  why: string;
}

export type Action =
  | { kind: "wait"; ticks: RangeSetState; servers: string[]; text: string }
  | { kind: "mark"; ticks: RangeSetState; deleted: boolean; command: string; text: string }
  | { kind: "ask"; ticks: RangeSetState; deleted: boolean; command: string; text: string };

export interface Diagnosis {
  node: string;
  /** Every tick of the node missing on some reachable server. */
  missing: RangeSetState;
  count: Tick;
  missingOn: MissingOn[];
  holders: Holder[];
  /** Missing ticks some reachable server still has (recovery can fill them). */
  recoverable: RangeSetState;
  /** Missing ticks no reachable server has. */
  lost: RangeSetState;
  /** Every reachable server misses every lost tick (and at least one tick is lost). */
  lostEverywhere: boolean;
  requests: {
    /** Holders whose remote_missing lists some of the ticks: they were asked. */
    askedOf: string[];
    /** The missing count shrank between samples (true), did not (false), or one sample only (undefined). */
    moving: boolean | undefined;
  };
  publisher: Publisher;
  ifMarked: {
    /** Entries whose newest change is by the node and older than the last missing tick. */
    couldResurface: EntryRef[];
    safer: "superseded" | "deleted";
    why: string;
  };
  actions: Action[];
  /** The diagnosis in plain words, one sentence a line. */
  words: string[];
}

type SetField = "present" | "superseded" | "deleted" | "missing" | "remote_missing";

/** A node's set from a sample; a bad wire form names the server and the field. */
function setOf(s: ServerSample, field: SetField, node: string): RangeSet {
  const st = s.state;
  const map = (field === "superseded" ? (st.known ?? st.superseded) : st[field]) as Record<string, unknown> | undefined;
  const raw = map?.[node];
  if (raw === undefined || raw === null) return new RangeSet();
  try {
    return RangeSet.fromState(raw);
  } catch (e) {
    throw new MessageError(`diagnose: server ${s.server}'s ${field} of node ${node} is not a RangeSet (${(e as Error).message})`, `${field}.${node}`);
  }
}

function checkSample(s: unknown, i: number): asserts s is ServerSample {
  const o = s as Partial<ServerSample> | null;
  if (!o || typeof o !== "object" || typeof o.server !== "string" || typeof o.at !== "number" || !o.state || typeof o.state !== "object") {
    throw new MessageError(`diagnose: sample ${i} ${show(s)} is not a server sample; expected {server: string, at: number, state: get_state reply}`, `samples.${i}`);
  }
}

const hhmmss = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

function names(list: string[]): string {
  if (list.length <= 1) return list.join("");
  return `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
}

/** Quote a word for a POSIX shell when it needs it. */
function shellWord(w: string): string {
  return /^[\w.@:/=+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

function seconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${s} s`;
}

/**
 * One diagnosis per node with missing ticks on any server, sorted by node name; empty when
 * nothing is missing anywhere. `samples` may hold several samples per server (a --watch): the
 * newest of each server is its current state, the older ones show since when and whether the
 * gap is shrinking.
 */
export function diagnose(samples: readonly ServerSample[], opts: DiagnoseOptions = {}): Diagnosis[] {
  samples.forEach(checkSample);
  const history = new Map<string, ServerSample[]>();
  for (const s of samples) {
    const h = history.get(s.server) ?? [];
    h.push(s);
    history.set(s.server, h);
  }
  for (const h of history.values()) h.sort((a, b) => a.at - b.at);
  const latest = [...history.values()].map((h) => h[h.length - 1]!).sort((a, b) => (a.server < b.server ? -1 : a.server > b.server ? 1 : 0));
  const nodes = new Set<string>();
  for (const s of latest) {
    const m = s.state.missing;
    if (m && typeof m === "object") for (const [n, v] of Object.entries(m)) if (Array.isArray(v) && v.length > 0) nodes.add(n);
  }
  return [...nodes].sort().flatMap((node) => {
    const d = diagnoseNode(node, latest, history, opts);
    return d ? [d] : [];
  });
}

function diagnoseNode(node: string, latest: ServerSample[], history: Map<string, ServerSample[]>, opts: DiagnoseOptions): Diagnosis | undefined {
  using all = new RangeSet();
  const missingOn: MissingOn[] = [];
  for (const s of latest) {
    using m = setOf(s, "missing", node);
    if (m.isEmpty) continue;
    all.unionInPlace(m);
    const h = history.get(s.server)!;
    let since = s.at;
    let firstCount: Tick | undefined;
    for (const old of h) {
      using om = setOf(old, "missing", node);
      if (om.isEmpty || om.isDisjointFrom(m)) continue;
      since = Math.min(since, old.at);
      firstCount ??= om.count();
    }
    const count = m.count();
    const trend = h.length < 2 || firstCount === undefined || since === s.at ? "once" : count < firstCount ? "shrinking" : count > firstCount ? "growing" : "steady";
    missingOn.push({ server: s.server, ticks: m.toState(), count, since, trend });
  }
  if (all.isEmpty) return undefined;

  // who still has them
  const holders: Holder[] = [];
  using recoverable = new RangeSet();
  const askedOf: string[] = [];
  for (const s of latest) {
    using present = setOf(s, "present", node).intersectInPlace(all);
    using deleted = setOf(s, "deleted", node).intersectInPlace(all).subtractInPlace(present);
    using superseded = setOf(s, "superseded", node).intersectInPlace(all).subtractInPlace(present).subtractInPlace(deleted);
    if (!(present.isEmpty && deleted.isEmpty && superseded.isEmpty)) {
      holders.push({ server: s.server, present: present.toState(), superseded: superseded.toState(), deleted: deleted.toState() });
      recoverable.unionInPlace(present).unionInPlace(deleted).unionInPlace(superseded);
      using asked = setOf(s, "remote_missing", node);
      if (!asked.isDisjointFrom(all)) askedOf.push(s.server);
    }
  }
  using lost = all.subtract(recoverable);
  const lostEverywhere = !lost.isEmpty && latest.every((s) => {
    using m = setOf(s, "missing", node);
    return lost.isSubsetOf(m);
  });
  const trends = missingOn.map((m) => m.trend);
  const moving = trends.includes("shrinking") ? true : trends.every((t) => t === "once") ? undefined : false;

  const publisher = publisherOf(node, latest, opts.gossip);
  const ifMarked = markRisk(node, all, latest);
  const actions: Action[] = [];
  const cli = opts.cli ?? "ticktock";

  if (!recoverable.isEmpty) {
    const who = holders.map((h) => h.server);
    const many = who.length > 1;
    const how = moving
      ? `${many ? "are" : "is"} re-sending (the missing count shrank while watched)`
      : askedOf.length > 0
        ? `${many ? "are" : "is"} re-sending (asked: ${names(askedOf)} list${askedOf.length === 1 ? "s" : ""} them as missing elsewhere)`
        : moving === false
          ? `re-send${many ? "" : "s"} when asked, but nothing moved while watched`
          : `re-send${many ? "" : "s"} when asked; the missing servers ask within seconds (add --watch SECONDS to see it move)`;
    const ticks = recoverable.toState();
    actions.push({ kind: "wait", ticks, servers: who, text: `wait: server ${names(who)} ${many ? "hold" : "holds"} ${tickWords(ticks)} and ${how}` });
  }
  if (!lost.isEmpty) {
    const deleted = ifMarked.safer === "deleted";
    const at = chooseServer(node, lost, latest);
    const lostState = lost.toState();
    // a long list: `mark NODE` takes the server's own missing list, when that is exactly the lost ticks
    let ticks = tickArgs(lostState);
    if (ticks.length > 50 && at) {
      using m = setOf(at, "missing", node);
      if (m.equals(lost)) ticks = [];
    }
    const command = [cli, "internal", "mark", shellWord(node), ...ticks, ...(deleted ? ["--deleted"] : []), "--broadcast", ...(at?.address ? ["--server", at.address] : []), ...(opts.serverFlags ? [opts.serverFlags] : [])].join(" ");
    if (publisher.state === "alive" && !latest.some((s) => s.server === node)) {
      actions.push({ kind: "ask", ticks: lostState, deleted, command, text: `ask ${node} first: it is alive but was not asked and may still hold ${tickWords(lostState)} (add --server HOST:PORT for it); if it does not: ${command}` });
    } else {
      actions.push({ kind: "mark", ticks: lostState, deleted, command, text: `run: ${command}` });
    }
  }

  const d: Diagnosis = {
    node,
    missing: all.toState(),
    count: all.count(),
    missingOn,
    holders,
    recoverable: recoverable.toState(),
    lost: lost.toState(),
    lostEverywhere,
    requests: { askedOf, moving },
    publisher,
    ifMarked,
    actions,
    words: [],
  };
  d.words = explain(d, latest, opts);
  return d;
}

/** The server the mark command goes to: one that misses the lost ticks and has an address. */
function chooseServer(node: string, lost: RangeSet, latest: ServerSample[]): ServerSample | undefined {
  const withAddress = latest.filter((s) => s.address);
  return withAddress.find((s) => {
    using m = setOf(s, "missing", node);
    return !m.isDisjointFrom(lost);
  }) ?? withAddress[0];
}

function publisherOf(node: string, latest: ServerSample[], gossip: GossipHeard | undefined): Publisher {
  const reached = latest.find((s) => s.server === node);
  if (reached) return { state: "alive", why: `${node} is alive: it answered the doctor${reached.address ? ` at ${reached.address}` : ""}` };
  if (!gossip) return { state: "unknown", why: `whether ${node} is alive is unknown: it is not among the servers asked (give --mqtt URL to listen for it in the gossip)` };
  const h = gossip.heard[node];
  if (h) return { state: "alive", why: `${node} is alive: heard in the gossip (${h.how}) ${seconds(gossip.to - h.at)} before the end of listening` };
  return { state: "gone", why: `${node} looks gone: not heard in the gossip (pings, info, updates) during ${seconds(gossip.to - gossip.from)} of listening` };
}

/** What a mark of the node's missing ticks could leave wrong, and which mark is safer. */
function markRisk(node: string, missing: RangeSet, latest: ServerSample[]): Diagnosis["ifMarked"] {
  const last = missing.last()!;
  const seen = new Set<string>();
  const couldResurface: EntryRef[] = [];
  for (const s of latest) {
    for (const e of s.entries?.[node] ?? []) {
      if (!(e.tick < last) || seen.has(e.path)) continue;
      seen.add(e.path);
      couldResurface.push(e);
    }
  }
  // the node's changes the servers know of: deletions only (a deleter), or updates too?
  using deletions = new RangeSet(), updates = new RangeSet();
  for (const s of latest) {
    using del = setOf(s, "deleted", node);
    using sup = setOf(s, "superseded", node);
    using pre = setOf(s, "present", node);
    deletions.unionInPlace(del);
    updates.unionInPlace(sup.subtractInPlace(del)).unionInPlace(pre);
  }
  using overlap = updates.subtract(deletions);
  if (!deletions.isEmpty && overlap.isEmpty) {
    return { couldResurface, safer: "deleted", why: `every change of ${node} the servers know of was a deletion, so the missing ones most likely were too: --deleted is the safer mark` };
  }
  return {
    couldResurface,
    safer: "superseded",
    why: deletions.isEmpty
      ? `${node}'s known changes are updates, none a deletion: mark them superseded (the default); --deleted is for ticks known to be deletions`
      : `${node}'s known changes include updates: mark them superseded (the default) unless you know the missing ones were deletions (then --deleted)`,
  };
}

function explain(d: Diagnosis, latest: ServerSample[], opts: DiagnoseOptions): string[] {
  const w: string[] = [];
  const servers = d.missingOn.map((m) => m.server);
  const since = Math.min(...d.missingOn.map((m) => m.since));
  const newest = Math.max(...latest.map((s) => s.at));
  const sameTicks = d.missingOn.every((m) => tickArgs(m.ticks).join() === tickArgs(d.missing).join());
  const sinceWords = newest - since >= 1000 ? `since ${hhmmss(since)} at least, ${seconds(newest - since)}` : `seen at ${hhmmss(since)}`;
  if (sameTicks) {
    w.push(`${d.node}'s ${tickWords(d.missing)} ${d.count === 1 ? "is" : "are"} missing on ${servers.length === latest.length && latest.length > 1 ? "every server asked: " : ""}${names(servers)} (${sinceWords}).`);
  } else {
    w.push(`${d.node}'s ${tickWords(d.missing)} ${d.count === 1 ? "is" : "are"} missing (${sinceWords}):`);
    for (const m of d.missingOn) w.push(`  on ${m.server}: ${tickWords(m.ticks)}${m.trend === "once" ? "" : ` (${m.trend})`}`);
  }
  if (d.holders.length === 0) {
    w.push(`No server asked holds ${d.count === 1 ? "it" : "them"}: ${d.lostEverywhere ? "lost everywhere" : "lost"}${opts.unreachable?.length ? `, unless ${names(opts.unreachable.map((u) => u.server))} (not reached) has ${d.count === 1 ? "it" : "them"}` : ""}; recovery cannot bring ${d.count === 1 ? "it" : "them"} back.`);
  } else {
    for (const h of d.holders) {
      const parts = [
        h.present.length ? `holds ${tickWords(h.present)} with their data` : "",
        h.superseded.length ? `knows ${tickWords(h.superseded)} as superseded` : "",
        h.deleted.length ? `knows ${tickWords(h.deleted)} as deleted` : "",
      ].filter(Boolean);
      const one = tickArgs([...h.present, ...h.superseded, ...h.deleted]).join().match(/^\d+$/);
      w.push(`${h.server} ${parts.join(", ")}, so recovery can bring ${one ? "it" : "them"} to the others.`);
    }
    if (d.lost.length) w.push(`Nobody asked has ${tickWords(d.lost)}: ${d.lostEverywhere ? "lost everywhere" : "lost"}.`);
  }
  if (d.requests.askedOf.length) w.push(`Requests are going out: ${names(d.requests.askedOf)} ${d.requests.askedOf.length === 1 ? "lists" : "list"} them as missing elsewhere (remote_missing).`);
  if (d.requests.moving === true) w.push("Re-sends are arriving: the missing count shrank while watched.");
  else if (d.requests.moving === false) w.push("Nothing moved while watched: the missing count did not shrink.");
  w.push(`${d.publisher.why}.`);
  if (d.lost.length) {
    const r = d.ifMarked.couldResurface;
    if (r.length) {
      const shown = r.slice(0, 5).map((e) => `${e.path} (tick ${e.tick})`);
      w.push(`If marked: ${names(r.length > 5 ? [...shown, `${r.length - 5} more`] : shown)} could keep an older value, or come back if deleted, should the lost change have replaced or deleted ${r.length === 1 ? "it" : "them"}; no mark restores a lost change.`);
    } else {
      w.push(`If marked: no entry's newest change by ${d.node} is older than the lost ticks, so none can come back or go stale.`);
    }
    w.push(`${d.ifMarked.why}.`);
  }
  for (const a of d.actions) w.push(`${a.text.charAt(0).toUpperCase()}${a.text.slice(1)}`);
  return w;
}
