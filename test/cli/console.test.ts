// The recovery console end to end: real `ticktock` processes against ticktock f.nodes on a real
// Mosquitto broker, following the seed's procedure.
import { describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../support/mosquitto.js";
import { startNodes, waitFor, mosquittoFixture } from "../support/cluster.js";
import { runToEnd } from "../support/cli.js";
import { serveTcp } from "../../src/server/tcp-server.js";
import { encodeValue } from "../../src/wire/codec.js";
import { Path } from "../../src/wire/path.js";

const f = mosquittoFixture();

async function cluster(names: string[]): Promise<string[]> {
  f.nodes = await startNodes(f.broker.url, names);
  const servers = await Promise.all(f.nodes.map((n) => serveTcp(n.node, { port: 0 })));
  f.servers.push(...servers);
  return servers.map((s) => `127.0.0.1:${s.port}`);
}

async function publish(msgs: Record<string, unknown>[]): Promise<void> {
  const c = await mqtt.connectAsync(f.broker.url);
  for (const m of msgs) await c.publishAsync("moat/kv/update", Buffer.from(encodeValue(m)));
  await c.endAsync();
}

const tt = (...args: string[]) => runToEnd(args);

describe("the seed's repair procedure with ticktock", () => {
  it("shows a skipped tick on every node, and mark -b clears it everywhere", async () => {
    const addr = await cluster(["test1", "test2", "test3"]);
    await publish([
      { node: "ghost", tick: 1, prev: null, path: Path.of("ghost", "a"), value: "g1", tock: 1 },
      { node: "ghost", tick: 3, prev: null, path: Path.of("ghost", "c"), value: "g3", tock: 1 },
    ]);
    await waitFor(() => f.nodes.every((n) => n.node.ledger.get("ghost")?.tick === 3), 5000);
    for (const [i, a] of addr.entries()) {
      const r = await tt("internal", "state", "-ndmrk", "--server", a);
      expect(r.code).toBe(0);
      // upstream 0.70.22's layout: keys sorted, the superseded sets under `superseded`
      expect(r.stdout).toMatch(new RegExp(`^deleted: \\{\\}\nmissing:\n  ghost:\n  - 2\nnode: test${i + 1}\nnodes:\n  ghost: 3\n[^]*\nseq: 1\nsuperseded: \\{\\}\ntock: \\d+\n$`));
    }
    const mark = await tt("internal", "mark", "-b", "ghost", "--server", addr[0]!);
    expect(mark.code).toBe(0);
    expect(mark.stdout).toMatch(/^known:\n  ghost:\n  - 2\nnode: test1\nseq: 4\ntock: \d+\n$/);
    await waitFor(() => f.nodes.every((n) => Object.keys(n.node.ledger.missing()).length === 0), 5000);
    for (const a of addr) {
      const r = await tt("internal", "state", "-m", "--json", "--server", a);
      expect(JSON.parse(r.stdout).missing).toEqual({});
    }
    const again = await tt("internal", "mark", "ghost", "--server", addr[1]!);
    expect(again).toMatchObject({ code: 0, stdout: `nothing to mark: node ghost has no missing ticks on ${addr[1]}\n` });
  });

  it("takes a node out of maintainer-only mode when its own gap is marked", async () => {
    const addr = await cluster(["a", "b"]);
    f.nodes[0]!.node.set(Path.of("x"), 1);
    await publish([{ node: "a", tick: 4, prev: null, path: Path.of("y"), value: "forged", tock: 9 }]);
    await waitFor(() => f.nodes[0]!.node.mode === "maintainer", 5000);
    const refused = await tt("data", "x", "get", "--server", addr[0]!);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("ticktock: get_value: maintainer-only: missing ticks a [[2, 4]]\n");
    const dry = await tt("internal", "mark", "a", "--dry-run", "--server", addr[0]!);
    expect(dry.stdout).toContain("would_mark_superseded:\n  a:\n  - - 2\n    - 4\n");
    expect(dry.stdout).toContain("could_resurface:\n- x (a tick 1)\n");
    expect(f.nodes[0]!.node.mode).toBe("maintainer"); // the dry run changed nothing
    const mark = await tt("internal", "mark", "--broadcast", "a", "--server", addr[0]!);
    expect(mark.code).toBe(0);
    await waitFor(() => f.nodes[0]!.node.mode === "serving", 5000);
    const ok = await tt("data", "x", "get", "--server", addr[0]!);
    expect(ok).toMatchObject({ code: 0, stdout: "1\n" });
    expect(f.nodes[1]!.node.ledger.missing()).toEqual({});
  });

  it("gets, sets and deletes data with upstream's syntax and output", async () => {
    const [a] = await cluster(["test1"]);
    expect((await tt("data", ":", "set", "-v", ":", "Testing", "--server", a!)).code).toBe(0);
    expect((await tt("data", "one.two.three", "set", "-e", ":", "123", "--server", a!)).code).toBe(0);
    expect((await tt("data", "one.two.three.four", "set", "-e", ":", "1234", "--server", a!)).code).toBe(0);
    expect((await tt("data", "one.two.three.four.five", "set", "-v", "one", "XXX", "-e", "two", "2", "--server", a!)).code).toBe(0);
    // exactly what upstream's CLI printed for the same data (cli_outputs.txt)
    expect((await tt("data", "one", "get", "-rd_", "--server", a!)).stdout).toBe(
      "two:\n  three:\n    _: 123\n    four:\n      _: 1234\n      five:\n        _:\n          one: XXX\n          two: 2\n",
    );
    expect((await tt("data", ":", "get", "--server", a!)).stdout).toBe("'Testing'\n");
    expect((await tt("data", "one.two.three.four", "delete", "--server", a!)).code).toBe(0);
    expect(await tt("data", "one.two.three.four", "get", "--server", a!)).toMatchObject({ code: 0, stdout: "", stderr: "No data at one.two.three.four\n" });
    const bad = await tt("data", "one..two", "get", "--server", a!);
    expect(bad).toMatchObject({ code: 2, stderr: 'ticktock: path "one..two": empty element at position 4\n' });
    const badLit = await tt("data", "x", "set", "-e", ":", "[1, 2", "--server", a!);
    expect(badLit.stderr).toBe('ticktock: literal "[1, 2": \',\' or \']\' expected at position 5\n');
  });

  it("retires a node that left: enum -c, enum -C, kill; clear errors for what cannot be done", async () => {
    const addr = await cluster(["test1", "test2"]);
    await publish([
      { node: "ghost", tick: 1, prev: null, path: Path.of("ghost", "a"), value: "g1", tock: 1 },
      { node: "ghost", tick: 3, prev: null, path: Path.of("ghost", "c"), value: "g3", tock: 1 },
    ]);
    await waitFor(() => f.nodes.every((n) => JSON.stringify(n.node.ledger.missing()) === '{"ghost":[2]}'), 5000);
    const [a1, a2] = addr as [string, string];
    expect(await tt("internal", "enum", "ghost", "-c", "--server", a1)).toMatchObject({ code: 0, stdout: "1\n3\n" });
    expect(JSON.parse((await tt("internal", "enum", "ghost", "-n", "1", "--json", "--server", a1)).stdout)).toEqual([1]);
    const refused = await tt("internal", "kill", "ghost", "--server", a1);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split("\n")).toEqual([expect.stringMatching(/Node ghost has entry [13]/)]);
    const badNum = await tt("internal", "enum", "ghost", "-n", "two", "--server", a1);
    expect(badNum.code).toBe(2);
    expect(badNum.stderr).toMatch(/--num "two" is not a count/);
    const unknown = await tt("internal", "enum", "nobody", "--server", a1);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown node "nobody"/);

    const copy = await tt("internal", "enum", "ghost", "-C", "--server", a2);
    expect(copy).toMatchObject({ code: 0, stdout: "1\n3\n" });
    expect(copy.stderr).toMatch(/rewrote 2 entries on 127\.0\.0\.1:\d+; ghost has no current data there now/);
    await waitFor(() => f.nodes.every((n) => n.node.enumNode("ghost", true).length === 0), 5000);
    const killed = await tt("internal", "kill", "ghost", "--server", a1);
    expect(killed).toMatchObject({ code: 0, stdout: `dropped node ghost on ${a1}; every server was told\n` });
    await waitFor(() => f.nodes.every((n) => n.node.ledger.get("ghost") === undefined), 5000);
    for (const n of f.nodes) expect(n.node.ledger.missing()).toEqual({});
    // the values stay, now test2's changes
    expect(f.nodes.map((n) => n.node.get(Path.of("ghost", "c"))?.value)).toEqual(["g3", "g3"]);
  });

  it("says in one line when the server is unreachable", async () => {
    const port = await freePort();
    const r = await tt("internal", "state", "-ndmrk", "--server", `127.0.0.1:${port}`);
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: `ticktock: cannot reach a MoaT-KV server at 127.0.0.1:${port} (ECONNREFUSED)\n` });
  });

  it("computes the state offline from state files", async () => {
    const r = await tt("state-file", "test/fixtures/upstream/state_test1.dkv", "-n", "-d", "-m");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("deleted:\n  test1:\n  - 5\nmissing: {}\nnode: test1\nnodes:\n  test1: 5\n  test2: 2\ntock: 73\n");
    const missingFile = join(mkdtempSync(join(tmpdir(), "tt-")), "nope.dkv");
    const gone = await tt("state-file", missingFile);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("ENOENT");
  });
});
