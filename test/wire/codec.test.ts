// Byte compatibility with upstream: every recorded message decodes and re-encodes to the same
// bytes, Paths and all.
import { describe, expect, it } from "vitest";
import { captureText, mqttMessages } from "../support/captures.js";
import { decodeStream, decodeValue, encodeValue } from "../../src/wire/codec.js";
import { Path, type PathElement } from "../../src/wire/path.js";
import fc from "fast-check";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

describe("msgpack codec", () => {
  it("re-encodes every recorded MQTT message byte for byte", () => {
    const msgs = mqttMessages();
    expect(msgs.length).toBe(43);
    for (const m of msgs) expect({ topic: m.topic, hex: hex(encodeValue(decodeValue(bytes(m.hex)))) }).toEqual({ topic: m.topic, hex: m.hex });
  });

  it("re-encodes every recorded client-protocol chunk byte for byte", () => {
    let n = 0;
    for (const line of captureText("tcp_cli_test1.raw.txt").split("\n")) {
      const m = /^\S+ \d+ (S>C|C>S) ([0-9a-f]+)$/.exec(line);
      if (!m) continue;
      const parts = [...decodeStream(bytes(m[2]!))].map((v) => hex(encodeValue(v)));
      expect(parts.join("")).toBe(m[2]);
      n += parts.length;
    }
    expect(n).toBeGreaterThan(100);
  });

  it("reads paths as Path objects, the empty path included", () => {
    const msg = decodeValue(bytes(mqttMessages().find((m) => m.msg.value === "Testing")!.hex)) as { path: Path };
    expect(msg.path).toBeInstanceOf(Path);
    expect(msg.path.length).toBe(0);
    expect(hex(encodeValue(new Path()))).toBe("c70003");
    expect(hex(encodeValue(Path.of("one", "two", "three")))).toBe("c70e03a36f6e65a374776fa57468726565");
  });

  it("keeps integers exact: numbers while safe, bigint for uint64, ext 2 beyond", () => {
    expect(decodeValue(encodeValue(2n ** 63n + 5n))).toBe(2n ** 63n + 5n);
    expect(hex(encodeValue(2n ** 63n))).toBe("cf8000000000000000");
    expect(hex(encodeValue(2n ** 64n))).toBe("c70902010000000000000000");
    expect(decodeValue(encodeValue({ a: [2n ** 70n + 1n] }))).toEqual({ a: [2n ** 70n + 1n] });
    expect(decodeValue(encodeValue(123))).toBe(123);
  });

  it("throws on malformed bytes instead of returning garbage", () => {
    expect(() => decodeValue(bytes("c1"))).toThrow();
    expect(() => decodeValue(bytes("92"))).toThrow(RangeError); // cut short
    expect(() => decodeValue(bytes("0102"))).toThrow(/extra/i);
  });

  it("reads every path as the general msgpack decoder does (the fast path for plain elements included), and keys it alike", () => {
    const element: fc.Arbitrary<PathElement> = fc.oneof(
      fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 5 }), fc.string({ minLength: 32, maxLength: 300 }),
      fc.integer({ min: -200, max: 300 }), fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
      fc.double(), fc.constantFrom(null, true, false), fc.uint8Array({ maxLength: 4 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
    );
    fc.assert(fc.property(fc.array(element, { maxLength: 6 }), (elements) => {
      const path = new Path(elements);
      const inner = new Uint8Array(Buffer.concat(elements.map((e) => encodeValue(e)))); // ext 3's payload: the elements, concatenated
      const general = [...decodeStream(inner)];
      const read = decodeValue(encodeValue(path)) as Path;
      expect(read.elements).toEqual(general);
      const slowKey = JSON.stringify(general, (_k, v: unknown) => (typeof v === "bigint" ? { $big: v.toString() } : v instanceof Uint8Array ? { $bin: [...v] } : v));
      expect(read.key).toBe(slowKey);
    }), { numRuns: 500 });
    // a string element cut short is malformed, not read as far as it goes
    expect(() => decodeValue(bytes("c70303a5616263"))).toThrow();
  });
});
