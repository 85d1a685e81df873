// Where the time of `add(t)` for 1,000,000 sequential ticks goes: the raw core export called from
// a JS loop, RangeSet.add (which coalesces runs since issue 13 goal 3), the TypeScript baseline,
// roaring-wasm, and a lower bound (a plain JS object extending a pending run, one range add at
// the end). Interleaved (harness.ts). Figures: bench/README.md, "Coalesced appends".
//
//   node --expose-gc --import tsx bench/append-probe.ts [rounds]

import { RoaringBitmap32 as RoaringWasm, roaringLibraryInitialize } from "roaring-wasm";
import { RangeSet, init } from "../src/core/range-set.js";
import { wasm } from "../src/wasm/core.js";
import { SortedArraySet } from "./baseline/sorted-array-set.js";
import { formatStats, measure, timed } from "./harness.js";

const N = 1_000_000;

class PendingRun {
  a = NaN;
  l = NaN;
  constructor(readonly h: number) {}
  add(t: number): void {
    if (t === this.l + 1) { this.l = t; return; }
    if (this.l >= 0) wasm().rsAdd(this.h, this.a, this.l);
    this.a = this.l = t;
  }
  flush(): void {
    if (this.l >= 0) wasm().rsAdd(this.h, this.a, this.l);
    this.a = this.l = NaN;
  }
}

await init();
await roaringLibraryInitialize();
const c = wasm();
const cases = {
  "raw rsAddTick loop": () => { const h = c.rsNew(); for (let t = 1; t <= N; t++) c.rsAddTick(h, t); c.rsFree(h); },
  "raw rsSize loop (the call alone)": () => { const h = c.rsNew(); let x = 0; for (let t = 1; t <= N; t++) x += c.rsSize(h); c.rsFree(h); return x; },
  "RangeSet.add": () => { const s = new RangeSet(); for (let t = 1; t <= N; t++) s.add(t); s.dispose(); },
  "baseline add": () => { const s = new SortedArraySet(); for (let t = 1; t <= N; t++) s.add(t); return s; },
  "roaring-wasm add": () => { const s = new RoaringWasm(); for (let t = 1; t <= N; t++) s.add(t); s.dispose(); },
  "JS pending run, one rsAdd": () => { const h = c.rsNew(); const p = new PendingRun(h); for (let t = 1; t <= N; t++) p.add(t); p.flush(); c.rsFree(h); },
};
const rounds = Number(process.argv[2] ?? 3);
for (let r = 0; r < rounds; r++) {
  const names = Object.keys(cases) as (keyof typeof cases)[];
  const stats = measure(names.map((k) => timed(cases[k])));
  console.log(`round ${r + 1}`);
  names.forEach((k, i) => console.log(`  ${k.padEnd(36)} ${formatStats(stats[i]!)} per 1M  (${(stats[i]!.median / N).toFixed(2)} ns/add)`));
}
