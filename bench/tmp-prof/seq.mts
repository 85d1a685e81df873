import { RangeSet, init } from "/work/wt-core/src/core/range-set.js";
import { wasm } from "/work/wt-core/src/wasm/core.js";
import { SortedArraySet } from "/work/wt-core/bench/baseline/sorted-array-set.js";
await init();
const c = wasm();
const N = 1_000_000;
const cases: [string, () => void][] = [
  ["raw rsAddTick", () => { const h = c.rsNew(); for (let t = 1; t <= N; t++) c.rsAddTick(h, t); c.rsFree(h); }],
  ["RangeSet.add", () => { const s = new RangeSet(); for (let t = 1; t <= N; t++) s.add(t); s.dispose(); }],
  ["baseline.add", () => { const s = new SortedArraySet(); for (let t = 1; t <= N; t++) s.add(t); }],
  ["empty loop call rsSize", () => { const h = c.rsNew(); let x = 0; for (let t = 1; t <= N; t++) x += c.rsSize(h); c.rsFree(h); }],
];
const times = cases.map(() => [] as number[]);
for (let r = 0; r < 15; r++) cases.forEach(([, f], i) => { const t0 = performance.now(); f(); times[i]!.push((performance.now() - t0)); });
cases.forEach(([n], i) => { const x = times[i]!.sort((a, b) => a - b); console.log(n.padEnd(24), x[7]!.toFixed(2), "ms [", x[2]!.toFixed(2), "-", x[12]!.toFixed(2), "]"); });
