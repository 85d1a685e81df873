// `npm start` (ticktock demo): three nodes, a missing tick, the console commands it prints work,
// and Ctrl-C stops it cleanly.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

  it("turns auth on for the user it is given, and prints commands that log in", async () => {
    const pw = join(mkdtempSync(join(tmpdir(), "ticktock-demo-")), "joe.pw");
    writeFileSync(pw, "demo secret\n");
    const demo = run(["--user", "joe", "--password-file", pw, "demo", "--port", "0", "--inspector-port", "0", "--no-gap"]);
    try {
      await demo.waitFor(/Press Ctrl-C to stop\./, 20_000);
      const first = /demo1 {2}client protocol on (127\.0\.0\.1:\d+)/.exec(demo.stdout())![1]!;
      expect(demo.stdout()).toContain("Auth is on: every client logs in as joe");
      expect(demo.stdout()).toContain(`./bin/ticktock.js --user joe --password-file ${pw} data one get -rd_ --server ${first}`);
      const refused = await runToEnd(["data", "one.two", "get", "--server", first]);
      expect([refused.code, refused.stderr]).toEqual([1, expect.stringMatching(/wants a login \(auth method password\); give --user NAME/)]);
      const ok = await runToEnd(["--user", "joe", "--password-file", pw, "data", "one.two", "get", "--server", first]);
      expect([ok.code, ok.stdout]).toEqual([0, "123\n"]);
    } finally {
      demo.proc.kill("SIGINT");
    }
    expect(await demo.exited).toBe(0);
  });
});
