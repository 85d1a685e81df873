// Authentication on a ticktock node alone: users in the internal tree (`auth password user
// NAME`), the greeting that asks for a login, upstream's exchange (diffie_hellman, then auth with
// the password sealed with the shared key), refusals before login, and the read role beyond
// upstream. Upstream's own server and CLI are in test/interop/auth.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createHash, getDiffieHellman } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FAST, waitFor } from "../support/cluster.js";
import { init } from "../../src/core/range-set.js";
import { TicktockNode } from "../../src/node/node.js";
import { MqttTransport } from "../../src/transport/mqtt-transport.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/transport/embedded-broker.js";
import { fsStorage } from "../../src/node/state-file-fs.js";
import { serveTcp, type ClientServer } from "../../src/server/tcp-server.js";
import { connectTcp } from "../../src/client/tcp.js";
import type { KvClient, Msg } from "../../src/client/client.js";
import { authenticate, dhKey, login, parseCredentials, sealedPassword } from "../../src/client/login.js";
import { dhOffer, keyOfSecret, minimalBytes } from "../../src/auth/diffie-hellman.js";
import { MODP14, MODP5 } from "../../src/auth/modp-groups.js";
import { dhAnswer } from "../../src/auth/diffie-hellman-answer.js";
import { openPassword, passwordDigest, sealPassword } from "../../src/auth/password-box.js";
import { userPath } from "../../src/auth/user-records.js";
import { Path } from "../../src/wire/path.js";
import { joinFrom } from "../../src/client/join.js";
import { serveWebSocket } from "../../src/server/ws-server.js";
import { connectWebSocket } from "../../src/client/websocket.js";
import WebSocket from "ws";
import { runToEnd } from "../support/cli.js";

let broker: EmbeddedBroker;
const nodes: TicktockNode[] = [];
const servers: ClientServer[] = [];
const clients: KvClient[] = [];

beforeAll(async () => {
  await init();
  broker = await startEmbeddedBroker(0);
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
  for (const n of nodes.splice(0)) await n.stop();
});
afterAll(async () => {
  await broker.close();
});

async function startNode(name: string, root: string, extra: Partial<ConstructorParameters<typeof TicktockNode>[0]> = {}): Promise<{ node: TicktockNode; port: number }> {
  const node = new TicktockNode({ ...FAST, name, storage: fsStorage, transport: new MqttTransport({ url: broker.url, root }), log: () => {}, ...extra });
  await node.start();
  nodes.push(node);
  const tcp = await serveTcp(node, { port: 0 });
  servers.push(tcp);
  return { node, port: tcp.port };
}

async function client(port: number): Promise<KvClient> {
  const c = await connectTcp(`127.0.0.1:${port}`);
  clients.push(c);
  return c;
}

/** Drain a stream request; its error text, or undefined when it ended well. */
async function streamError(c: KvClient, action: string, fields: Msg): Promise<string | undefined> {
  try {
    for await (const _ of c.stream(action, fields));
    return undefined;
  } catch (e) {
    return (e as { serverError?: string }).serverError ?? (e as Error).message;
  }
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { serverError?: string }).serverError ?? (e as Error).message;
  }
  throw new Error("expected the request to be refused");
}

/** A node with users joe (maintainer) and ann (read), auth turned on; set up over the wire as upstream's CLI does. */
async function lockedNode(root: string, name = "a1") {
  const n = await startNode(name, root);
  const admin = await client(n.port);
  await admin.request("auth_set", { typ: "password", kind: "user", ident: "joe", chain: null, password: await sealedPassword(admin, "secret1") });
  await admin.request("auth_set", { typ: "password", kind: "user", ident: "ann", chain: null, password: await sealedPassword(admin, "secret2"), role: "read" });
  await admin.request("set_auth_typ", { typ: "password" });
  return n;
}

describe("the exchange", () => {
  it("gives both sides the same key in group 14, and in group 5 for upstream's debug length", () => {
    for (const length of [1024, 16]) {
      const offer = dhOffer(length);
      const answer = dhAnswer(offer.pubkey, length);
      expect(offer.finish(answer.pubkey)).toEqual(answer.key);
      expect(answer.key.length).toBe(32);
      // 1536 / 2048 bits, without leading zero bytes (upstream's num2byte)
      expect(answer.pubkey.length).toBeLessThanOrEqual(length < 32 ? 192 : 256);
      expect(answer.pubkey.length).toBeGreaterThan(length < 32 ? 184 : 248);
      expect(answer.pubkey[0]).not.toBe(0);
    }
  });

  it("runs the client's half in plain JavaScript on RFC 3526's groups, as node:crypto's", () => {
    expect(MODP5.prime.toString(16)).toBe(getDiffieHellman("modp5").getPrime("hex").replace(/^0+/, ""));
    expect(MODP14.prime.toString(16)).toBe(getDiffieHellman("modp14").getPrime("hex").replace(/^0+/, ""));
    // the server's answer from node:crypto, our finish from BigInt: the key node:crypto computes too
    const server = getDiffieHellman("modp14");
    server.generateKeys();
    const offer = dhOffer();
    expect(offer.finish(new Uint8Array(server.getPublicKey()))).toEqual(keyOfSecret(BigInt(`0x${server.computeSecret(offer.pubkey).toString("hex")}`)));
    // a server key a small subgroup would confine (0, 1, p-1), or one beyond p, is refused by name
    for (const bad of [0n, 1n, MODP14.prime - 1n, MODP14.prime + 5n]) {
      expect(() => offer.finish(minimalBytes(bad))).toThrow(/diffie_hellman reply: the peer's public key \(\d+ bytes\) is not usable: outside 3 … p-2 of MODP group 14/);
    }
  });

  it("seals the password's sha256 so that only the key opens it", async () => {
    const key = dhAnswer(dhOffer().pubkey).key;
    const sealed = await sealPassword(key, "secret1");
    expect(sealed.length).toBe(24 + 16 + 32);
    expect(Buffer.from(openPassword(key, sealed))).toEqual(createHash("sha256").update("secret1").digest());
    expect(() => openPassword(new Uint8Array(32), sealed)).toThrow(/does not open with this connection's key/);
    expect(() => openPassword(key, "x")).toThrow(/expected a sealed box of at least 40 bytes, got string/);
  });

  it("reads upstream's -a form and names what is wrong", () => {
    expect(parseCredentials("password name=joe password=secret1")).toEqual({ method: "password", name: "joe", password: "secret1" });
    expect(parseCredentials("root")).toEqual({ method: "root" });
    expect(() => parseCredentials("password name=joe")).toThrow(/needs name=NAME and password=PASSWORD/);
    expect(() => parseCredentials("ldap name=joe")).toThrow(/method "ldap" is not one ticktock speaks/);
    expect(() => parseCredentials("password joe")).toThrow(/"joe" is not NAME=VALUE/);
  });
});

describe("a node with auth", () => {
  it("without auth records greets as before and serves everyone", async () => {
    const n = await startNode("o1", "auth.open");
    const c = await client(n.port);
    expect(c.greeting).not.toHaveProperty("auth");
    await login(c, undefined);
    expect((await c.request("set_value", { path: Path.of("x"), value: 1 })).changed).toBe(true);
  });

  it("keeps users where upstream does, as the sha256 digest, and turns auth on only with a user", async () => {
    const n = await startNode("s1", "auth.store");
    const c = await client(n.port);
    expect(await errorOf(c.request("set_auth_typ", { typ: "password" }))).toMatch(/auth method password has no users yet; add one first/);
    expect(await errorOf(c.request("auth_set", { typ: "password", kind: "user", ident: "joe", chain: null }))).toMatch(/new user joe needs a password/);
    expect(await errorOf(c.request("auth_set", { typ: "password", kind: "user", ident: "9lives", chain: null }))).toMatch(/user name "9lives" is not one/);
    const r = await c.request("auth_set", { typ: "password", kind: "user", ident: "joe", chain: null, password: await sealedPassword(c, "secret1") });
    expect(r).toMatchObject({ changed: true, chain: { node: "s1", prev: null } });
    const e = n.node.store.get(userPath("password", "joe"))!;
    expect(e.value).toEqual({ password: await passwordDigest("secret1") });
    expect(await errorOf(c.request("auth_set", { typ: "password", kind: "user", ident: "joe", chain: null, password: await sealedPassword(c, "x2345") }))).toMatch(/Entry already exists at auth\/password\/user\/joe/);
    expect(await errorOf(c.request("diffie_hellman", { pubkey: dhOffer().pubkey, length: 1024 }))).toMatch(/can't call dh twice/);
    // the greeting lists methods once the auth node exists: none current yet
    expect((await client(n.port)).greeting).toMatchObject({ auth: [null, "password"] });
    expect(await c.request("set_auth_typ", { typ: "password" })).toMatchObject({ changed: true });
    expect((await client(n.port)).greeting).toMatchObject({ auth: ["password"] });
    // the connection made with auth off stays a maintainer, as upstream's RootServerUser
    expect((await c.request("set_value", { path: Path.of("x"), value: 2 })).changed).toBe(true);
    expect(await c.request("get_internal", { path: new Path(["auth"]) })).toMatchObject({ value: { current: "password" } });
    expect(await c.request("auth_get", { typ: "password", kind: "user", ident: "joe" })).toMatchObject({ name: "joe" });
    expect(await c.request("auth_info", {})).not.toHaveProperty("value"); // upstream's reads (None, None, auth): nothing
  });

  it("refuses everything but diffie_hellman and auth until a login, and keeps the connection", async () => {
    const n = await lockedNode("auth.gate");
    const c = await client(n.port);
    expect(c.greeting).toMatchObject({ auth: ["password"] });
    expect(await errorOf(c.request("get_value", { path: Path.of("x") }))).toBe("NoAuthError: get_value needs a login; this server wants auth method password (diffie_hellman, then auth)");
    expect(await errorOf(c.request("get_state", {}))).toMatch(/^NoAuthError: get_state needs a login/);
    expect(await streamError(c, "auth", { typ: "password", ident: "joe", password: new Uint8Array(72) })).toMatch(/has not executed the diffie_hellman key exchange/);
    const wrong = await streamError(c, "auth", { typ: "password", ident: "joe", password: await sealedPassword(c, "nope1") });
    expect(wrong).toBe("AuthFailedError: user joe and this password do not match");
    // an unknown user gets the same answer: names are not given away
    expect(await streamError(c, "auth", { typ: "password", ident: "zed", password: await sealedPassword(c, "secret1") })).toBe("AuthFailedError: user zed and this password do not match");
    expect(await streamError(c, "auth", { typ: "root", ident: "*" })).toBe("auth: wrong auth type root; this server wants password");
    expect(await errorOf(c.request("get_value", { path: Path.of("x") }))).toMatch(/^NoAuthError/);
    expect(await streamError(c, "auth", { typ: "password", ident: "joe", password: await sealedPassword(c, "secret1") })).toBeUndefined();
    expect(await c.request("set_value", { path: Path.of("x"), value: 3 })).toMatchObject({ changed: true });
    expect(await c.request("get_value", { path: Path.of("x") })).toMatchObject({ value: 3 });
  });

  it("logs in through the client's login(), and says what to give when nothing was", async () => {
    const n = await lockedNode("auth.login");
    const none = await client(n.port);
    await expect(login(none, undefined)).rejects.toThrow(/wants a login \(auth method password\); give --user NAME/);
    const bad = await client(n.port);
    await expect(login(bad, parseCredentials("password name=joe password=wrong1"))).rejects.toThrow(/login to 127.0.0.1:\d+ as joe failed: AuthFailedError/);
    const wrongMethod = await client(n.port);
    await expect(login(wrongMethod, { method: "root" })).rejects.toThrow(/wants auth method password, not root/);
    const ok = await client(n.port);
    await login(ok, parseCredentials("password name=joe password=secret1"));
    expect((await ok.request("ping", {})).result).toBe("pong");
    // the key stays for the connection: a new user's password is sealed with it
    const key = await dhKey(ok);
    expect(await dhKey(ok)).toBe(key);
    await ok.request("auth_set", { typ: "password", kind: "user", ident: "bob", chain: null, password: await sealedPassword(ok, "secret3") });
    await login(await client(n.port), parseCredentials("password name=bob password=secret3"));
  });

  it("lets a read user look but not mark, delete, kill, write, or read the password digests", async () => {
    const n = await lockedNode("auth.read");
    n.node.set(Path.of("a", "b"), 1);
    const ann = await client(n.port);
    await login(ann, parseCredentials("password name=ann password=secret2"));
    // look
    expect(await ann.request("get_value", { path: Path.of("a", "b") })).toMatchObject({ value: 1 });
    expect(await ann.request("get_state", { nodes: true })).toHaveProperty("nodes");
    expect(await ann.request("enum", { path: Path.of("a") })).toEqual(expect.objectContaining({ result: ["b"] }));
    const tree: Msg[] = [];
    for await (const m of ann.stream("get_tree", { path: new Path() })) tree.push(m);
    expect(tree.map((m) => m.value)).toEqual([1]);
    const watched: Msg[] = [];
    for await (const m of ann.stream("watch", { path: Path.of("a"), fetch: true }, { untilUptodate: true })) watched.push(m);
    expect(watched).toHaveLength(1);
    expect(await ann.request("get_internal", { path: new Path(["actor", "del"]) })).toEqual(expect.any(Object));
    // not touch
    const refusedActions: [string, Msg][] = [
      ["set_value", { path: Path.of("a", "b"), value: 2 }],
      ["delete_value", { path: Path.of("a", "b") }],
      ["delete_tree", { path: Path.of("a") }],
      ["fake_info", { missing: { ghost: [1] } }],
      ["fake_info_send", { missing: { ghost: [1] } }],
      ["kill_node", { node: "ghost" }],
      ["msg_send", { topic: ["x"], data: 1 }],
      ["save", { path: "/tmp/x.state" }],
      ["log", { path: "/tmp/x.log" }],
      ["check_deleted", { nodes: {} }],
      ["set_internal", { path: new Path(["actor", "del"]), value: { nodes: ["a1"] } }],
      ["auth_set", { typ: "password", kind: "user", ident: "ann", role: "maintainer" }],
      ["auth_list", { typ: "password", kind: "user", ident: "joe" }],
      ["set_auth_typ", { typ: null }],
      ["get_internal", { path: new Path(["auth", "password", "user", "joe"]) }],
      ["enum_internal", { path: new Path(["auth"]) }],
    ];
    for (const [action, fields] of refusedActions) {
      const why = await errorOf(ann.request(action, fields));
      expect(why, action).toMatch(new RegExp(`^Not allowed: ${action}( of the auth records)? needs a maintainer; user ann may only look$`));
    }
    expect(await streamError(ann, "get_tree_internal", { path: new Path() })).toMatch(/^Not allowed: get_tree_internal of the auth records/);
    expect(n.node.store.get(Path.of("a", "b"))!.value).toBe(1);
    // a maintainer may; and a role change lets ann write from her next login
    const joe = await client(n.port);
    await login(joe, parseCredentials("password name=joe password=secret1"));
    expect(await joe.request("auth_set", { typ: "password", kind: "user", ident: "ann", role: "maintainer" })).toMatchObject({ changed: true });
    expect(n.node.store.get(userPath("password", "ann"))!.value).toEqual({ password: await passwordDigest("secret2"), role: "maintainer" });
    const ann2 = await client(n.port);
    await login(ann2, parseCredentials("password name=ann password=secret2"));
    expect(await ann2.request("set_value", { path: Path.of("a", "b"), value: 2 })).toMatchObject({ changed: true });
    // a listing shows names and roles, never the digest
    const listed: Msg[] = [];
    for await (const m of joe.stream("auth_list", { typ: "password", kind: "user" })) listed.push(m);
    expect(listed.map(({ seq: _s, tock: _t, ...m }) => m)).toEqual([
      { name: "joe", typ: "password", kind: "user", ident: "joe" },
      { name: "ann", role: "maintainer", typ: "password", kind: "user", ident: "ann" },
    ]);
  });

  it("deletes users, but not the last one of the method in use", async () => {
    const n = await lockedNode("auth.delete");
    const joe = await client(n.port);
    await login(joe, parseCredentials("password name=joe password=secret1"));
    expect(await joe.request("delete_internal", { path: new Path(["auth", "password", "user", "ann"]) })).toMatchObject({ changed: true });
    await expect(login(await client(n.port), parseCredentials("password name=ann password=secret2"))).rejects.toThrow(/AuthFailedError: user ann/);
    expect(await errorOf(joe.request("delete_internal", { path: new Path(["auth", "password", "user", "joe"]) }))).toBe("delete_internal: joe is the last user of auth method password, which is on; turn auth off first (auth -m - init -s)");
    expect(await errorOf(joe.request("set_internal", { path: new Path(["acl", "x"]), value: 1 }))).toMatch(/^set_internal: ticktock's internal tree holds only the deleter list \(actor del\) and auth records/);
    await joe.request("set_auth_typ", { typ: null });
    expect(await joe.request("delete_internal", { path: new Path(["auth", "password", "user", "joe"]) })).toMatchObject({ changed: true });
  });

  it("lets a joining node copy from a server with auth when it logs in", async () => {
    const n = await lockedNode("auth.join", "j1");
    n.node.set(Path.of("k"), "v");
    const fresh = await startNode("j2", "auth.join.other");
    await expect(joinFrom(fresh.node, `127.0.0.1:${n.port}`)).rejects.toThrow(/wants a login \(auth method password\)/);
    // a read user may not copy: the internal tree holds the password digests
    await expect(joinFrom(fresh.node, `127.0.0.1:${n.port}`, parseCredentials("password name=ann password=secret2"))).rejects.toThrow(/Not allowed: get_tree_internal of the auth records needs a maintainer; user ann may only look/);
    expect(fresh.node.store.get(userPath("password", "joe"))).toBeUndefined();
    // a maintainer copies the users too (they are entries, as upstream's fetch_data copies them)
    const other = await startNode("j3", "auth.join.third");
    const r = await joinFrom(other.node, `127.0.0.1:${n.port}`, parseCredentials("password name=joe password=secret1"));
    expect(r.from).toBe("j1");
    expect(other.node.store.get(Path.of("k"))!.value).toBe("v");
    const copied = other.node.store.get(userPath("password", "joe"))!.value as { password: Uint8Array };
    expect(Buffer.from(copied.password)).toEqual(Buffer.from(await passwordDigest("secret1")));
    expect((await client(other.port)).greeting).toMatchObject({ auth: ["password"] });
    await login(await client(other.port), parseCredentials("password name=joe password=secret1"));
  });

  it("gates WebSocket connections the same way", async () => {
    const n = await lockedNode("auth.ws");
    const ws = await serveWebSocket(n.node, { port: 0 });
    servers.push(ws);
    const c = await connectWebSocket(`ws://127.0.0.1:${ws.port}`, { WebSocket: WebSocket as never });
    clients.push(c);
    expect(c.greeting).toMatchObject({ auth: ["password"] });
    expect(await errorOf(c.request("get_state", {}))).toMatch(/^NoAuthError: get_state needs a login/);
    await login(c, parseCredentials("password name=ann password=secret2"));
    expect(await c.request("get_state", { nodes: true })).toHaveProperty("nodes");
    expect(await errorOf(c.request("kill_node", { node: "ghost" }))).toBe("Not allowed: kill_node needs a maintainer; user ann may only look");
  });

  it("serves the root method as upstream's: one record, no password", async () => {
    const n = await startNode("r1", "auth.root");
    const c = await client(n.port);
    await c.request("auth_set", { typ: "root", kind: "user", ident: "*", chain: null });
    await c.request("set_auth_typ", { typ: "root" });
    const r = await client(n.port);
    expect(r.greeting).toMatchObject({ auth: ["root"] });
    await expect(login(r, parseCredentials("password name=joe password=secret1"))).rejects.toThrow(/wants auth method root, not password/);
    const ok = await client(n.port);
    await login(ok, { method: "root" });
    expect((await ok.request("ping", {})).result).toBe("pong");
    // turned off again: new connections need nothing
    await ok.request("set_auth_typ", { typ: null });
    const open = await client(n.port);
    expect(open.greeting).toMatchObject({ auth: [null, "root"] });
    expect((await open.request("ping", {})).result).toBe("pong");
  });

  it("gossips users to the other nodes and keeps them in state files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ticktock-auth-"));
    const a = await lockedNode("auth.gossip", "g1");
    const b = await startNode("g2", "auth.gossip", { save: join(dir, "g2.state") });
    // g2 came up after the users were made: it asks for the missing ticks and gets them
    await waitFor(() => b.node.store.get(userPath("password", "ann")) !== undefined && b.node.store.get(Path.of(null, "auth")) !== undefined, 10_000, () => JSON.stringify(b.node.ledger.missing()));
    const viaB = await client(b.port);
    expect(viaB.greeting).toMatchObject({ auth: ["password"] });
    await login(viaB, parseCredentials("password name=joe password=secret1"));
    // a user made on g2 logs in on g1
    await viaB.request("auth_set", { typ: "password", kind: "user", ident: "cy", chain: null, password: await sealedPassword(viaB, "secret4") });
    await waitFor(() => a.node.store.get(userPath("password", "cy")) !== undefined, 10_000);
    await login(await client(a.port), parseCredentials("password name=cy password=secret4"));
    // g2's state file brings the users back
    await b.node.stop();
    nodes.splice(nodes.indexOf(b.node), 1);
    const c = await startNode("g3", "auth.gossip.reloaded", { load: join(dir, "g2.state") });
    const viaC = await client(c.port);
    expect(viaC.greeting).toMatchObject({ auth: ["password"] });
    await login(viaC, parseCredentials("password name=cy password=secret4"));
    await expect(authenticate(viaC, parseCredentials("password name=cy password=wrong1"))).rejects.toThrow(/AuthFailedError/);
  });
});

describe("the command line's login options", () => {
  it("names what is missing or contradictory, exit code 2", async () => {
    const noUser = await runToEnd(["--password-file", "/nonexistent", "auth", "list"]);
    expect([noUser.code, noUser.stderr]).toEqual([2, "ticktock: --password-file needs --user NAME\n"]);
    const both = await runToEnd(["--user", "joe", "--auth", "root", "auth", "list"]);
    expect([both.code, both.stderr]).toEqual([2, "ticktock: --auth and --user/--password-file both say who to log in as; give one of them\n"]);
    const noFile = await runToEnd(["--user", "joe", "--password-file", "/nonexistent/pw", "auth", "list"]);
    expect([noFile.code, noFile.stderr]).toEqual([2, "ticktock: --password-file /nonexistent/pw: ENOENT\n"]);
    const badSpec = await runToEnd(["--auth", "password joe", "auth", "list"]);
    expect([badSpec.code, badSpec.stderr]).toEqual([2, 'ticktock: auth "password joe": "joe" is not NAME=VALUE; expected "password name=NAME password=PASSWORD" or "root"\n']);
  });
});
