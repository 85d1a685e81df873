// Authentication against the real upstream: upstream's CLI sets up auth on a ticktock node and
// logs in to it with a password; ticktock's console logs in to an upstream server set up by
// upstream's CLI; `ticktock auth …` manages users on both; and in a mixed cluster the users made
// on one kind of server log in on the other, since they are entries of the internal tree.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { stringify } from "yaml";
import { runToEnd } from "../support/cli.js";
import { eventually, mixedFixture } from "../support/mixed.js";
import { describeUpstream, runKv, type UpstreamServer } from "../support/upstream.js";
import { userPath } from "../../src/auth/user-records.js";
import { passwordDigest } from "../../src/auth/password-box.js";
import { connectTcp } from "../../src/client/tcp.js";

const dir = mkdtempSync(join(tmpdir(), "ticktock-auth-interop-"));

/** Upstream's CLI against any server's client port (a ticktock node's too). */
function kvAt(port: number, args: string[]) {
  const config = join(dir, `conn-${port}.yaml`);
  writeFileSync(config, stringify({ kv: { conn: { host: "127.0.0.1", port } } }));
  return runKv(["-c", config, ...args], { timeout: 30_000 });
}

/** A file holding a password (the console reads the first line). */
function pwFile(name: string, password: string): string {
  const f = join(dir, name);
  writeFileSync(f, `${password}\n`);
  return f;
}

const JOE = ["-a", "password name=joe password=secret1"];
const tt = (args: string[]) => runToEnd(args, 30_000);

/** The greeting's `auth` field of a server. */
async function greetingAuth(port: number): Promise<unknown> {
  const c = await connectTcp(`127.0.0.1:${port}`);
  c.close();
  return (c.greeting as unknown as Record<string, unknown>).auth;
}

/** Upstream's CLI sets up joe (and turns auth on) on a server. */
async function upstreamSetup(kv: (a: string[]) => ReturnType<typeof runKv>): Promise<void> {
  const add = await kv(["auth", "-m", "password", "user", "add", "name=joe", "password=secret1"]);
  expect(add.stdout.trim(), add.stderr).toBe("joe");
  const on = await kv(["auth", "-m", "password", "init"]);
  expect(on.stdout.trim(), on.stderr).toBe("Authorization switched to password");
}

describeUpstream("authentication", () => {
  const f = mixedFixture();

  it("upstream's CLI sets up auth on a ticktock node and logs in to it with a password", async () => {
    const t = await f.ticktock("tt1");
    const kv = (a: string[]) => kvAt(t.port, a);
    await upstreamSetup(kv);
    expect(await greetingAuth(t.port)).toEqual(["password"]);
    // the record is upstream's: the password's sha256 under (None, auth, password, user, joe)
    expect(t.t.node.store.get(userPath("password", "joe"))!.value).toEqual({ password: await passwordDigest("secret1") });

    const anon = await kv(["data", "a", "get"]);
    expect(anon.code).not.toBe(0);
    expect(anon.stderr).toMatch(/ClientAuthRequiredError: \('You need to log in using:', 'password'\)/);
    const wrong = await kv(["-a", "password name=joe password=wrong1", "data", "a", "get"]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/ServerError: AuthFailedError: user joe and this password do not match/);

    expect((await kv([...JOE, "data", "a", "set", "-e", ":", "42"])).code).toBe(0);
    expect((await kv([...JOE, "data", "a", "get"])).stdout.trim()).toBe("42");
    expect((await kv([...JOE, "auth", "user", "list"])).stdout).toMatch(/^joe$/m);
    // upstream's own server crashes on `user get` (its reply has no name); ticktock's answers one
    expect((await kv([...JOE, "auth", "user", "get", "joe"])).stdout).toMatch(/^name: joe$/m);

    // a read user, made with ticktock's verb: upstream's CLI may look but not write or mark
    const made = await tt(["--user", "joe", "--password-file", pwFile("joe", "secret1"), "auth", "user", "add", "ann", "--new-password-file", pwFile("ann", "secret2"), "--role", "read", "--server", `127.0.0.1:${t.port}`]);
    expect(made.stdout.trim(), made.stderr).toBe("ann");
    const ANN = ["-a", "password name=ann password=secret2"];
    expect((await kv([...ANN, "data", "a", "get"])).stdout.trim()).toBe("42");
    const write = await kv([...ANN, "data", "a", "set", "-e", ":", "43"]);
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/Not allowed: set_value needs a maintainer; user ann may only look/);
    const mark = await kv([...ANN, "internal", "mark", "ghost", "5"]);
    expect(mark.code).not.toBe(0);
    expect(mark.stderr).toMatch(/Not allowed: fake_info needs a maintainer; user ann may only look/);
    expect(t.t.node.store.get(userPath("password", "ann"))!.value).toMatchObject({ role: "read" });
  });

  it("ticktock's console logs in to an upstream server set up by upstream's CLI", async () => {
    const up = await f.upstream({ name: "up1", init: true });
    expect((await up.kv(["data", "a", "set", "-e", ":", "7"])).code).toBe(0);
    await upstreamSetup((a) => up.kv(a));
    expect(await greetingAuth(up.port)).toEqual(["password"]);
    const server = ["--server", `127.0.0.1:${up.port}`];

    const anon = await tt(["data", "a", "get", ...server]);
    expect(anon.code).toBe(1);
    expect(anon.stderr).toBe(`ticktock: 127.0.0.1:${up.port} wants a login (auth method password); give --user NAME with --password-file FILE, or --auth "password name=NAME password=PASSWORD"\n`);
    const wrong = await tt(["--user", "joe", "--password-file", pwFile("wrong", "wrong1"), "data", "a", "get", ...server]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(`ticktock: login to 127.0.0.1:${up.port} as joe failed: AuthFailedError('Password hashes do not match', 'joe')\n`);

    const byFile = await tt(["--user", "joe", "--password-file", pwFile("joe", "secret1"), "data", "a", "get", ...server]);
    expect(byFile.stdout.trim(), byFile.stderr).toBe("7");
    const byUpstreamForm = await tt(["data", "a", "get", ...server, "--auth", "password name=joe password=secret1"]);
    expect(byUpstreamForm.stdout.trim(), byUpstreamForm.stderr).toBe("7");
  });

  it("ticktock auth manages the users of an upstream server, which its CLI then logs in with", async () => {
    const up = await f.upstream({ name: "up1", init: true });
    const server = ["--server", `127.0.0.1:${up.port}`];
    // auth still off: ticktock's verbs set it up, upstream's CLI logs in
    const add = await tt(["auth", "user", "add", "name=joe", "password=secret1", ...server]);
    expect(add.stdout.trim(), add.stderr).toBe("joe");
    const on = await tt(["auth", "init", ...server]);
    expect(on.stdout.trim(), on.stderr).toBe("Authorization switched to password");
    expect(await greetingAuth(up.port)).toEqual(["password"]);
    expect((await up.kv(["data", "a", "get"])).stderr).toMatch(/ClientAuthRequiredError/);
    expect((await up.kv([...JOE, "data", "a", "set", "-e", ":", "1"])).code).toBe(0);

    const login = ["--user", "joe", "--password-file", pwFile("joe", "secret1")];
    const ann = await tt([...login, "auth", "user", "add", "ann", "--new-password-file", pwFile("ann", "secret2"), ...server]);
    expect(ann.stdout.trim(), ann.stderr).toBe("ann");
    expect((await up.kv(["-a", "password name=ann password=secret2", "data", "a", "get"])).stdout.trim()).toBe("1");
    const list = await tt([...login, "auth", "user", "list", ...server]);
    expect(list.stdout, list.stderr).toBe("joe\nann\n");
    const methods = await tt([...login, "auth", "list", ...server]);
    expect(methods.stdout, methods.stderr).toBe("password (current)\n");

    const del = await tt([...login, "auth", "user", "delete", "ann", ...server]);
    expect(del.stdout, del.stderr).toBe("ann deleted\n");
    const gone = await up.kv(["-a", "password name=ann password=secret2", "data", "a", "get"]);
    expect(gone.code).not.toBe(0);
    // upstream's server trips over the deleted record (its data is NotGiven) rather than saying so
    expect(gone.stderr).toMatch(/ServerError: AttributeError\(\\?"'ellipsis' object has no attribute 'items'/);

    const off = await tt([...login, "auth", "-m", "-", "init", "-s", ...server]);
    expect(off.stdout.trim(), off.stderr).toBe("Authorization turned off.");
    expect(await greetingAuth(up.port)).toEqual([null, "password"]);
    expect((await up.kv(["data", "a", "get"])).stdout.trim()).toBe("1");
  });

  it("in a mixed cluster, users made on one kind of server log in on the other", async () => {
    const up: UpstreamServer = await f.upstream({ name: "up1", init: true });
    const t = await f.ticktock("tt1");
    await eventually(async () => (t.t.node.mode === "serving" ? "" : `tt1 is ${t.t.node.mode}`), 30_000, [t]);
    await upstreamSetup((a) => up.kv(a));
    // the records reach tt1 as updates of the internal tree
    await eventually(async () => JSON.stringify(await greetingAuth(t.port)) === '["password"]' ? "" : `tt1 greets with auth ${JSON.stringify(await greetingAuth(t.port))}`, 30_000, [t]);
    const onTt = await kvAt(t.port, [...JOE, "data", "a", "set", "-e", ":", "5"]);
    expect(onTt.code, onTt.stderr).toBe(0);
    const got = await tt(["--user", "joe", "--password-file", pwFile("joe", "secret1"), "data", "a", "get", "--server", `127.0.0.1:${t.port}`]);
    expect(got.stdout.trim(), got.stderr).toBe("5");

    // and back: a user made on tt1 logs in on up1
    const made = await tt(["--user", "joe", "--password-file", pwFile("joe", "secret1"), "auth", "user", "add", "ann", "--new-password-file", pwFile("ann", "secret2"), "--server", `127.0.0.1:${t.port}`]);
    expect(made.stdout.trim(), made.stderr).toBe("ann");
    await eventually(async () => {
      const r = await up.kv(["-a", "password name=ann password=secret2", "data", "a", "get"]);
      return r.stdout.trim() === "5" ? "" : `up1: ${r.stdout.trim()} ${r.stderr.split("\n").slice(-2).join(" ")}`;
    }, 30_000, [t]);
  });
});
