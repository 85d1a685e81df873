// The actor's messages against upstream's recordings: every recorded message on <root>/ping
// (and <root>/del, the same protocol) is checked, rebuilt and re-encoded to the same bytes.
import { describe, expect, it } from "vitest";
import { mqttMessages } from "../../support/captures.js";
import { decodeValue, encodeValue } from "../../../src/wire/codec.js";
import {
  PING_DEFAULTS, historyMessage, initMessage, parseActorMessage, pingMessage, setupMessage, verifyConfig,
  type ActorMessage,
} from "../../../src/node/actor/messages.js";
import { MessageError } from "../../../src/core/errors.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

/** Build the message again from its parts, as an actor sending it would. */
function rebuild(m: ActorMessage): ActorMessage {
  switch (m.t) {
    case "init":
      return initMessage(m.node);
    case "vers": {
      const { t: _t, node, ...cfg } = m;
      return setupMessage(node, cfg as typeof m);
    }
    case "ping":
      return pingMessage(m.node, m.value, m.history);
    case "hist":
      return historyMessage(m.value, m.history);
  }
}

describe("actor messages", () => {
  const recorded = mqttMessages().filter((m) => /\/(ping|del)$/.test(m.topic));

  it("parse and re-encode every recorded ping and del message byte for byte", () => {
    const types = new Set<string>();
    for (const r of recorded) {
      const m = parseActorMessage(decodeValue(bytes(r.hex)));
      types.add(m.t);
      expect({ topic: r.topic, hex: hex(encodeValue(m)) }).toEqual({ topic: r.topic, hex: r.hex });
      expect({ topic: r.topic, hex: hex(encodeValue(rebuild(m))) }).toEqual({ topic: r.topic, hex: r.hex });
    }
    expect([...types].sort()).toEqual(["hist", "init", "ping", "vers"]);
  });

  it("build upstream server's init and vers, with its ping config, to the recorded bytes", () => {
    const vers = recorded.find((r) => r.topic === "moat/kv/ping" && r.msg.t === "vers" && r.msg.node === "test1")!;
    expect(hex(encodeValue(setupMessage("test1", { ...PING_DEFAULTS })))).toBe(vers.hex);
    const init = recorded.find((r) => r.topic === "moat/kv/ping" && r.msg.t === "init" && r.msg.node === "test1")!;
    expect(hex(encodeValue(initMessage("test1")))).toBe(init.hex);
    const ping = recorded.find((r) => r.msg.t === "ping" && r.msg.value !== null)!;
    const m = ping.msg as { node: string; value: [number, number]; history: string[] };
    expect(hex(encodeValue(pingMessage(m.node, m.value, m.history)))).toBe(ping.hex);
  });

  it("accept a not-ready value and a tick of null", () => {
    expect(parseActorMessage({ t: "ping", node: "a", value: null, history: ["a"] })).toEqual({ t: "ping", node: "a", value: null, history: ["a"] });
    expect(parseActorMessage({ t: "ping", node: "a", value: [3, null], history: [] })).toMatchObject({ value: [3, null] });
  });

  it("reject bad messages with an error naming the field", () => {
    const bad: [unknown, RegExp][] = [
      [[1, 2], /ping: message \[1, 2\] is not a map/],
      [{ t: "pong", node: "a" }, /t "pong" is not a message type; expected init, vers, ping or hist/],
      [{ t: "init" }, /init: node undefined is not a node name/],
      [{ t: "ping", node: "a", value: [1], history: [] }, /value \[1\] is not \[tock, tick\] or null/],
      [{ t: "ping", node: "a", value: [1, -2], history: [] }, /value\.1/],
      [{ t: "ping", node: "a", value: null, history: ["a", 7] }, /history\.1 7 is not a node name/],
      [{ t: "hist", value: null, history: [] }, /history is empty/],
      [{ t: "vers", node: "a", cycle: "x" }, /vers: cycle "x" is not a number/],
    ];
    for (const [msg, re] of bad) {
      expect(() => parseActorMessage(msg)).toThrow(MessageError);
      expect(() => parseActorMessage(msg)).toThrow(re);
    }
  });

  it("check a config as asyncactor does", () => {
    expect(() => verifyConfig({ ...PING_DEFAULTS, cycle: 3, gap: 1 })).not.toThrow();
    expect(() => verifyConfig({ ...PING_DEFAULTS, cycle: 0.5 })).toThrow(/cycle 0.5 is too short; expected at least 1 second/);
    expect(() => verifyConfig({ ...PING_DEFAULTS, cycle: 5, gap: 2 })).toThrow(/cycle 5 is shorter than 3 \* gap \(6\)/);
  });
});
