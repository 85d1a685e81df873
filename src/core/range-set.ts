// RangeSet: a set of ticks held by the WebAssembly core, with MoaT-KV's wire form.
//
// The wire form (upstream's RangeSet.__getstate__) is a list of items, each a bare tick t or a
// pair [a, b] meaning a <= t < b: [1, [3, 10]] = {1, 3, 4, ..., 9}. Inside, the core keeps
// sorted, disjoint, non-adjacent closed intervals in a chunked array (assembly/chunks.ts),
// with dense windows of 32,768 ticks held as bitmaps instead (assembly/dense.ts):
//
//   - point operations (add, discard, has) cost O(log n) plus moving at most one chunk;
//   - bulk operations (union, intersect, subtract, missing, equals, subset, disjoint) are
//     single linear merges, O(n + m);
//   - lists cross the JavaScript/WebAssembly boundary in bulk, one typed-array copy per call.
//
// Worked example, a node's missing ticks: present = [[1, 4], 6], superseded = [[4, 6]], tick = 9
//   RangeSet.missing(9, present, superseded).toState()  ->  [[7, 10]]   (ticks 7, 8, 9)
//
// Memory: each RangeSet owns wasm memory. Free it with dispose() / `using`; a
// FinalizationRegistry frees sets that are garbage-collected undisposed, as a safety net only.
//
// Appends are coalesced in JavaScript: a point add of the tick after the last one added only
// moves the end of a pending run [a, l] kept in two number fields; the run reaches the core as
// one range add when a point add lands elsewhere, or before anything else reads or writes the
// core's copy of the set. Building 1,000,000 sequential ticks is then one wasm call instead of a
// million (bench/README.md, "Coalesced appends"). The rule that keeps it correct: the core's
// handle is read through #handle(), which flushes the run; only the point operations' hot paths
// (add, discard, has) read #h directly, and each accounts for the run itself (the set is always
// core ∪ run).

import { DisposedError, RangeStateError, TickError, show } from "./errors.js";
import { END_OF_TICKS, MAX_TICK, checkTick, tickOut, type Tick } from "./tick.js";
import { OP, PAIRS_F64, PAIRS_U64, init as initCore, mem, setArg, argBig, wasm, type CoreExports, type CoreSource } from "../wasm/core.js";

/** One wire item: a tick, or a half-open range [a, b). */
export type RangeItem = Tick | [Tick, Tick];
/** A RangeSet on the wire. */
export type RangeSetState = RangeItem[];

const dispose: typeof Symbol.dispose = (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for("Symbol.dispose") as typeof Symbol.dispose);

const registry = new FinalizationRegistry<number>((handle) => {
  try {
    wasm().rsFree(handle);
  } catch {
    /* the core is gone with the realm; nothing to free */
  }
});

/**
 * Load the WebAssembly core; await it once before using any RangeSet. Without `source` it compiles
 * the bytes embedded in the bundle; where the runtime forbids that (Cloudflare Workers, Vercel
 * Edge), pass the precompiled module: `import core from "ticktock/core.wasm"; await init(core)`.
 * The first call wins: later calls, whatever their source, wait for the same core.
 */
export async function init(source?: CoreSource): Promise<void> {
  await initCore(source);
}

/**
 * The loaded core, for the point operations' hot path: set by every constructor, so any set with a
 * live handle finds it here without the call and check of wasm() (measured ~1.5x the cost of a
 * sequential add(t) in all).
 */
let hot: CoreExports | undefined;

const TWO_32 = 4294967296;
const SAFE_LAST = Number.MAX_SAFE_INTEGER - 1; // last + 1 must stay a safe number

let emptyHandle = 0;
function emptySet(): number {
  if (emptyHandle === 0) emptyHandle = wasm().rsNew();
  return emptyHandle;
}

/** Write [0, 2^64 - 1] into the argument slots: the unclipped range for sweeps. */
function setFullRange(): void {
  const v = mem();
  const w = v.args >>> 2;
  v.u32[w] = 0;
  v.u32[w + 1] = 0;
  v.u32[w + 2] = 0xffffffff;
  v.u32[w + 3] = 0xffffffff;
}

/** Closed interval bounds for a half-open [a, b) given as validated ticks; null when empty. */
function closed(api: string, a: unknown, b: unknown): [Tick, Tick] | null {
  // start may be 2^64 too: [2^64, 2^64) is a valid, empty range
  const lo = checkTick(a, api, "start", END_OF_TICKS);
  const hi = checkTick(b, api, "end", END_OF_TICKS);
  if (!(lo < hi)) {
    if (lo === hi) return null;
    throw new TickError(`${api}: range [${show(a)}, ${show(b)}] is reversed; expected start <= end`);
  }
  const last = typeof hi === "number" ? hi - 1 : tickOut(hi - 1n);
  return [lo, last];
}

export class RangeSet implements Iterable<[Tick, Tick]> {
  /**
   * The core's handle (0 once disposed). Read it through #handle(), which flushes the pending
   * run first; only the point operations' hot paths, #flush, dispose and `disposed` read it directly.
   */
  #h: number;
  /**
   * #pl: the last tick added by a point add; #pa..#pl: the run of ticks up to it not yet in the
   * core (empty when #pa = #pl + 1). Both safe integers >= 0, or both NaN before the first point
   * add and once disposed (then `t === #pl + 1` never holds and the run is empty).
   */
  #pa = NaN;
  #pl = NaN;

  /** An empty set, or one built from a wire state (see fromState). */
  constructor(state?: Iterable<RangeItem>) {
    hot = wasm();
    this.#h = hot.rsNew();
    registry.register(this, this.#h, this);
    if (state !== undefined) this.#load(state, "RangeSet");
  }

  /**
   * Build a set from its wire form. Items are ticks t or pairs [a, b] with a < b; they may come
   * in any order and may overlap or touch (they are sorted and merged; upstream does not, which
   * breaks its membership tests). Anything else throws a RangeStateError naming the item and
   * its index.
   */
  static fromState(state: unknown): RangeSet {
    const s = new RangeSet();
    try {
      s.#load(state, "RangeSet.fromState");
    } catch (e) {
      s.dispose();
      throw e;
    }
    return s;
  }

  /** A set of the given ticks. */
  static of(...ticks: Tick[]): RangeSet {
    const s = new RangeSet();
    try {
      for (const t of ticks) s.add(t);
    } catch (e) {
      s.dispose();
      throw e;
    }
    return s;
  }

  /** A node's missing ticks, [1, tick] - present - superseded, in one linear pass. */
  static missing(tick: Tick, present: RangeSet, superseded: RangeSet): RangeSet {
    const t = checkTick(tick, "RangeSet.missing", "tick");
    const out = new RangeSet();
    setArg(0, t);
    wasm().rsMissing(present.#handle("RangeSet.missing"), superseded.#handle("RangeSet.missing"), out.#handle("RangeSet.missing"));
    return out;
  }

  /** The core's handle with the pending run flushed into it; throws once disposed. */
  #handle(api: string): number {
    if (this.#h === 0) throw new DisposedError(api);
    if (this.#pa <= this.#pl) this.#flush();
    return this.#h;
  }

  /** Hand the pending run to the core as one range add (a live set with a run). */
  #flush(): void {
    const a = this.#pa, l = this.#pl;
    this.#pa = l + 1; // empty first: were the core to trap, the run is not added twice
    hot!.rsAdd(this.#h, a, l);
  }

  #load(state: unknown, api: string): void {
    if (state === null || typeof state !== "object" || !(Symbol.iterator in state)) {
      throw new RangeStateError(`${api}: state ${show(state)} is not a list; expected ticks and [start, end] pairs`, -1);
    }
    const items = Array.isArray(state) ? state : Array.from(state as Iterable<unknown>);
    const n = items.length;
    const c = wasm();
    const h = this.#handle(api);
    const ptr = c.memAlloc(Math.max(16, n * 16));
    try {
      let encoding = PAIRS_F64;
      if (!fillF64(items, ptr, api)) {
        encoding = PAIRS_U64;
        fillU64(items, ptr, api);
      }
      const rc = c.rsImport(h, ptr, n, encoding);
      if (rc !== 0) {
        const i = c.rsBadPair();
        throw new RangeStateError(`${api}: item ${i} ${show(items[i])} is not a range; expected start < end`, i);
      }
    } finally {
      c.memFree(ptr);
    }
  }

  /** Add a tick, or the half-open range [a, b). Returns this. */
  add(a: Tick, b?: Tick): this {
    // the hottest path: the tick after the last one added, which joins the pending run (a bigint
    // or a disposed set never matches; a <= 2^53 - 1 keeps the run's end a safe integer)
    if (a === this.#pl + 1 && b === undefined && a <= Number.MAX_SAFE_INTEGER) {
      this.#pl = a;
      return this;
    }
    return this.#addOther(a, b);
  }

  #addOther(a: Tick, b: Tick | undefined): this {
    // one tick below 2^53 on a live set, checks inline: the run to the core, then the tick
    const h = this.#h;
    if (b === undefined && typeof a === "number" && Number.isSafeInteger(a) && a >= 0 && h !== 0) {
      if (this.#pa <= this.#pl) this.#flush();
      hot!.rsAddTick(h, a);
      this.#pl = a;
      this.#pa = a + 1; // an empty run after a
      return this;
    }
    return this.#addSlow(a, b);
  }

  #addSlow(a: Tick, b: Tick | undefined): this {
    const h = this.#handle("RangeSet.add");
    if (b === undefined) {
      setArg(0, checkTick(a, "RangeSet.add", "tick"));
      wasm().rsAddTickArgs(h);
      return this;
    }
    const r = closed("RangeSet.add", a, b);
    if (r === null) return this;
    if (typeof r[0] === "number" && typeof r[1] === "number") wasm().rsAdd(h, r[0], r[1]);
    else {
      setArg(0, r[0]);
      setArg(1, r[1]);
      wasm().rsAddArgs(h);
    }
    return this;
  }

  /** Remove a tick, or the half-open range [a, b). Returns this. */
  discard(a: Tick, b?: Tick): this {
    // the hot path first, checks inline: one tick below 2^53 on a live set, one call into wasm;
    // a tick outside the pending run leaves the run pending (the set is core ∪ run)
    const h = this.#h;
    if (b === undefined && typeof a === "number" && Number.isSafeInteger(a) && a >= 0 && h !== 0) {
      if (a >= this.#pa && a <= this.#pl) this.#flush();
      hot!.rsDiscardTick(h, a);
      return this;
    }
    return this.#discardSlow(a, b);
  }

  #discardSlow(a: Tick, b: Tick | undefined): this {
    const h = this.#handle("RangeSet.discard");
    if (b === undefined) {
      setArg(0, checkTick(a, "RangeSet.discard", "tick"));
      wasm().rsDiscardTickArgs(h);
      return this;
    }
    const r = closed("RangeSet.discard", a, b);
    if (r === null) return this;
    if (typeof r[0] === "number" && typeof r[1] === "number") wasm().rsDiscard(h, r[0], r[1]);
    else {
      setArg(0, r[0]);
      setArg(1, r[1]);
      wasm().rsDiscardArgs(h);
    }
    return this;
  }

  /** Whether the tick is in the set. */
  has(t: Tick): boolean {
    const h = this.#h;
    if (typeof t === "number" && Number.isSafeInteger(t) && t >= 0 && h !== 0) return (t >= this.#pa && t <= this.#pl) || hot!.rsHas(h, t) !== 0;
    return this.#hasSlow(t);
  }

  #hasSlow(t: Tick): boolean {
    const h = this.#handle("RangeSet.has");
    const v = checkTick(t, "RangeSet.has", "tick");
    setArg(0, v);
    return wasm().rsHasArgs(h) !== 0;
  }

  #sweep(other: RangeSet, op: number, api: string): RangeSet {
    const a = this.#handle(api), b = other.#handle(api);
    const out = new RangeSet();
    const o = out.#handle(api);
    if (op === OP.union) wasm().rsUnion(a, b, o);
    else if (op === OP.intersect) wasm().rsIntersect(a, b, o);
    else if (op === OP.difference) wasm().rsDifference(a, b, o);
    else {
      setFullRange();
      wasm().rsSweep(a, b, op, o);
    }
    return out;
  }

  #sweepInPlace(other: RangeSet, op: number, api: string): this {
    const tmp = this.#sweep(other, op, api);
    wasm().rsTake(this.#handle(api), tmp.#handle(api));
    tmp.dispose();
    return this;
  }

  /** A new set: this | other. */
  union(other: RangeSet): RangeSet { return this.#sweep(other, OP.union, "RangeSet.union"); }
  /** A new set: this & other. */
  intersect(other: RangeSet): RangeSet { return this.#sweep(other, OP.intersect, "RangeSet.intersect"); }
  /** A new set: this - other. */
  subtract(other: RangeSet): RangeSet { return this.#sweep(other, OP.difference, "RangeSet.subtract"); }
  /** A new set: ticks in exactly one of the two. */
  symmetricDifference(other: RangeSet): RangeSet { return this.#sweep(other, OP.xor, "RangeSet.symmetricDifference"); }

  /** this |= other. Returns this. */
  unionInPlace(other: RangeSet): this { return this.#sweepInPlace(other, OP.union, "RangeSet.unionInPlace"); }
  /** this &= other. Returns this. */
  intersectInPlace(other: RangeSet): this { return this.#sweepInPlace(other, OP.intersect, "RangeSet.intersectInPlace"); }
  /** this -= other. Returns this. */
  subtractInPlace(other: RangeSet): this { return this.#sweepInPlace(other, OP.difference, "RangeSet.subtractInPlace"); }

  /** A new set: the ticks of [lo, hi) that are not in this set. */
  complement(lo: Tick, hi: Tick): RangeSet {
    const h = this.#handle("RangeSet.complement");
    const out = new RangeSet();
    const r = closed("RangeSet.complement", lo, hi);
    if (r === null) return out;
    setArg(0, r[0]);
    setArg(1, r[1]);
    wasm().rsSweep(h, emptySet(), OP.notA, out.#handle("RangeSet.complement"));
    return out;
  }

  /**
   * Draw the set: the share (0..1) of each of `width` equal slices of [lo, hi) that the set
   * covers. One pass in the core however many intervals there are; for timelines on a canvas.
   */
  raster(lo: Tick, hi: Tick, width: number): Float32Array {
    const h = this.#handle("RangeSet.raster");
    if (!Number.isInteger(width) || width < 0 || width > 1 << 20) throw new TickError(`RangeSet.raster: width ${show(width)} is not a pixel count up to 2^20`);
    const r = closed("RangeSet.raster", lo, hi);
    const out = new Float32Array(width);
    if (r === null || width === 0) return out;
    const c = wasm();
    const ptr = c.memAlloc(width * 4);
    try {
      setArg(0, r[0]);
      setArg(1, r[1]);
      c.rsRaster(h, width, ptr);
      out.set(new Float32Array(mem().buffer, ptr, width));
    } finally {
      c.memFree(ptr);
    }
    return out;
  }

  equals(other: RangeSet): boolean {
    return wasm().rsEquals(this.#handle("RangeSet.equals"), other.#handle("RangeSet.equals")) !== 0;
  }

  isSubsetOf(other: RangeSet): boolean {
    const a = this.#handle("RangeSet.isSubsetOf"), b = other.#handle("RangeSet.isSubsetOf");
    setFullRange();
    return wasm().rsAny(a, b, OP.difference) === 0;
  }

  isSupersetOf(other: RangeSet): boolean {
    return other.isSubsetOf(this);
  }

  isDisjointFrom(other: RangeSet): boolean {
    const a = this.#handle("RangeSet.isDisjointFrom"), b = other.#handle("RangeSet.isDisjointFrom");
    setFullRange();
    return wasm().rsAny(a, b, OP.intersect) === 0;
  }

  /** Number of ticks: a number when below 2^53, else a bigint (up to 2^64). */
  count(): Tick {
    const c = wasm();
    const n = c.rsCount(this.#handle("RangeSet.count"));
    if (n >= 0) return n;
    return (argBig(1) << 64n) + argBig(0);
  }

  /** Number of intervals (the wire form's item count). */
  get size(): number {
    return wasm().rsSize(this.#handle("RangeSet.size"));
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** [first tick, last tick + 1), or undefined for an empty set. */
  span(): [Tick, Tick] | undefined {
    const c = wasm();
    if (c.rsBounds(this.#handle("RangeSet.span")) === 0) return undefined;
    return [tickOut(argBig(0)), tickOut(argBig(1) + 1n)];
  }

  /** The first tick, or undefined when empty. */
  first(): Tick | undefined {
    return this.span()?.[0];
  }

  /** The last tick, or undefined when empty. */
  last(): Tick | undefined {
    const s = this.span();
    if (s === undefined) return undefined;
    return typeof s[1] === "number" ? s[1] - 1 : tickOut(s[1] - 1n);
  }

  /** Call fn(start, last) for every interval, closed bounds, in order (one bulk copy out of wasm). */
  #eachClosed(fn: (a: Tick, l: Tick) => void): void {
    const c = wasm();
    const h = this.#handle("RangeSet");
    const n = c.rsSize(h);
    if (n === 0) return;
    const ptr = c.memAlloc(n * 16);
    try {
      const enc = c.rsExport(h, ptr);
      const v = mem();
      if (enc === PAIRS_F64) {
        const f = v.f64;
        for (let i = 0, p = ptr >>> 3; i < n; i++, p += 2) fn(f[p]!, f[p + 1]!);
      } else {
        const u = v.u32;
        for (let i = 0, p = ptr >>> 2; i < n; i++, p += 4) {
          fn(wordsToTick(u[p]!, u[p + 1]!), wordsToTick(u[p + 2]!, u[p + 3]!));
        }
      }
    } finally {
      c.memFree(ptr);
    }
  }

  /** The wire form: ticks for single-tick intervals, [a, b] (half-open) for longer ones. */
  toState(): RangeSetState {
    const c = wasm();
    const h = this.#handle("RangeSet.toState");
    const n = c.rsSize(h);
    const out: RangeSetState = new Array(n);
    if (n === 0) return out;
    const ptr = c.memAlloc(n * 16);
    try {
      if (c.rsExport(h, ptr) === PAIRS_F64) {
        // the common case, spelled out: one typed-array read per value, no callbacks
        const f = mem().f64;
        for (let i = 0, p = ptr >>> 3; i < n; i++, p += 2) {
          const a = f[p]!, l = f[p + 1]!;
          out[i] = a === l ? a : [a, l + 1];
        }
      } else {
        const u = mem().u32;
        for (let i = 0, p = ptr >>> 2; i < n; i++, p += 4) {
          const a = wordsToTick(u[p]!, u[p + 1]!), l = wordsToTick(u[p + 2]!, u[p + 3]!);
          out[i] = a === l ? a : [a, endOf(l)];
        }
      }
    } finally {
      c.memFree(ptr);
    }
    return out;
  }

  toJSON(): RangeSetState {
    return this.toState();
  }

  /** Intervals as half-open [a, b) pairs, in order (a snapshot taken when iteration starts). */
  [Symbol.iterator](): Iterator<[Tick, Tick]> {
    const pairs: [Tick, Tick][] = [];
    this.#eachClosed((a, l) => {
      pairs.push([a, endOf(l)]);
    });
    return pairs[Symbol.iterator]();
  }

  /** Every tick, in order. For small sets: a set of a million ticks yields a million values. */
  *ticks(): IterableIterator<Tick> {
    for (const [a, b] of this) {
      if (typeof a === "number" && typeof b === "number") {
        for (let t = a; t < b; t++) yield t;
      } else {
        for (let t = BigInt(a); t < BigInt(b); t++) yield tickOut(t);
      }
    }
  }

  clone(): RangeSet {
    const out = new RangeSet();
    wasm().rsCopy(out.#handle("RangeSet.clone"), this.#handle("RangeSet.clone"));
    return out;
  }

  /** Remove every tick. Returns this. */
  clear(): this {
    wasm().rsClear(this.#handle("RangeSet.clear"));
    return this;
  }

  /** Replace this set's contents with other's (other is left unchanged). Returns this. */
  assign(other: RangeSet): this {
    wasm().rsCopy(this.#handle("RangeSet.assign"), other.#handle("RangeSet.assign"));
    return this;
  }

  /** "{1, 3..9}": every interval, closed bounds. */
  toString(): string {
    const parts: string[] = [];
    this.#eachClosed((a, l) => parts.push(a === l ? String(a) : `${a}..${l}`));
    return `{${parts.join(", ")}}`;
  }

  /** Bitmap chunks in the core's layout of this set (a diagnostic for tests and benchmarks; assembly/dense.ts). */
  bitmapChunks(): number {
    return wasm().rsBitmaps?.(this.#handle("RangeSet.bitmapChunks")) ?? 0;
  }

  /** Check the core's invariants; returns 0 or the number of the first broken rule (assembly/errors.ts). */
  checkInvariants(): number {
    return wasm().rsCheck(this.#handle("RangeSet.checkInvariants"));
  }

  get disposed(): boolean {
    return this.#h === 0;
  }

  /** Free the wasm memory now. Idempotent; the set is unusable afterwards. */
  dispose(): void {
    if (this.#h === 0) return;
    registry.unregister(this);
    wasm().rsFree(this.#h);
    this.#h = 0;
    this.#pa = this.#pl = NaN; // a pending run dies with the set
  }

  [dispose](): void {
    this.dispose();
  }
}

function wordsToTick(lo: number, hi: number): Tick {
  if (hi < 0x200000) return hi * TWO_32 + lo;
  return tickOut((BigInt(hi) << 32n) + BigInt(lo));
}

function endOf(last: Tick): Tick {
  if (typeof last === "number") return last <= SAFE_LAST ? last + 1 : BigInt(last) + 1n;
  return last + 1n;
}

// ---- filling the import buffer ----

function badItem(api: string, i: number, item: unknown, why: string): never {
  throw new RangeStateError(`${api}: item ${i} ${show(item)} ${why}`, i);
}

function itemTick(api: string, i: number, item: unknown, v: unknown, what: string, limit: bigint): Tick {
  if (typeof v === "number") {
    if (Number.isSafeInteger(v) && v >= 0) return v;
    if (Number.isInteger(v) && v > 0) badItem(api, i, item, `has ${what} ${show(v)} above 2^53 - 1, not exact as a number; send it as a bigint`);
  } else if (typeof v === "bigint") {
    if (v >= 0n && v <= limit) return tickOut(v);
    badItem(api, i, item, `has ${what} ${show(v)} out of range; expected an integer in [0, ${limit}]`);
  }
  badItem(api, i, item, `has ${what} ${show(v)} that is not a tick; expected an integer in [0, ${limit}]`);
}

/**
 * Fill the buffer with closed pairs as f64. Returns false (having validated nothing beyond the
 * point it reached) when a value needs the u64 encoding; throws on invalid items.
 */
function fillF64(items: readonly unknown[], ptr: number, api: string): boolean {
  const f = mem().f64;
  let p = ptr >>> 3;
  for (let i = 0; i < items.length; i++, p += 2) {
    const item = items[i];
    if (typeof item === "number") {
      if (!(Number.isSafeInteger(item) && item >= 0)) {
        if (Number.isInteger(item) && item > 0) badItem(api, i, item, "is above 2^53 - 1 and not exact as a number; send it as a bigint");
        badItem(api, i, item, `is not a tick; expected an integer in [0, ${MAX_TICK}]`);
      }
      f[p] = item;
      f[p + 1] = item;
    } else if (Array.isArray(item)) {
      if (item.length !== 2) badItem(api, i, item, "is not a tick or a [start, end] pair");
      const a = item[0], b = item[1];
      if (typeof a === "number" && typeof b === "number" && Number.isSafeInteger(a) && Number.isSafeInteger(b) && a >= 0) {
        if (!(a < b)) badItem(api, i, item, `is not a range: start ${a} must be < end ${b}`);
        f[p] = a;
        f[p + 1] = b - 1;
      } else {
        // validate fully; a bigint or a big end means the u64 encoding
        const ta = itemTick(api, i, item, a, "start", MAX_TICK);
        const tb = itemTick(api, i, item, b, "end", END_OF_TICKS);
        if (!(ta < tb)) badItem(api, i, item, `is not a range: start ${show(a)} must be < end ${show(b)}`);
        return false;
      }
    } else if (typeof item === "bigint") {
      itemTick(api, i, item, item, "tick", MAX_TICK);
      return false;
    } else {
      badItem(api, i, item, "is not a tick or a [start, end] pair");
    }
  }
  return true;
}

function fillU64(items: readonly unknown[], ptr: number, api: string): void {
  const u = mem().u64;
  let p = ptr >>> 3;
  for (let i = 0; i < items.length; i++, p += 2) {
    const item = items[i];
    if (Array.isArray(item)) {
      if (item.length !== 2) badItem(api, i, item, "is not a tick or a [start, end] pair");
      const a = BigInt(itemTick(api, i, item, item[0], "start", MAX_TICK));
      const b = BigInt(itemTick(api, i, item, item[1], "end", END_OF_TICKS));
      if (!(a < b)) badItem(api, i, item, `is not a range: start ${show(item[0])} must be < end ${show(item[1])}`);
      u[p] = a;
      u[p + 1] = b - 1n;
    } else if (typeof item === "number" || typeof item === "bigint") {
      const t = BigInt(itemTick(api, i, item, item, "tick", MAX_TICK));
      u[p] = t;
      u[p + 1] = t;
    } else {
      badItem(api, i, item, "is not a tick or a [start, end] pair");
    }
  }
}
