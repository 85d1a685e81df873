// The harness itself: a real upstream server starts on a free port next to Mosquitto, its CLI
// talks to it, and a server that cannot start fails with its own log lines instead of hanging.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMosquitto, type Broker } from "../support/mosquitto.js";
import { describeUpstream, upstreamFixture } from "../support/upstream.js";

describeUpstream("the upstream test harness", () => {
  let broker: Broker;
  const up = upstreamFixture();
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it("starts a server that its own CLI can write to and read from", async () => {
    const s = await up.start({ name: "h1", mqtt: broker.url, init: true });
    expect((await s.kv(["data", "a.b", "set", "-e", ":", "123"])).code).toBe(0);
    const got = await s.kv(["data", "a.b", "get"]);
    expect(got.stdout.trim()).toBe("123");
    const state = await s.kv(["internal", "state", "-n"]);
    expect(state.stdout).toMatch(/^node: h1$/m);
  });

  it("fails a server that cannot start with its last log lines", async () => {
    const bad = up.start({ name: "h2", mqtt: "mqtt://127.0.0.1:1", init: true, readyMs: 8000 });
    await expect(bad).rejects.toThrow(/upstream server h2 (exited|did not listen)[^]*log:/);
  });
});
