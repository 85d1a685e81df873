// A child process of the node memory benchmark (bench/node-memory.ts): one node, the built code
// (dist/, so that no TypeScript loader sits in the figures), fed N gossip `update` messages
// through a transport that only hands them over. Prints one JSON line:
//   heap and RSS before and after (each after a full gc), and the V8 size of the entries' own path strings.
//
//   node --expose-gc bench/node-memory-child.mjs N [default]
//
// V8's young generation is kept small as the CLI's node keeps it, unless "default" is given.
//
// Updates as the ingest benchmark's publisher sends them, but to N distinct paths
// ("bench", "k<tick>"), each a new entry; values are small integers (no heap of their own).

import { setFlagsFromString } from "node:v8";
import { YOUNG_GENERATION_FLAG } from "../dist/cli/young-generation.js";
import { init } from "../dist/core/range-set.js";
import { TicktockNode } from "../dist/node/node.js";
import { encodeValue } from "../dist/wire/codec.js";
import { Path } from "../dist/wire/path.js";

const n = Number(process.argv[2]);
if (!Number.isSafeInteger(n) || n < 1) throw new Error(`node-memory-child: ${process.argv[2]} is not a count of entries`);
if (typeof globalThis.gc !== "function") throw new Error("node-memory-child: run with --expose-gc");

/** V8's size of a sequential one-byte string: 16 bytes of header, the characters, 8-aligned. */
const stringBytes = (s) => Math.ceil((16 + s.length) / 8) * 8;

function measure() {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss, external: m.external + m.arrayBuffers };
}

// as the CLI's node sets it (src/cli/young-generation.ts); "default" leaves V8's default
if (process.argv[3] !== "default") setFlagsFromString(YOUNG_GENERATION_FLAG);
await init();
let deliver;
const transport = {
  state: "connected",
  start: async () => {},
  publish() {},
  onMessage(h) {
    deliver = h;
  },
  onState() {},
  close: async () => {},
};
const node = new TicktockNode({ name: "sink", transport, startupWait: 0, announceInterval: 0, log: () => {} });
await node.start();
const before = measure();
let pathStrings = 0;
const started = performance.now();
for (let t = 1; t <= n; t++) {
  const key = `k${t}`;
  // each entry's own string, its last element ("k<tick>"); "bench" is the same parent for all,
  // which the node holds once, in its tree (src/node/entry-record.ts). (Up to commit 6501b4d every
  // entry kept its decoded path, both strings, and both were subtracted: 24 B more per entry.)
  pathStrings += stringBytes(key);
  deliver("update", encodeValue({ node: "src", tick: t, prev: null, path: Path.of("bench", key), value: t, tock: t }));
}
const ms = performance.now() - started;
const after = measure();
if (node.stats.updatesApplied !== n || node.store.size !== n) throw new Error(`node-memory-child: ${node.stats.updatesApplied} of ${n} updates applied, ${node.store.size} entries`);
process.stdout.write(`${JSON.stringify({ entries: n, ms, before, after, pathStrings })}\n`);
await node.stop();
