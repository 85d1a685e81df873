// Loading the embedded WebAssembly core once, and moving u64 values across its boundary.
//
// The module imports nothing and is instantiated from bytes embedded in the bundle
// (core-binary.ts), so the same code runs in Node, Deno, browsers and workers.
//
// Views: growing linear memory detaches every typed-array view over it. `mem()` re-creates the
// views when the buffer changed, so call it after anything that may allocate.

import { CORE_WASM_BASE64 } from "./core-binary.js";

/** The raw exports of the core; see assembly/index.ts for each function's contract. */
export interface CoreExports {
  memory: WebAssembly.Memory;
  argsPtr(): number;
  memAlloc(bytes: number): number;
  memFree(ptr: number): void;
  rsNew(): number;
  rsFree(s: number): void;
  rsClear(s: number): void;
  rsTake(a: number, b: number): void;
  rsCopy(dst: number, src: number): void;
  rsAdd(s: number, a: number, l: number): void;
  rsDiscard(s: number, a: number, l: number): void;
  rsHas(s: number, t: number): number;
  rsAddArgs(s: number): void;
  rsDiscardArgs(s: number): void;
  rsHasArgs(s: number): number;
  rsSize(s: number): number;
  rsCount(s: number): number;
  rsBounds(s: number): number;
  rsCheck(s: number): number;
  rsSweep(a: number, b: number, op: number, out: number): void;
  rsAny(a: number, b: number, op: number): number;
  rsUnion(a: number, b: number, out: number): void;
  rsIntersect(a: number, b: number, out: number): void;
  rsDifference(a: number, b: number, out: number): void;
  rsEquals(a: number, b: number): number;
  rsMissing(present: number, superseded: number, out: number): void;
  rsRaster(s: number, width: number, out: number): void;
  rsImport(s: number, ptr: number, n: number, encoding: number): number;
  rsBadPair(): number;
  rsExport(s: number, ptr: number): number;
}

/** Truth tables for rsSweep / rsAny (assembly/merge.ts). */
export const OP = {
  union: 0b1110,
  intersect: 0b1000,
  difference: 0b0010,
  xor: 0b0110,
  neither: 0b0001,
  notA: 0b0101,
} as const;

/** Pair encodings for rsImport / rsExport (assembly/transfer.ts). */
export const PAIRS_U64 = 0;
export const PAIRS_F64 = 1;

let core: CoreExports | undefined;
let loading: Promise<CoreExports> | undefined;

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Instantiate the core (once; later calls return the same promise). */
export function init(): Promise<CoreExports> {
  if (core) return Promise.resolve(core);
  loading ??= WebAssembly.compile(decodeBase64(CORE_WASM_BASE64))
    .then((module) => WebAssembly.instantiate(module, {}))
    .then((instance) => {
      core = instance.exports as unknown as CoreExports;
      return core;
    });
  return loading;
}

/** The loaded core; throws a clear error before init() has finished. */
export function wasm(): CoreExports {
  if (!core) throw new Error("ticktock: the WebAssembly core is not loaded yet; await init() first");
  return core;
}

/** Views over linear memory, refreshed when memory has grown. */
interface Views {
  buffer: ArrayBuffer;
  u32: Uint32Array;
  u64: BigUint64Array;
  f64: Float64Array;
  args: number; // byte address of the four u64 argument slots
}
let views: Views | undefined;

export function mem(): Views {
  const c = wasm();
  const buffer = c.memory.buffer;
  if (!views || views.buffer !== buffer) {
    views = {
      buffer,
      u32: new Uint32Array(buffer),
      u64: new BigUint64Array(buffer),
      f64: new Float64Array(buffer),
      args: views?.args ?? c.argsPtr(),
    };
  }
  return views;
}

const TWO_32 = 4294967296;

/** Write a tick (a safe non-negative integer number, or a bigint < 2^64) into argument slot i. */
export function setArg(i: number, t: number | bigint): void {
  const v = mem();
  const w = (v.args >>> 2) + i * 2;
  if (typeof t === "number") {
    v.u32[w] = t >>> 0;
    v.u32[w + 1] = Math.floor(t / TWO_32);
  } else {
    v.u64[(v.args >>> 3) + i] = t;
  }
}

/** Read argument slot i as a bigint. */
export function argBig(i: number): bigint {
  const v = mem();
  return v.u64[(v.args >>> 3) + i]!;
}
