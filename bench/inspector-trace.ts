// Where a timeline redraw's time goes, from a Chromium trace of the inspector benchmark's zoom phase:
//
//   TICKTOCK_INSPECTOR_TRACE=/tmp/zoom node --import tsx bench/inspector.ts
//   node --import tsx bench/inspector-trace.ts /tmp/zoom-3.json /tmp/zoom-100.json
//
// Each redraw is a "ticktock:timeline" measure (from the key to the drawn raster). Within it:
// how long the observer worker ran (its raster, its runsAt answers), and what the page's main
// thread did: input events, animation-frame callbacks, rendering (style, layout, paint, layerize,
// commit), worker messages taken (HandlePostMessage), and how long it sat idle. Printed: the
// median and p90 redraw, and the composition of the median and the slower tenth.

import { readFileSync } from "node:fs";

interface TraceEvent { ph: string; name: string; cat?: string; ts: number; dur?: number; pid: number; tid: number; args?: { name?: string } }

const RENDERING = new Set(["UpdateLayoutTree", "Layout", "PrePaint", "Paint", "Layerize", "Commit"]);
const KINDS = ["input", "frame callbacks", "rendering", "messages"] as const;
const kindOf = (name: string): (typeof KINDS)[number] | undefined =>
  name === "EventDispatch" ? "input" : name === "FireAnimationFrame" ? "frame callbacks" : RENDERING.has(name) ? "rendering" : name === "HandlePostMessage" ? "messages" : undefined;

interface Redraw { ms: number; worker: number; main: number; kinds: Record<string, number>; messages: number }

function analyse(file: string): Redraw[] {
  const raw = JSON.parse(readFileSync(file, "utf8")) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const ev = Array.isArray(raw) ? raw : raw.traceEvents;
  const thread = new Map<string, string>();
  for (const e of ev) if (e.ph === "M" && e.name === "thread_name") thread.set(`${e.pid}:${e.tid}`, e.args?.name ?? "");
  const main = [...thread].find(([, n]) => n === "CrRendererMain")?.[0];
  const workers = new Set([...thread].filter(([, n]) => n === "DedicatedWorker thread").map(([k]) => k));
  const marks = ev.filter((e) => e.name === "ticktock:timeline" && e.cat?.startsWith("blink.user_timing"));
  const begins = marks.filter((e) => e.ph === "b").map((e) => e.ts).sort((a, b) => a - b);
  const ends = marks.filter((e) => e.ph === "e").map((e) => e.ts).sort((a, b) => a - b);
  const tasks = ev.filter((e) => e.ph === "X" && e.name === "ThreadControllerImpl::RunTask");
  const kids = ev.filter((e) => e.ph === "X" && kindOf(e.name) && `${e.pid}:${e.tid}` === main);
  const overlap = (e: TraceEvent, b: number, end: number) => Math.max(0, Math.min(e.ts + (e.dur ?? 0), end) - Math.max(e.ts, b)) / 1000;
  return begins.map((b, i) => {
    const end = ends[i]!;
    const r: Redraw = { ms: (end - b) / 1000, worker: 0, main: 0, kinds: Object.fromEntries(KINDS.map((k) => [k, 0])), messages: 0 };
    for (const t of tasks) {
      const k = `${t.pid}:${t.tid}`;
      if (k === main) r.main += overlap(t, b, end);
      else if (workers.has(k)) r.worker += overlap(t, b, end);
    }
    for (const e of kids) {
      const o = overlap(e, b, end);
      if (o <= 0) continue;
      r.kinds[kindOf(e.name)!]! += o;
      if (e.name === "HandlePostMessage") r.messages++;
    }
    return r;
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const describe = (rs: Redraw[]) => {
  const avg = (f: (r: Redraw) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
  const main = avg((r) => r.main), ms = avg((r) => r.ms);
  return `${ms.toFixed(1)} ms: worker ${avg((r) => r.worker).toFixed(1)}; main thread ${main.toFixed(1)} (${KINDS.map((k) => `${k} ${avg((r) => r.kinds[k]!).toFixed(1)}`).join(", ")}; ${avg((r) => r.messages).toFixed(1)} messages taken), idle ${(ms - main).toFixed(1)}`;
};

for (const file of process.argv.slice(2)) {
  const rs = analyse(file).sort((a, b) => a.ms - b.ms);
  if (rs.length === 0) {
    console.log(`${file}: no ticktock:timeline measures`);
    continue;
  }
  const p90 = rs[Math.min(rs.length - 1, Math.floor(0.9 * rs.length))]!;
  console.log(`${file}: ${rs.length} redraws, median ${median(rs.map((r) => r.ms)).toFixed(1)} ms, p90 ${p90.ms.toFixed(1)} ms`);
  const mid = rs.slice(Math.floor(rs.length * 0.4), Math.ceil(rs.length * 0.6));
  console.log(`  middle fifth, mean  ${describe(mid)}`);
  console.log(`  slowest tenth, mean ${describe(rs.slice(Math.floor(rs.length * 0.9)))}`);
}
