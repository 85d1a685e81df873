// A timeline's raster through shared memory: the observer role in a real worker thread puts it
// into the page's mailbox, and the main thread reads it there without the reply message (which
// is empty); the same pixels as the reply without a mailbox, and clear errors for misuse.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnRole } from "../../src/worker/adapters/node.js";
import type { RoleWorker } from "../../src/worker/contract.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/transport/embedded-broker.js";
import { mailboxBytes, takeRaster } from "../../src/observer/raster-mailbox.js";

let broker: EmbeddedBroker;
let obs: RoleWorker<"observer">;

beforeAll(async () => {
  broker = await startEmbeddedBroker(0, "127.0.0.1", 0);
  obs = await spawnRole("observer", { entry: new URL("../../dist/worker/entries/observer.node.js", import.meta.url) });
  await obs.connect({ mqtt: broker.url });
  // ticks 1-10 present, 11-15 superseded, 16-20 missing
  await obs.seed({ nodes: { big: 20 }, present: { big: [[1, 11]] }, known: { big: [[11, 16]] } });
});

afterAll(async () => {
  await obs?.terminate();
  await broker?.close();
});

describe("the raster mailbox", () => {
  it("carries one request's raster from the worker, the same as the reply would", async () => {
    const buffer = new SharedArrayBuffer(mailboxBytes(4)); // 4 pixels: 16 + 5 bands x 4 x 4 bytes
    expect(buffer.byteLength).toBe(96);
    expect(takeRaster(buffer, 1, "big", 1, 21)).toBeNull(); // nothing put there yet
    expect(await obs.raster(["big"], 4, { lo: 1, hi: 21 }, { buffer, seq: 1 })).toEqual([]);
    const r = takeRaster(buffer, 1, "big", 1, 21)!;
    expect([...r.present]).toEqual([1, 1, 0, 0]);
    expect([...r.superseded]).toEqual([0, 0, 1, 0]);
    expect([...r.missing]).toEqual([0, 0, 0, 1]);
    const [reply] = await obs.raster(["big"], 4, { lo: 1, hi: 21 });
    expect(r).toEqual(reply);
    // an older request's number is not this one; the next request overwrites the mailbox
    expect(takeRaster(buffer, 2, "big", 1, 21)).toBeNull();
    await obs.raster(["big"], 2, { lo: 11, hi: 21 }, { buffer, seq: 2 });
    const s = takeRaster(buffer, 2, "big", 11, 21)!;
    expect([s.width, [...s.superseded], [...s.missing]]).toEqual([2, [1, 0], [0, 1]]);
    expect(r.present).toEqual(new Float32Array([1, 1, 0, 0])); // taken bands are copies
    // a node the observer does not know: no raster, as the reply says
    await obs.raster(["nobody"], 4, undefined, { buffer, seq: 3 });
    expect(takeRaster(buffer, 3, "nobody", 1, 2)).toBeUndefined();
  });

  it("refuses a mailbox too small for the width, or shared by several nodes", async () => {
    const small = new SharedArrayBuffer(mailboxBytes(3));
    await expect(obs.raster(["big"], 4, undefined, { buffer: small, seq: 1 })).rejects.toThrow(/raster mailbox of 76 bytes is too small for 4 pixels \(96 bytes\)/);
    await expect(obs.raster(["big", "nobody"], 4, undefined, { buffer: small, seq: 1 })).rejects.toThrow(/a mailbox holds one node's raster, not 2/);
  });
});
