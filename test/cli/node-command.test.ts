// `ticktock node` as a real process: a dead broker, a taken port, contradictory flags, and a
// node killed with SIGKILL mid-stream that restarts from its state file without losing a value.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startMosquitto, type Broker } from "../support/mosquitto.js";
import { run, runToEnd } from "../support/cli.js";
import { dataOf, sleep, startNode, waitFor } from "../support/cluster.js";
import { connectTcp } from "../../src/client/tcp.js";
import { Path } from "../../src/wire/path.js";
import { PathExpander } from "../../src/wire/relative-path.js";

let broker: Broker;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.stop();
});

async function treeOf(port: number): Promise<Record<string, unknown>> {
  const c = await connectTcp(`127.0.0.1:${port}`);
  try {
    const out: Record<string, unknown> = {};
    const paths = new PathExpander();
    for await (const item of c.stream("get_tree", { path: new Path() })) out[String(paths.expand(item.path, item.depth))] = item.value;
    return out;
  } finally {
    c.close();
  }
}

describe("ticktock node", () => {
  it("keeps retrying a dead broker with a clear line, and stops cleanly on SIGTERM", async () => {
    const dead = await freePort();
    const r = run(["node", "lonely", "--mqtt", `mqtt://127.0.0.1:${dead}`, "--port", "0"]);
    await r.waitFor(/broker mqtt:\/\/127\.0\.0\.1:\d+ unreachable \(connect ECONNREFUSED 127\.0\.0\.1:\d+\); retrying in \d+ ms/);
    await r.waitFor(/unreachable.*\n.*unreachable/); // still alive, still trying
    r.proc.kill("SIGTERM");
    expect(await r.exited).toBe(0);
    expect(r.stderr()).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it("refuses a taken port and contradictory flags with one line and exit code 2", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    const taken = await runToEnd(["node", "x", "--mqtt", broker.url, "--port", String(port)]);
    blocker.close();
    expect(taken.code).toBe(2);
    expect(taken.stderr.trim()).toBe(`ticktock: port ${port} on 127.0.0.1 is in use (another node?); pick another with --port`);
    const both = await runToEnd(["node", "x", "--force", "--authoritative"]);
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe("ticktock: --force and --authoritative contradict each other: pick one");
    const badPort = await runToEnd(["node", "x", "--port", "http"]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port takes a whole number from 0 to 65535, not "http"');
  });

  it("refuses a bad --hostmap entry and ping timings upstream's actor would refuse", async () => {
    const badMap = await runToEnd(["node", "x", "--hostmap", "up1:27586"]);
    expect(badMap.code).toBe(2);
    expect(badMap.stderr).toContain('--hostmap takes NAME=HOST:PORT (a server\'s name and its client port), not "up1:27586"');
    const badCycle = await runToEnd(["node", "x", "--ping-cycle", "2", "--ping-gap", "1"]);
    expect(badCycle.code).toBe(2);
    expect(badCycle.stderr.trim()).toBe("ticktock: --ping-cycle/--ping-gap: cycle 2 is shorter than 3 * gap (3); expected cycle >= 3 * gap");
    const notNumber = await runToEnd(["node", "x", "--ping-gap", "soon"]);
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toContain('--ping-gap takes a number of seconds, not "soon"');
  });

  it("restarts a node killed mid-stream from its state file without losing a value", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ticktock-cli-")), "b.dkv");
    const a = await startNode(broker.url, "a");
    try {
      const b = run(["node", "b", "--mqtt", broker.url, "--port", "0", "--save", file, "--startup-wait", "300"]);
      await b.waitFor(/b: serving/);
      let i = 0;
      const writer = (async () => {
        for (; i < 300; i++) {
          a.node.set(Path.of("s", `${i % 50}`), i);
          await sleep(1);
        }
      })();
      await sleep(100);
      b.proc.kill("SIGKILL");
      await b.exited;
      await writer;
      const b2 = run(["node", "b", "--mqtt", broker.url, "--port", "0", "--load", file, "--save", file, "--startup-wait", "300"]);
      const port = Number((await b2.waitFor(/client protocol on 127\.0\.0\.1:(\d+)/))[1]);
      await b2.waitFor(/b: serving/);
      await b2.waitFor(new RegExp(`loaded ${file.replace(/[.]/g, "\\.")}: \\d+ records, \\d+ entries`));
      const want = dataOf(a.node);
      let got: Record<string, unknown> = {};
      const poll = setInterval(async () => {
        got = await treeOf(port).catch(() => got);
      }, 100);
      try {
        // the same entries, whatever order each server lists them in
        const sorted = (o: Record<string, unknown>) => JSON.stringify(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1)));
        await waitFor(() => sorted(got) === sorted(want), 10_000, () => `b has ${JSON.stringify(got)}`);
      } finally {
        clearInterval(poll);
      }
      b2.proc.kill("SIGTERM");
      expect(await b2.exited).toBe(0);
    } finally {
      await a.node.stop();
    }
  });
});
