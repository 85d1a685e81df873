// A timeline's raster handed from the observer worker to the page in shared memory, so that the
// page can draw it in its next animation frame instead of waiting for the worker's reply message.
//
// Why: while keys or the wheel keep coming, Chromium runs input and rendering first and holds
// other tasks back, the worker's reply message among them: measured in the inspector benchmark,
// a raster the worker had computed in 1 ms waited 300-450 ms on the page's queue while the page
// drew 20+ frames. Animation frames still run on time, and a frame can read shared memory.
//
// One mailbox per timeline: a header of four int32s (the sequence number of the request whose
// raster it holds, written last; the raster's width; whether the node was found) and the five
// bands, width float32s each. The page sends request `seq` with the mailbox and reads the
// raster once the header says `seq`; it sends the next request only after taking this one, so
// the worker never writes while the page reads. Needs a cross-origin isolated page (the
// inspector's server sends COOP and COEP); elsewhere the page takes the reply message as before.

import type { Tick } from "../core/tick.js";
import type { NodeRaster } from "./cluster-observer.js";

export interface RasterMailbox {
  buffer: SharedArrayBuffer;
  /** The request's number: the worker writes it into the header after the bands. */
  seq: number;
}

/** The bands, in the order they lie in the mailbox. */
const BANDS = ["present", "superseded", "deleted", "missing", "remoteMissing"] as const;
const HEADER = 16;
const SEQ = 0, WIDTH = 1, FOUND = 2;

/** Bytes a mailbox needs for rasters up to `width` pixels. */
export const mailboxBytes = (width: number): number => HEADER + BANDS.length * 4 * width;

/** Whether `bytes` hold a raster of `width` pixels. */
export const mailboxFits = (buffer: SharedArrayBuffer, width: number): boolean => buffer.byteLength >= mailboxBytes(width);

/** In the worker: put the raster of request `box.seq` (undefined: no such node) into the mailbox. */
export function postRaster(box: RasterMailbox, width: number, r: NodeRaster | undefined): void {
  if (!mailboxFits(box.buffer, width)) throw new RangeError(`raster mailbox of ${box.buffer.byteLength} bytes is too small for ${width} pixels (${mailboxBytes(width)} bytes)`);
  const head = new Int32Array(box.buffer, 0, 4);
  if (r) BANDS.forEach((b, i) => new Float32Array(box.buffer, HEADER + i * 4 * width, width).set(r[b]));
  head[WIDTH] = width;
  head[FOUND] = r ? 1 : 0;
  Atomics.store(head, SEQ, box.seq); // last: a reader that sees seq sees the bands
}

/**
 * In the page: the raster of request `seq` if the worker has put it there (undefined: the node
 * was not found), or null while it has not. The bands are copies: the mailbox is reused.
 */
export function takeRaster(buffer: SharedArrayBuffer, seq: number, node: string, lo: Tick, hi: Tick): NodeRaster | undefined | null {
  const head = new Int32Array(buffer, 0, 4);
  if (Atomics.load(head, SEQ) !== seq) return null;
  if (head[FOUND] !== 1) return undefined;
  const width = head[WIDTH]!;
  const band = (i: number) => new Float32Array(buffer, HEADER + i * 4 * width, width).slice();
  return { node, lo, hi, width, present: band(0), superseded: band(1), deleted: band(2), missing: band(3), remoteMissing: band(4) };
}
