// Output into a pipe that closes early: `ticktock internal mark --help | head -3` and the like
// end quietly (no stack trace, exit code 0) for every command, one-shot or long-running.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../support/cli.js";
import { startMosquitto, type Broker } from "../support/mosquitto.js";
import { startNode, type TestNode } from "../support/cluster.js";
import { serveTcp, type ClientServer } from "../../src/server/tcp-server.js";
import { Path } from "../../src/wire/path.js";

interface Piped {
  /** The command's exit code (null: killed by a signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What `head` printed. */
  out: string;
  /** The command's stderr. */
  err: string;
}

/**
 * `ticktock ARGS | head -LINES` in a real shell pipeline: the command's own exit status and
 * stderr come back through fd 3 and a file, so nothing but `head` reads its stdout.
 */
function pipeToHead(args: string[], lines: number, ms = 20_000): Promise<Piped> {
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const script = `"$NODE" "$BIN" ${quoted} 2>&4 | head -${lines}; echo "\${PIPESTATUS[0]}" >&3`;
  return new Promise((resolve, reject) => {
    const p = spawn("bash", ["-c", script], {
      env: { ...process.env, NODE: process.execPath, BIN },
      stdio: ["ignore", "pipe", "inherit", "pipe", "pipe"],
    });
    let out = "", status = "", err = "";
    p.stdout!.on("data", (d) => (out += d));
    p.stdio[3]!.on("data", (d) => (status += d));
    p.stdio[4]!.on("data", (d) => (err += d));
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      reject(new Error(`ticktock ${args.join(" ")} | head -${lines} did not end within ${ms} ms; stderr:\n${err}`));
    }, ms);
    p.on("close", () => {
      clearTimeout(timer);
      const n = Number(status.trim());
      // bash reports death by signal N as 128 + N
      resolve({ code: n >= 128 ? null : n, signal: n >= 128 ? (`signal ${n - 128}` as NodeJS.Signals) : null, out, err });
    });
  });
}

/** Every command and subcommand, by the words that name it. */
const COMMANDS = [
  [], ["node"], ["internal"], ["internal", "state"], ["internal", "mark"], ["data"], ["data", "get"], ["data", "set"],
  ["data", "delete"], ["state-file"], ["watch"], ["inspect"], ["demo"],
];

describe("output into a pipe that closes early", () => {
  for (const words of COMMANDS) {
    it(`ends quietly for ticktock ${[...words, "--help"].join(" ")} | head -1`, async () => {
      const r = await pipeToHead([...words, "--help"], 1);
      expect(r.out).toMatch(/^Usage: ticktock/);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
    });
  }

  describe("with long output", () => {
    let broker: Broker, n: TestNode, srv: ClientServer;
    beforeAll(async () => {
      broker = await startMosquitto();
      n = await startNode(broker.url, "pipe1");
      for (let i = 0; i < 3000; i++) n.node.set(Path.of("many", `k${i}`), `value number ${i} `.repeat(4));
      srv = await serveTcp(n.node, { port: 0 });
    });
    afterAll(async () => {
      await srv?.close();
      await n?.node.stop();
      await broker?.stop();
    });

    it("a one-shot command (data get -r of 3000 entries, about 300 KB) ends quietly", async () => {
      const r = await pipeToHead(["data", "many", "get", "-r", "--server", `127.0.0.1:${srv.port}`], 2);
      expect(r.out.split("\n").slice(0, 2).map((l) => l.slice(0, 9))).toEqual(["- !P k0: ", "- !P k1: "]);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
    });

    it("a command that runs until stopped (watch) stops by itself, quietly", async () => {
      const r = await pipeToHead(["watch", "--mqtt", broker.url, "--json"], 1);
      expect(JSON.parse(r.out)).toHaveProperty("nodes");
      expect(r.err).not.toMatch(/EPIPE|\n\s+at /);
      expect(r.code).toBe(0);
    });

    it("a node whose log goes into a closed pipe stops cleanly", async () => {
      const script = ["node", "pipe2", "--mqtt", broker.url, "--port", "0", "--startup-wait", "100"];
      // its log lines go to stderr: send them into head too
      const r = await new Promise<Piped>((resolve, reject) => {
        const quoted = script.map((a) => `'${a}'`).join(" ");
        const p = spawn("bash", ["-c", `"$NODE" "$BIN" ${quoted} 2>&1 | head -1; echo "\${PIPESTATUS[0]}" >&3`], {
          env: { ...process.env, NODE: process.execPath, BIN }, stdio: ["ignore", "pipe", "pipe", "pipe"],
        });
        let out = "", status = "", err = "";
        p.stdout!.on("data", (d) => (out += d));
        p.stderr!.on("data", (d) => (err += d));
        p.stdio[3]!.on("data", (d) => (status += d));
        const timer = setTimeout(() => { p.kill("SIGKILL"); reject(new Error(`the node did not stop: ${out} ${err}`)); }, 20_000);
        p.on("close", () => { clearTimeout(timer); resolve({ code: Number(status.trim()), signal: null, out, err }); });
      });
      expect(r.out).toMatch(/^ticktock pipe2: /);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
    });
  });
});
