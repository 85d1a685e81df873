// The framer against the msgpack encoder as its model: any sequence of messages, cut into chunks
// anywhere, comes out as the same messages, byte for byte; a message is refused exactly when it
// is over the limit, and a huge announced length is refused from its header alone.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { captureText, mqttMessages } from "../support/captures.js";
import { encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";
import { MAX_DEPTH, MessageFramer, MessageTooLargeError } from "../../src/wire/message-framer.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Every msgpack form: ints of every width, floats, str/bin of every length field, ext (Path, bigint), nesting. */
const leaf = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.maxSafeInteger(), fc.double(), fc.float({ noNaN: true }).map((x) => Math.fround(x)),
  fc.string({ maxLength: 40 }), fc.string({ minLength: 250, maxLength: 300 }), fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 300, maxLength: 70_000 }),
  fc.bigInt({ min: 1n << 64n, max: 1n << 70n }), fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }).map((a) => new Path(a)),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("v"), { maxLength: 20 }), fc.dictionary(fc.string({ maxLength: 6 }), tie("v"), { maxKeys: 20 })),
})).v;

function chunks(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

const concat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

describe("MessageFramer", () => {
  it("gives back the same messages, byte for byte, however the stream is cut", () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 30 }), (values, cuts) => {
        const msgs = values.map((v) => encodeValue(v));
        const f = new MessageFramer(1 << 30);
        const got: string[] = [];
        for (const c of chunks(concat(msgs), cuts)) for (const m of f.push(c)) got.push(hex(m));
        expect(got).toEqual(msgs.map(hex));
        expect(f.pending).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a message exactly when it is over the limit, wherever the stream is cut", () => {
    fc.assert(
      fc.property(value, fc.array(fc.nat(), { maxLength: 10 }), fc.integer({ min: -3, max: 3 }), (v, cuts, delta) => {
        const msg = encodeValue(v);
        const limit = Math.max(1, msg.length + delta);
        const f = new MessageFramer(limit);
        const run = () => {
          const out: Uint8Array[] = [];
          for (const c of chunks(msg, cuts)) out.push(...f.push(c));
          return out;
        };
        if (msg.length <= limit) expect(run().map(hex)).toEqual([hex(msg)]);
        else expect(run).toThrow(MessageTooLargeError);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a 2 GB bin 32 after its five header bytes, holding nothing", () => {
    const f = new MessageFramer();
    expect(() => f.push(new Uint8Array([0xc6, 0x80, 0, 0, 0]))).toThrow("a message of at least 2147483653 bytes is over the limit of 16777216 bytes");
    // a map announcing 2^32-1 entries, each needing at least two bytes, inside an array
    const g = new MessageFramer();
    expect(() => g.push(new Uint8Array([0x91, 0xdf, 0xff, 0xff, 0xff, 0xff]))).toThrow(MessageTooLargeError);
    // a str 32 that would fit is held until it is complete
    const h = new MessageFramer(100);
    expect(h.push(new Uint8Array([0xdb, 0, 0, 0, 3, 0x61]))).toEqual([]);
    expect(h.pending).toBe(6);
    expect(h.push(new Uint8Array([0x62, 0x63, 0xc0]))).toEqual([new Uint8Array([0xdb, 0, 0, 0, 3, 0x61, 0x62, 0x63]), new Uint8Array([0xc0])]);
  });

  it("names a byte that starts no msgpack value, and nesting deeper than the limit", () => {
    expect(() => new MessageFramer().push(new Uint8Array([0x81, 0xa1, 0x61, 0xc1]))).toThrow("byte 0xc1 at offset 3 of a message starts no msgpack value");
    const deep = new Uint8Array(MAX_DEPTH + 1).fill(0x91);
    expect(() => new MessageFramer().push(deep)).toThrow(`nests maps and arrays deeper than ${MAX_DEPTH}`);
    const ok = new Uint8Array(MAX_DEPTH).fill(0x91);
    ok[MAX_DEPTH - 1] = 0x90; // MAX_DEPTH - 1 arrays of one, the innermost empty
    expect(new MessageFramer().push(ok)).toHaveLength(1);
  });

  it("frames every recorded client-protocol chunk into the messages upstream sent", () => {
    let n = 0;
    for (const line of captureText("tcp_cli_test1.raw.txt").split("\n")) {
      const m = /^\S+ \d+ (S>C|C>S) ([0-9a-f]+)$/.exec(line);
      if (!m) continue;
      const got = new MessageFramer().push(new Uint8Array(Buffer.from(m[2]!, "hex")));
      expect(got.map(hex).join("")).toBe(m[2]);
      n += got.length;
    }
    expect(n).toBeGreaterThan(100);
    for (const msg of mqttMessages()) expect(new MessageFramer().push(new Uint8Array(Buffer.from(msg.hex, "hex")))).toHaveLength(1);
  });
});
