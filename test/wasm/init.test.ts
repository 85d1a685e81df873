// init(): where the core comes from (the embedded bytes, a precompiled WebAssembly.Module, bytes,
// a Response), what a wrong source is told, and that the first call wins. Each test loads a fresh
// copy of the module, since the core is loaded once per copy.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";

const BYTES = readFileSync(new URL("../../build/core.wasm", import.meta.url));
const SIMD_BYTES = readFileSync(new URL("../../build/core.simd.wasm", import.meta.url));
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]); // valid, exports nothing

type Fresh = { core: typeof import("../../src/wasm/core.js"); rs: typeof import("../../src/core/range-set.js") };
async function fresh(): Promise<Fresh> {
  vi.resetModules();
  return { core: await import("../../src/wasm/core.js"), rs: await import("../../src/core/range-set.js") };
}
/** The core works: a set built in WebAssembly memory reads back. */
const works = (rs: Fresh["rs"]) => expect(rs.RangeSet.of(1, 2, 3, 7).toString()).toBe("{1..3, 7}");

let f: Fresh;
beforeEach(async () => {
  f = await fresh();
});

describe("init() loads the core from", () => {
  it("the embedded bytes by default", async () => {
    await f.rs.init();
    works(f.rs);
  });

  it("a precompiled WebAssembly.Module (what a Worker imports from ticktock/core.wasm)", async () => {
    await f.rs.init(await WebAssembly.compile(BYTES));
    works(f.rs);
  });

  it("bytes: a typed array or an ArrayBuffer", async () => {
    await f.rs.init(new Uint8Array(BYTES));
    works(f.rs);
    const g = await fresh();
    await g.rs.init(BYTES.buffer.slice(BYTES.byteOffset, BYTES.byteOffset + BYTES.length));
    works(g.rs);
  });

  it("a Response, streamed when it is application/wasm, read whole otherwise, or a promise of one", async () => {
    await f.rs.init(new Response(BYTES, { headers: { "content-type": "application/wasm" } }));
    works(f.rs);
    const g = await fresh();
    await g.rs.init(new Response(BYTES, { headers: { "content-type": "application/octet-stream" } }));
    works(g.rs);
    const h = await fresh();
    await h.rs.init(Promise.resolve(new Response(BYTES)));
    works(h.rs);
  });
});

describe("init() refuses", () => {
  it("a Response that is not a success, naming the status", async () => {
    await expect(f.rs.init(new Response("no", { status: 404, statusText: "Not Found" }))).rejects.toThrow("ticktock init(): the core.wasm from a Response answered 404 Not Found");
  });

  it("a module that is not ticktock's core, naming what it lacks; a later init() may still succeed", async () => {
    await expect(f.rs.init(await WebAssembly.compile(EMPTY_MODULE))).rejects.toThrow(
      "ticktock init(): the WebAssembly.Module given is not ticktock's core: it does not export memory, argsPtr, rsNew, rsFree, rsImport, rsExport; expected ticktock/core.wasm",
    );
    expect(() => f.core.wasm()).toThrow("await init() first");
    await f.rs.init(BYTES);
    works(f.rs);
  });

  it("bytes that are not WebAssembly, and things that are not a source", async () => {
    await expect(f.rs.init(new Uint8Array([1, 2, 3]))).rejects.toThrow(/^ticktock init\(\): cannot compile the bytes given: /);
    await expect(f.rs.init({} as never)).rejects.toThrow(
      "ticktock init(): cannot load the core from a Object; expected a WebAssembly.Module, the bytes of core.wasm (ArrayBuffer or a typed array) or a Response",
    );
  });
});

describe("init() twice", () => {
  it("the first call wins: later calls, with any source, get the same core", async () => {
    const first = f.core.init(await WebAssembly.compile(BYTES));
    const second = f.core.init(new Uint8Array([1, 2, 3])); // would fail on its own: it is not even looked at
    expect(second).toBe(first);
    const exports = await first;
    expect(await second).toBe(exports);
    expect(await f.core.init(await WebAssembly.compile(EMPTY_MODULE))).toBe(exports);
    await f.rs.init();
    expect(f.core.wasm()).toBe(exports);
    works(f.rs);
  });
});

describe("the two builds of the core", () => {
  it("init() takes the SIMD build where the engine validates it (Node 20 does)", async () => {
    expect(WebAssembly.validate(SIMD_BYTES)).toBe(true);
    await f.rs.init();
    expect(f.core.coreKernel()).toBe("simd");
    works(f.rs);
  });

  it('useKernel("scalar") before init() forces the scalar build', async () => {
    f.core.useKernel("scalar");
    await f.rs.init();
    expect(f.core.coreKernel()).toBe("scalar");
    works(f.rs);
  });

  it("either file, given as bytes or compiled, says which it is", async () => {
    await f.rs.init(await WebAssembly.compile(SIMD_BYTES));
    expect(f.core.coreKernel()).toBe("simd");
    f = await fresh();
    await f.rs.init(new Uint8Array(BYTES));
    expect(f.core.coreKernel()).toBe("scalar");
  });

  it("a kernel name that is not one is refused, naming the choices", () => {
    expect(() => f.core.useKernel("fast" as never)).toThrow('ticktock useKernel(): unknown kernel fast; expected "auto", "simd" or "scalar"');
  });
});
