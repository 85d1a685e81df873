// Loading the WebAssembly core once, and moving u64 values across its boundary.
//
// The module imports nothing. By default it is compiled from bytes embedded in the bundle
// (core-binary.ts), so the same code runs in Node, Deno, Bun, browsers and workers. Runtimes that
// forbid compiling WebAssembly at run time (Cloudflare Workers, Vercel's Edge Runtime) take the
// precompiled module instead: `import core from "ticktock/core.wasm"; await init(core)`.
//
// Two builds are embedded: the scalar core, which every engine runs, and the same core with
// WebAssembly SIMD (v128) kernels. Without a source, init() takes the SIMD build where
// `WebAssembly.validate` accepts it (Node 20, Deno, Bun, Chromium, workerd) and the scalar one
// elsewhere. useKernel("scalar") before init() (or TICKTOCK_KERNEL=scalar in the environment)
// forces the scalar build, so tests run both kernels against the same model.
//
// Views: growing linear memory detaches every typed-array view over it. `mem()` re-creates the
// views when the buffer changed, so call it after anything that may allocate.

import { CORE_SIMD_WASM_BASE64, CORE_WASM_BASE64 } from "./core-binary.js";

/** The raw exports of the core; see assembly/index.ts for each function's contract. */
export interface CoreExports {
  memory: WebAssembly.Memory;
  argsPtr(): number;
  /** 1 in the SIMD build, 0 in the scalar one (absent in cores built before there were two). */
  coreSimd?(): number;
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
  rsAddTick(s: number, t: number): void;
  rsDiscardTick(s: number, t: number): void;
  rsAddTickArgs(s: number): void;
  rsDiscardTickArgs(s: number): void;
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
  /** Tune when bitmap chunks are made (assembly/dense.ts); absent in cores built before them. */
  rsSetDense?(denseMin: number, sparseBits: number, densifyAt: number): void;
  rsBitmaps?(s: number): number;
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

/**
 * Where the core comes from: a compiled `WebAssembly.Module` (what a Worker gets from
 * `import core from "ticktock/core.wasm"`), the bytes of core.wasm, or a `Response` carrying them
 * (`fetch(".../core.wasm")`, streamed where the runtime can). Default: the bytes embedded in the bundle.
 */
export type CoreSource = WebAssembly.Module | BufferSource | Response | PromiseLike<Response>;

/** The fix named when the runtime refuses to compile WebAssembly from bytes. */
export const PRECOMPILED_HINT =
  'import the precompiled core and pass it to init(): import core from "ticktock/core.wasm"; await init(core)';

type BufferLike = { from(s: string, encoding: "base64"): Uint8Array };

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  // Node, Bun and Deno decode natively; atob() and a loop over its characters in Node are
  // JavaScript hot enough for V8 to optimise at start-up, memory an idle node keeps
  const native = (globalThis as { Buffer?: BufferLike }).Buffer;
  if (typeof native?.from === "function") return new Uint8Array(native.from(b64, "base64")); // a copy with an ArrayBuffer of its own
  const bin = atob(b64);
  const bytes = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

const NEEDED = ["memory", "argsPtr", "rsNew", "rsFree", "rsImport", "rsExport"] as const;

/** The instance's exports, checked to be ticktock's core and not some other module. */
function coreOf(instance: WebAssembly.Instance, what: string): CoreExports {
  const missing = NEEDED.filter((name) => !(name in instance.exports));
  if (missing.length) throw new TypeError(`ticktock init(): ${what} is not ticktock's core: it does not export ${missing.join(", ")}; expected ticktock/core.wasm`);
  return instance.exports as unknown as CoreExports;
}

/** Compiling refused by the runtime's policy (workerd, Vercel Edge), as opposed to broken bytes. */
const refusedByRuntime = (e: unknown) => /disallowed|not allowed|code generation/i.test(String((e as Error)?.message));

function compileFailed(e: unknown, what: string): Error {
  const reason = (e as Error)?.message ?? String(e);
  if (refusedByRuntime(e)) return new Error(`ticktock init(): this runtime does not compile WebAssembly from bytes (${reason}); ${PRECOMPILED_HINT}`, { cause: e });
  return new Error(`ticktock init(): cannot compile ${what}: ${reason}`, { cause: e });
}

async function instantiateBytes(bytes: BufferSource, what: string): Promise<CoreExports> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes);
  } catch (e) {
    throw compileFailed(e, what);
  }
  return coreOf(await WebAssembly.instantiate(module, {}), what);
}

async function instantiateResponse(res: Response): Promise<CoreExports> {
  const what = `the core.wasm from ${res.url || "a Response"}`;
  if (!res.ok) throw new Error(`ticktock init(): ${what} answered ${res.status} ${res.statusText}`.trimEnd());
  // streaming compiles while the bytes arrive, but needs content-type application/wasm: else fall back
  if (typeof WebAssembly.instantiateStreaming === "function" && /^application\/wasm\b/i.test(res.headers.get("content-type") ?? "")) {
    try {
      return coreOf((await WebAssembly.instantiateStreaming(res.clone(), {})).instance, what);
    } catch (e) {
      if (refusedByRuntime(e)) throw compileFailed(e, what);
      if (e instanceof TypeError && /not ticktock's core/.test(e.message)) throw e;
    }
  }
  return instantiateBytes(await res.arrayBuffer(), what);
}

/** Which embedded build init() takes without a source: "auto" picks SIMD where the engine runs it. */
export type Kernel = "auto" | "simd" | "scalar";
const envKernel = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TICKTOCK_KERNEL;
let preferred: Kernel = envKernel === "scalar" || envKernel === "simd" ? envKernel : "auto";

/**
 * Choose the embedded build before init(): "scalar" forces the scalar kernels (for tests and
 * comparisons), "simd" insists on the v128 ones, "auto" (the default) takes SIMD where the engine
 * validates it. It has no effect once the core is loading or loaded, nor on a source given to init().
 */
export function useKernel(kernel: Kernel): void {
  if (kernel !== "auto" && kernel !== "simd" && kernel !== "scalar") throw new TypeError(`ticktock useKernel(): unknown kernel ${String(kernel)}; expected "auto", "simd" or "scalar"`);
  preferred = kernel;
}

/** Whether the engine accepts the SIMD build; false where validating is refused too. */
function simdRuns(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly.validate === "function" && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

function embedded(): Promise<CoreExports> {
  if (CORE_WASM_BASE64.length === 0) {
    return Promise.reject(new Error("ticktock init(): this bundle carries no embedded core (it was built to be given one, as the edge Worker is); pass the core to init(): a WebAssembly.Module, the bytes of core.wasm or a Response"));
  }
  if (preferred !== "scalar") {
    const simd = decodeBase64(CORE_SIMD_WASM_BASE64);
    if (preferred === "simd" || simdRuns(simd)) return instantiateBytes(simd, "the embedded core (SIMD build)");
  }
  return instantiateBytes(decodeBase64(CORE_WASM_BASE64), "the embedded core");
}

async function load(source: CoreSource | undefined): Promise<CoreExports> {
  if (source === undefined) return embedded();
  // by tag, not instanceof: a module may come from another realm (Vercel's Edge Runtime, vm contexts)
  const kind = Object.prototype.toString.call(source).slice(8, -1);
  if (kind === "WebAssembly.Module") return coreOf(await WebAssembly.instantiate(source as WebAssembly.Module, {}), "the WebAssembly.Module given");
  if (ArrayBuffer.isView(source) || kind === "ArrayBuffer" || kind === "SharedArrayBuffer") return instantiateBytes(source as BufferSource, "the bytes given");
  if (kind === "Response") return instantiateResponse(source as Response);
  if (typeof (source as PromiseLike<Response>)?.then === "function") return load(await (source as PromiseLike<Response>));
  throw new TypeError(`ticktock init(): cannot load the core from a ${kind}; expected a WebAssembly.Module, the bytes of core.wasm (ArrayBuffer or a typed array) or a Response`);
}

/**
 * Instantiate the core, once. The first call decides where it comes from: while it is loading
 * and after it has loaded, every later call returns the same core and ignores its `source`.
 * Only a failed load is forgotten, so init() that the runtime refused can be followed by
 * init(module).
 */
export function init(source?: CoreSource): Promise<CoreExports> {
  if (core) return Promise.resolve(core);
  loading ??= load(source).then(
    (exports) => (core = exports),
    (e: unknown) => {
      loading = undefined;
      throw e;
    },
  );
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

/** Which build of the core is loaded: "simd" (v128 kernels) or "scalar". */
export function coreKernel(): "simd" | "scalar" {
  return wasm().coreSimd?.() === 1 ? "simd" : "scalar";
}
