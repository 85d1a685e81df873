// `npm start` (ticktock demo): three nodes, a missing tick, the console commands it prints work,
// and Ctrl-C stops it cleanly.
import { describe, expect, it } from "vitest";
import { run, runToEnd } from "../support/cli.js";

describe("ticktock demo", () => {
  it("runs a cluster with a missing tick that the printed commands can repair", async () => {
    const demo = run(["demo", "--port", "0", "--inspector-port", "0"]);
    try {
      await demo.waitFor(/Press Ctrl-C to stop\./, 20_000);
      const first = /demo1 {2}client protocol on (127\.0\.0\.1:\d+)/.exec(demo.stdout())![1]!;
      expect(demo.stdout()).toMatch(/Inspect it in a browser: http:\/\/127\.0\.0\.1:\d+\//);
      await demo.waitFor(/demo3: gap: missing ticks ghost \[2\]/, 10_000);
      const before = await runToEnd(["internal", "state", "-m", "--json", "--server", first]);
      expect(JSON.parse(before.stdout).missing).toEqual({ ghost: [2] });
      expect((await runToEnd(["internal", "mark", "--broadcast", "ghost", "--server", first])).code).toBe(0);
      await demo.waitFor(/demo3: recovered: nothing missing/, 10_000);
    } finally {
      demo.proc.kill("SIGINT");
    }
    expect(await demo.exited).toBe(0);
    expect(demo.stdout()).toContain("demo stopped");
  });
});
