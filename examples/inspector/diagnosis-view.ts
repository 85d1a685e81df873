// The gaps, each with the doctor's diagnosis beside it.
//
// The gaps come from the observer (ticks nobody was seen publishing, and what servers asked for);
// the diagnosis comes from the doctor (src/console/doctor/, `ticktock doctor`), which runs in the
// observer worker (its diagnose call) and samples the server the page reaches every few seconds.

import type { ClusterSnapshot } from "../../src/observer/cluster-observer.js";
import type { RangeMap } from "../../src/wire/messages.js";
import type { GapDiagnosis } from "../../src/console/doctor/gap-items.js";

export type { GapDiagnosis };

/** A gap as the page sees it: a node's ticks that are not everywhere. */
export interface Gap {
  node: string;
  /** Ticks nobody was seen publishing (the observer's own missing set), cut like the snapshot's. */
  unseen?: RangeMap[string];
  unseenCount?: number | bigint;
  /** Servers that asked for ticks of this node, with what they lack and who could serve it. */
  lacking: { server: string; lacks: RangeMap[string]; canServe: string[] }[];
}

const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

/** The gaps of a snapshot, one per node, in node order. */
export function gapsOf(snap: ClusterSnapshot): Gap[] {
  const gaps = new Map<string, Gap>();
  const gap = (node: string) => {
    let g = gaps.get(node);
    if (!g) gaps.set(node, (g = { node, lacking: [] }));
    return g;
  };
  for (const [node, ticks] of Object.entries(snap.unseen)) Object.assign(gap(node), { unseen: ticks, unseenCount: snap.unseenCount[node] });
  for (const m of snap.matrix) gap(m.node).lacking.push({ server: m.server, lacks: m.lacks, canServe: m.canServe });
  return [...gaps.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

/** Fill one gap's diagnosis slot with the diagnoses for its node (none: the slot is hidden). */
export function renderDiagnosis(slot: HTMLElement, items: GapDiagnosis[]): void {
  slot.hidden = items.length === 0;
  slot.replaceChildren(...items.map((d) => {
    const p = document.createElement("p");
    p.className = "diagnosis-item";
    const ticks = document.createElement("span");
    ticks.className = "ticks";
    ticks.textContent = typeof d.ticks === "string" ? d.ticks : show(d.ticks);
    p.append(ticks, " ", d.text);
    if (d.command) {
      const code = document.createElement("code");
      code.className = "command";
      code.textContent = d.command;
      p.append(" ", code);
    }
    return p;
  }));
}

/** The gaps list: one item per gap with its facts and its diagnosis slot (.diagnosis[data-node]). */
export function renderGaps(list: HTMLElement, gaps: Gap[], diagnoses: GapDiagnosis[]): void {
  // items for nodes the doctor diagnosed that the observer shows no gap for still get a place
  const all = [...gaps];
  for (const d of diagnoses) if (!all.some((g) => g.node === d.node)) all.push({ node: d.node, lacking: [] });
  list.replaceChildren(...all.map((g) => {
    const li = document.createElement("li");
    li.dataset.node = g.node;
    const facts = document.createElement("div");
    facts.className = "gap-facts";
    const parts: string[] = [];
    if (g.unseen) parts.push(`not seen published: ${show(g.unseen)}${g.unseenCount !== undefined && g.unseen.length >= 50 ? ` (${String(g.unseenCount)} ticks)` : ""}`);
    for (const l of g.lacking) parts.push(`${l.server} lacks ${show(l.lacks)}, ${l.canServe.length ? `can come from ${l.canServe.join(", ")}` : "nobody can serve them"}`);
    const name = document.createElement("strong");
    name.textContent = g.node;
    facts.append(name, ` ${parts.join("; ")}`);
    const slot = document.createElement("div");
    slot.className = "diagnosis";
    slot.dataset.node = g.node;
    renderDiagnosis(slot, diagnoses.filter((d) => d.node === g.node));
    li.append(facts, slot);
    return li;
  }));
}
