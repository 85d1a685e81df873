// connectTcp against a server that never answers the connection: a listening socket whose accept
// queue is full (Python's, which never accepts) drops further SYNs, as a firewall or an address
// nobody holds does. The client gives up after its timeout with the server's name, not after the
// operating system's minutes.
import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectTcp } from "../../src/client/tcp.js";

let listener: ChildProcess;
let port = 0;
const held: Socket[] = [];

beforeAll(async () => {
  listener = spawn("python3", ["-c", "import socket,sys,time\ns=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(0)\nprint(s.getsockname()[1], flush=True)\ntime.sleep(120)"], { stdio: ["ignore", "pipe", "inherit"] });
  port = await new Promise<number>((resolve) => listener.stdout!.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
  // fill the accept queue: these connect, and after them nothing does
  for (let i = 0; i < 4; i++) {
    const s = connect(port, "127.0.0.1");
    s.on("error", () => {});
    held.push(s);
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(() => {
  for (const s of held) s.destroy();
  listener.kill();
});

describe("connectTcp", () => {
  it("gives up on a server that never answers the connection after its timeout, naming it", async () => {
    const t0 = performance.now();
    await expect(connectTcp(`127.0.0.1:${port}`, { timeout: 800 })).rejects.toThrow(`cannot reach a MoaT-KV server at 127.0.0.1:${port} (no answer within 800 ms)`);
    expect(performance.now() - t0).toBeLessThan(5000); // not the OS's connect timeout
  });
});
