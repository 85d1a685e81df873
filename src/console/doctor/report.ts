// The doctor's findings as a whole: the exit status and the plain-words report (the CLI prints
// it; the inspector may show it). Pure and browser-safe.

import type { Diagnosis, GossipHeard, ServerSample } from "./diagnose.js";

export interface DoctorFindings {
  /** Every sample taken (several per server with --watch). */
  samples: ServerSample[];
  diagnoses: Diagnosis[];
  /** Servers that could not be asked, each with why. */
  unreachable: { server: string; why: string }[];
  gossip?: GossipHeard & { url: string };
  /** Seconds watched (0: one look). */
  watched: number;
}

/** 0 healthy, 1 something missing, 2 a server could not be reached (that wins: the view is incomplete). */
export function doctorExitCode(f: Pick<DoctorFindings, "diagnoses" | "unreachable">): 0 | 1 | 2 {
  if (f.unreachable.length > 0) return 2;
  return f.diagnoses.length > 0 ? 1 : 0;
}

/** The report in plain words, for a terminal. */
export function reportText(f: DoctorFindings): string {
  const out: string[] = [];
  const latest = new Map<string, ServerSample>();
  for (const s of f.samples) if ((latest.get(s.server)?.at ?? -Infinity) <= s.at) latest.set(s.server, s);
  const asked = [...latest.values()].sort((a, b) => (a.server < b.server ? -1 : a.server > b.server ? 1 : 0)).map((s) => (s.address ? `${s.server} (${s.address})` : s.server));
  const rounds = f.samples.length && latest.size ? Math.round(f.samples.length / latest.size) : 0;
  out.push(asked.length
    ? `Asked ${asked.length} server${asked.length === 1 ? "" : "s"}: ${asked.join(", ")}${f.watched > 0 ? `, ${rounds} times over ${f.watched} s` : ""}.`
    : "No server could be asked.");
  if (f.gossip) {
    const heard = Object.keys(f.gossip.heard).sort();
    out.push(`Listened to the gossip at ${f.gossip.url} for ${Math.round((f.gossip.to - f.gossip.from) / 1000)} s: ${heard.length ? `heard ${heard.join(", ")}` : "heard nobody"}.`);
  }
  for (const u of f.unreachable) out.push(`Could not reach ${u.server}: ${u.why}.`);
  out.push("");
  if (f.diagnoses.length === 0) {
    out.push(asked.length ? `Healthy: no server asked misses any tick.${f.unreachable.length ? " (The servers not reached were not checked.)" : ""}` : "Nothing to diagnose.");
  }
  for (const d of f.diagnoses) {
    out.push(`${d.node}: ${d.count} tick${d.count === 1 ? "" : "s"} missing`);
    for (const line of d.words) out.push(`  ${line}`);
    out.push("");
  }
  return `${out.join("\n").trimEnd()}\n`;
}
