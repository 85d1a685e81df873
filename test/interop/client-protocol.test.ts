// The client protocol, differentially: one table of request sequences, each sent as the same
// msgpack bytes over raw TCP to a lone upstream MoaT-KV server and to a lone ticktock node, each
// on its own Mosquitto broker and set up the same way (upstream's `-I Testing` writes "Testing"
// at the root with tick 1; the ticktock node gets the same write). The replies are compared field
// by field after normalising only the clock (`tock`). Where the two differ on purpose
// (docs/upstream-differences.md, "Client protocol"), the sequence names the difference and
// asserts each side's own behaviour instead. TICKTOCK_SHOW_TRANSCRIPTS=1 prints both sides' messages.
import { mkdtempSync, existsSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, expect, it } from "vitest";
import { startMosquitto, type Broker } from "../support/mosquitto.js";
import { startNode, type TestNode } from "../support/cluster.js";
import { describeUpstream, upstreamFixture } from "../support/upstream.js";
import { serveTcp } from "../../src/server/tcp-server.js";
import { decodeAsyncStream, decodeStream, encodeValue } from "../../src/wire/codec.js";
import { Path, type PathElement } from "../../src/wire/path.js";

type Msg = Record<string, unknown>;
const NODE = "kv1";
const P = (...e: PathElement[]) => new Path(e);

// ---- one step of a sequence ----

/**
 * A request (its seq is the step's number unless given) and when its answer is complete:
 * - "reply" (default): one message, or a stream from `state: start` to `state: end`;
 * - "uptodate": a watch's initial dump up to `state: uptodate`;
 * - { total: k, of: n }: until request n has had k messages (a watch seeing a change; n = 0:
 *   this step's own request);
 * - "any": the next message whatever its seq (answers to requests without a usable seq);
 * - "closed": the server hangs up.
 * `raw` sends bytes instead of a map; `text` substitutes the side's temp dir for $DIR.
 */
interface Step {
  send?: Msg;
  raw?: Uint8Array;
  until?: "reply" | "uptodate" | "any" | "closed" | { total: number; of: number };
  /** Just wait this long, ms (for gossip to come back from the broker). */
  wait?: number;
}

/** What to do to a side before the sequence runs. */
interface Sequence {
  name: string;
  steps: Step[];
  /** A difference kept on purpose: its entry in docs/upstream-differences.md and each side's check. */
  kept?: { doc: RegExp; upstream: (t: Transcript) => void; ticktock: (t: Transcript) => void };
  /** An MQTT topic filter to listen to on each side's broker: what arrives is compared too. */
  listen?: string;
  /** Checks of files a sequence wrote (log, save), on each side. */
  files?: (dir: string) => void;
  /** Files whose records must be the same on both sides (tock aside). */
  sameFiles?: string[];
}

const req = (action: string, fields: Msg = {}): Step => ({ send: { action, ...fields } });

// ---- the table ----

const SEQUENCES: Sequence[] = [
  {
    name: "get_value: present, absent, not a path's entry, with nchain",
    steps: [
      req("set_value", { path: P("a"), value: 1 }),
      req("get_value", { path: P("a") }),
      req("get_value", { path: P("a"), nchain: 1 }),
      req("get_value", { path: P("a"), nchain: -1 }),
      req("get_value", { path: P("a"), nchain: 0 }),
      req("get_value", { path: P("nope") }),
      req("get_value", { path: P("nope"), nchain: 2 }),
      req("get_value", { path: P("a", "b") }),
      req("get_value", { path: P() }),
      req("set_value", { path: P("m", "n", "o"), value: 1 }),
      req("get_value", { path: P("m", "n") }),
      req("get_value", { path: P("m", "n"), nchain: 1 }),
    ],
  },
  {
    name: "set_value: new, changed, same, prev and chain returned by default",
    steps: [
      req("set_value", { path: P("s"), value: "one" }),
      req("set_value", { path: P("s"), value: "two" }),
      req("set_value", { path: P("s"), value: "two" }),
      req("set_value", { path: P("s", "t"), value: { x: [1, 2] } }),
      req("set_value", { path: P("s"), value: 3, nchain: 0 }),
      req("set_value", { path: P("s"), value: 4, nchain: 2 }),
      req("set_value", { path: P("s"), value: 5, nchain: -1 }),
      req("get_value", { path: P("s"), nchain: -1 }),
    ],
  },
  {
    name: "set_value with prev: matching, not matching, on a new entry",
    steps: [
      req("set_value", { path: P("p"), value: 1 }),
      req("set_value", { path: P("p"), value: 2, prev: 1 }),
      req("set_value", { path: P("p"), value: 3, prev: 1 }),
      req("set_value", { path: P("q"), value: 3, prev: 1 }),
      req("set_value", { path: P("q"), value: 3, prev: null }),
      req("get_value", { path: P("p") }),
    ],
  },
  {
    name: "set_value with chain: new (null), matching, stale, on a new entry",
    steps: [
      req("set_value", { path: P("c"), value: 1, chain: null }),
      req("set_value", { path: P("c"), value: 2, chain: null }),
      req("set_value", { path: P("c"), value: 2, chain: { node: NODE, tick: 2, prev: null } }),
      req("set_value", { path: P("c"), value: 3, chain: { node: NODE, tick: 2, prev: null } }),
      req("set_value", { path: P("d"), value: 3, chain: { node: NODE, tick: 2, prev: null } }),
      req("get_value", { path: P("c"), nchain: -1 }),
    ],
  },
  {
    name: "set_value with idem: same value, other value, other type",
    steps: [
      req("set_value", { path: P("i"), value: 7 }),
      req("set_value", { path: P("i"), value: 7, idem: true }),
      req("set_value", { path: P("i"), value: 7, idem: true, nchain: 0 }),
      req("set_value", { path: P("i"), value: 8, idem: true }),
      req("set_value", { path: P("i"), value: "8", idem: true }),
      req("set_value", { path: P("j"), value: 1, idem: true }),
      req("set_value", { path: P("i"), value: "8", idem: false }),
    ],
  },
  {
    name: "delete_value: present, absent, twice, with prev, chain and nchain",
    steps: [
      req("set_value", { path: P("x"), value: 1 }),
      req("set_value", { path: P("y"), value: 2 }),
      req("set_value", { path: P("z"), value: 3 }),
      req("delete_value", { path: P("x") }),
      req("delete_value", { path: P("x") }),
      req("delete_value", { path: P("never") }),
      req("delete_value", { path: P("y"), prev: 9 }),
      req("delete_value", { path: P("y"), prev: 2, nchain: 0 }),
      req("delete_value", { path: P("z"), chain: { node: NODE, tick: 1, prev: null } }),
      req("delete_value", { path: P("z"), chain: { node: NODE, tick: 4, prev: null }, nchain: -1 }),
      req("get_value", { path: P("x"), nchain: 1 }),
      req("set_value", { path: P("x"), value: 5 }),
      req("get_value", { path: P("x"), nchain: -1 }),
    ],
  },
  {
    name: "get_value by node and tick",
    steps: [
      req("set_value", { path: P("n", "a"), value: 1 }),
      req("set_value", { path: P("n", "b"), value: 2 }),
      req("set_value", { path: P("n", "a"), value: 3 }),
      req("get_value", { node: NODE, tick: 2 }),
      req("get_value", { node: NODE, tick: 3 }),
      req("get_value", { node: NODE, tick: 4, nchain: -1 }),
      req("get_value", { node: NODE, tick: 1 }),
    ],
  },
  {
    name: "get_tree: everything, depth bounds, nchain, a subtree, an absent subtree",
    steps: [
      req("set_value", { path: P("t"), value: 0 }),
      req("set_value", { path: P("t", "a"), value: 1 }),
      req("set_value", { path: P("t", "a", "b"), value: 2 }),
      req("set_value", { path: P("t", "a", "b", "c"), value: 3 }),
      req("set_value", { path: P("t", "d"), value: 4 }),
      req("set_value", { path: P("u"), value: 5 }),
      req("get_tree", { path: P() }),
      req("get_tree", { path: P("t") }),
      req("get_tree", { path: P("t"), min_depth: 1 }),
      req("get_tree", { path: P("t"), max_depth: 1 }),
      req("get_tree", { path: P("t"), min_depth: 2, max_depth: 2 }),
      req("get_tree", { path: P("t"), max_depth: 0 }),
      req("get_tree", { path: P("t", "a"), nchain: 1 }),
      req("get_tree", { path: P("nothing") }),
      req("get_tree", { path: P("t"), empty: true }),
    ],
  },
  {
    name: "get_tree and delete_tree: siblings written out of order",
    steps: [
      req("set_value", { path: P("o", "b"), value: 1 }),
      req("set_value", { path: P("o", "a"), value: 2 }),
      req("set_value", { path: P("o", "a", "z"), value: 3 }),
      req("set_value", { path: P("o", "a", "y"), value: 4 }),
      req("get_tree", { path: P("o") }),
      req("delete_tree", { path: P("o"), nchain: 1 }),
    ],
  },
  {
    name: "get_tree skips deleted entries and empty parents",
    steps: [
      req("set_value", { path: P("e", "a", "b"), value: 1 }),
      req("set_value", { path: P("e", "c"), value: 2 }),
      req("delete_value", { path: P("e", "c") }),
      req("get_tree", { path: P("e") }),
      req("get_tree", { path: P("e"), empty: true }),
    ],
  },
  {
    name: "watch without fetch: a change arriving while watching",
    steps: [
      req("set_value", { path: P("w", "old"), value: 1 }),
      { send: { action: "watch", path: P("w") }, until: { total: 1, of: 0 } },
      req("set_value", { path: P("w", "new"), value: 2 }),
      { until: { total: 2, of: 2 } },
      req("set_value", { path: P("elsewhere"), value: 3 }),
      req("delete_value", { path: P("w", "old") }),
      { until: { total: 3, of: 2 } },
      req("set_value", { path: P("w", "new", "deeper"), value: 4 }),
      req("set_value", { path: P("w"), value: 5 }),
      { until: { total: 5, of: 2 } },
      req("stop", { task: 2 }),
      { until: { total: 6, of: 2 } },
    ],
  },
  {
    name: "watch with fetch, depth bounds and nchain, then changes",
    steps: [
      req("set_value", { path: P("v"), value: 0 }),
      req("set_value", { path: P("v", "a"), value: 1 }),
      req("set_value", { path: P("v", "a", "b"), value: 2 }),
      { send: { action: "watch", path: P("v"), fetch: true }, until: "uptodate" },
      { send: { action: "watch", path: P("v"), fetch: true, min_depth: 1, max_depth: 1 }, until: "uptodate" },
      { send: { action: "watch", path: P("v"), fetch: true, nchain: 1, max_depth: 0 }, until: "uptodate" },
      req("set_value", { path: P("v", "a", "b"), value: 22 }),
      { until: { total: 6, of: 4 } },
      req("set_value", { path: P("v", "a"), value: 11 }),
      { until: { total: 7, of: 4 } },
      { until: { total: 4, of: 5 } },
      req("set_value", { path: P("v"), value: 10 }),
      { until: { total: 8, of: 4 } },
      { until: { total: 4, of: 6 } },
      req("stop", { task: 4 }),
      req("stop", { task: 5 }),
      req("stop", { task: 6 }),
      req("stop", { task: 99 }),
      { until: { total: 9, of: 4 } },
      { until: { total: 5, of: 5 } },
      { until: { total: 5, of: 6 } },
    ],
  },
  {
    name: "watch of an absent subtree, and of a bad path",
    steps: [
      { send: { action: "watch", path: P("none", "yet"), fetch: true }, until: "uptodate" },
      req("set_value", { path: P("none", "yet", "x"), value: 1 }),
      { until: { total: 3, of: 1 } },
      req("watch", { path: 7 }),
    ],
  },
  {
    name: "delete_tree: counted, with nchain streamed, the root refused, an absent subtree",
    steps: [
      req("set_value", { path: P("dt"), value: 0 }),
      req("set_value", { path: P("dt", "a"), value: 1 }),
      req("set_value", { path: P("dt", "a", "b"), value: 2 }),
      req("set_value", { path: P("dt2", "x"), value: 1 }),
      req("set_value", { path: P("dt2", "y"), value: 2 }),
      req("delete_tree", { path: P("dt") }),
      req("get_tree", { path: P("dt") }),
      req("delete_tree", { path: P("dt2"), nchain: 1 }),
      req("delete_tree", { path: P("nothing") }),
      req("get_tree", { path: P() }),
      req("get_value", { path: P("dt"), nchain: 1 }),
      req("set_value", { path: P("nil"), value: null }),
      req("set_value", { path: P("nil", "sub"), value: 1 }),
      req("delete_tree", { path: P("nil") }),
      req("get_tree", { path: P("nil") }),
      req("delete_tree", {}),
      req("get_state", { nodes: true }),
    ],
  },
  {
    name: "delete_tree of the root",
    steps: [
      req("set_value", { path: P("r"), value: 1 }),
      req("delete_tree", { path: P() }),
      req("get_tree", { path: P() }),
    ],
    kept: {
      doc: /delete_tree of the root/,
      upstream: (t) => {
        expect(reply(t, 2)).toMatchObject({ changed: 3 }); // the root, r, and its internal-data node
        expect(stream(t, 3).map((m) => m.state)).toEqual(["start", "end"]);
      },
      ticktock: (t) => {
        expect(reply(t, 2)).toMatchObject({ error: "delete_tree: the root cannot be deleted; name a subtree" });
        expect(values(stream(t, 3))).toEqual(["Testing", 1]);
      },
    },
  },
  {
    name: "enum: names, with data, with empty nodes",
    steps: [
      req("set_value", { path: P("l"), value: 0 }),
      req("set_value", { path: P("l", "a"), value: 1 }),
      req("set_value", { path: P("l", "b", "c"), value: 2 }),
      req("set_value", { path: P("l", "d"), value: 3 }),
      req("delete_value", { path: P("l", "d") }),
      req("enum", { path: P("l") }),
      req("enum", { path: P("l"), empty: true }),
      req("enum", { path: P("l"), with_data: true }),
      req("enum", { path: P("l"), with_data: true, empty: true }),
      req("enum", { path: P("l", "a") }),
      req("enum", { path: P("nothing") }),
      req("enum", {}),
    ],
  },
  {
    name: "get_state with each flag, and all of them",
    steps: [
      req("set_value", { path: P("g"), value: 1 }),
      req("delete_value", { path: P("g") }),
      req("get_state", {}),
      req("get_state", { nodes: true }),
      req("get_state", { known: true }),
      req("get_state", { superseded: true }),
      req("get_state", { present: true }),
      req("get_state", { deleted: true }),
      req("get_state", { missing: true }),
      req("get_state", { remote_missing: true }),
      req("get_state", { node_drop: true }),
      req("get_state", { debug: true }),
      req("get_state", { nodes: true, known: true, superseded: true, present: true, deleted: true, missing: true, remote_missing: true, node_drop: true }),
    ],
  },
  {
    name: "fake_info and fake_info_send: ticks, missing, known, deleted",
    steps: [
      req("fake_info", { ticks: { other: 5 } }),
      req("get_state", { nodes: true, missing: true }),
      req("fake_info", { known: { other: [[1, 3]] } }),
      req("get_state", { nodes: true, known: true, missing: true }),
      req("fake_info_send", { known: { other: [[3, 6]] } }),
      { wait: 500 },
      req("get_state", { nodes: true, known: true, missing: true }),
      req("fake_info", { deleted: { other: [[5, 6]] } }),
      req("get_state", { nodes: true, known: true, deleted: true, missing: true }),
    ],
  },
  {
    name: "enum_node and kill_node",
    steps: [
      req("set_value", { path: P("k", "a"), value: 1 }),
      req("set_value", { path: P("k", "b"), value: 2 }),
      req("set_value", { path: P("k", "a"), value: 3 }),
      req("enum_node", { node: NODE }),
      req("enum_node", { node: NODE, current: true }),
      req("enum_node", { node: NODE, max: 2 }),
      req("fake_info", { ticks: { gone: 3 } }),
      req("get_state", { nodes: true }),
      req("enum_node", { node: "gone" }),
      req("kill_node", { node: NODE }),
      req("kill_node", { node: "gone" }),
      req("get_state", { nodes: true }),
      req("enum_node", { node: "gone" }),
      req("kill_node", { node: "never" }),
    ],
  },
  {
    name: "get_state node_drop after kill_node",
    steps: [req("fake_info", { ticks: { gone: 3 } }), req("kill_node", { node: "gone" }), req("get_state", { node_drop: true })],
    kept: {
      doc: /node_drop/,
      upstream: (t) => expect(reply(t, 3)).toMatchObject({ node_drop: [["gone", null]] }),
      ticktock: (t) => expect(reply(t, 3)).toMatchObject({ node_drop: ["gone"] }),
    },
  },
  {
    name: "get_state with the debugger flag",
    steps: [req("get_state", { debugger: true })],
  },
  {
    name: "get_tock: a fresh tock each time",
    steps: [req("get_tock"), req("get_tock")],
  },
  {
    name: "save and log to files",
    steps: [
      req("set_value", { path: P("f"), value: 1 }),
      req("save", { path: "$DIR/saved.state" }),
      req("save", { path: "$DIR/full.state", full: true }),
      req("log", { path: "$DIR/log.state" }),
      req("set_value", { path: P("f"), value: 2 }),
      req("log", { path: "$DIR/log2.state", fetch: true }),
      req("set_value", { path: P("f"), value: 3 }),
    ],
    files: (dir) => {
      for (const f of ["saved.state", "log.state", "log2.state"]) expect(existsSync(join(dir, f)), f).toBe(true);
    },
    // upstream flushes a log when it is replaced or after a second; log2.state is still open
    sameFiles: ["saved.state", "full.state", "log.state"],
  },
  {
    name: "msg_send: data, raw, a one-element topic, and bad ones",
    listen: "test/#",
    steps: [
      req("msg_send", { topic: ["test", "topic"], data: { a: 1, b: [P("x"), null] } }),
      req("msg_send", { topic: ["test", "topic"], raw: new Uint8Array([1, 2]) }),
      req("msg_send", { topic: "test", data: "one" }),
      req("msg_send", { topic: ["test", "both"], data: 1, raw: new Uint8Array([1]) }),
      req("msg_send", { topic: ["test", "none"] }),
      req("msg_send", { data: 1 }),
    ],
  },
  {
    name: "bad requests: missing fields, wrong types",
    steps: [
      req("set_value", { path: P("b") }),
      req("set_value", { value: 1 }),
      req("delete_value", { path: P("b"), value: 1 }),
      req("get_value", {}),
      req("get_value", { path: "a.b" }),
      req("get_tree", { path: 5 }),
      req("enum_node", {}),
      req("kill_node", {}),
      req("get_value", { node: NODE }),
      req("get_value", { node: NODE, tick: 99 }),
      req("stop", {}),
      req("get_tock"),
    ],
  },
  {
    name: "fields of a wrong type that upstream accepts",
    steps: [
      req("set_value", { path: P("b"), value: 1, nchain: "x" }),
      req("delete_tree", { path: "dt" }),
      req("set_value", { path: "xy", value: 1 }),
      req("get_state", { nodes: true }),
    ],
    kept: {
      doc: /wrong type/,
      upstream: (t) => {
        expect(reply(t, 1)).toMatchObject({ changed: true, chain: { node: NODE, tick: 2, prev: null } });
        expect(reply(t, 2)).toMatchObject({ changed: 1 }); // the string's letters as a path: d.t
        expect(reply(t, 3)).toMatchObject({ changed: true }); // at x.y
        expect(reply(t, 4)).toMatchObject({ nodes: { [NODE]: 4 } });
      },
      ticktock: (t) => {
        expect(reply(t, 1)).toMatchObject({ error: 'nchain "x" is not a count' });
        expect(reply(t, 2)).toMatchObject({ error: "delete_tree: path dt is not a Path" });
        expect(reply(t, 3)).toMatchObject({ error: 'set_value: path "xy" is not a Path' });
        expect(reply(t, 4)).toMatchObject({ nodes: { [NODE]: 1 } });
      },
    },
  },
  {
    name: "reads of the internal tree (ticktock's is empty)",
    steps: [
      req("get_internal", { path: P("actor") }),
      req("enum_internal", { path: P() }),
      { send: { action: "get_tree_internal", path: P() }, until: "reply" },
    ],
  },
  {
    // auth stays off (no records): auth_info reads (None, None, auth) upstream, which never exists
    name: "auth actions on a server without users",
    steps: [
      req("auth_info"),
      req("auth_info", { nchain: 2 }),
      req("auth_get", { typ: "password", kind: "user", ident: "joe" }),
      req("get_value", { path: P() }),
    ],
  },
  {
    name: "actions only one side serves",
    steps: [req("test_acl", { path: P("a") }), req("ping")],
    kept: {
      doc: /Actions not served/,
      upstream: (t) => {
        expect(reply(t, 1)).not.toHaveProperty("error");
        expect(t.closed).toBe(true); // ping is an unknown action there
      },
      ticktock: (t) => {
        expect(reply(t, 1)).toMatchObject({ error: expect.any(String) });
        expect(reply(t, 2)).toMatchObject({ result: "pong" });
        expect(t.closed).toBe(false);
      },
    },
  },
  {
    name: "an unknown action",
    steps: [req("get_tock"), req("frobnicate"), req("get_tock")],
    kept: {
      doc: /unknown action/,
      upstream: (t) => {
        expect(t.closed).toBe(true);
        expect(reply(t, 2)).toEqual([]);
        expect(t.messages.at(-1)).toMatchObject({ error: expect.any(String) });
        expect(t.messages.at(-1)).not.toHaveProperty("seq");
      },
      ticktock: (t) => {
        expect(t.closed).toBe(false);
        expect(reply(t, 2)).toMatchObject({ error: expect.stringMatching(/^unknown action "frobnicate"; this server knows /) });
        expect(reply(t, 3)).toHaveProperty("tock");
      },
    },
  },
  {
    name: "a request that is not a map",
    steps: [req("get_tock"), { raw: encodeValue([1, 2, 3]), until: "any" }, { raw: encodeValue("hello"), until: "any" }, req("get_tock")],
  },
  {
    name: "bytes that are not msgpack",
    steps: [req("get_tock"), { raw: new Uint8Array([0xc1]), until: "closed" }],
  },
  {
    name: "a request without a seq",
    steps: [req("get_tock"), { send: { action: "get_tock", seq: undefined }, until: "any" }, req("get_tock")],
  },
];

/** The messages answering request `seq`. */
function stream(t: Transcript, seq: number): Msg[] {
  return t.messages.filter((m) => m.seq === seq);
}

/** The one message answering request `seq` (or all of them, when there are more or none). */
function reply(t: Transcript, seq: number): Msg | Msg[] {
  const msgs = stream(t, seq);
  return msgs.length === 1 ? msgs[0]! : msgs;
}

const items = (r: Msg | Msg[]) => (Array.isArray(r) ? r : [r]).filter((m) => !("state" in m));
const values = (r: Msg | Msg[]) => items(r).map((m) => m.value);
const paths = (r: Msg | Msg[]) => items(r).filter((m) => "path" in m).map((m) => (m.path instanceof Path ? [...m.path.elements] : m.path));

// ---- a raw client ----

interface Transcript {
  /** Every message received, in order (the greeting first). */
  messages: Msg[];
  /** The server hung up. */
  closed: boolean;
  /** What arrived on the broker for the sequence's `listen` topics: "topic hex-payload". */
  published: string[];
}

class RawClient {
  readonly messages: Msg[] = [];
  closed = false;
  #qlen = 0;
  readonly #acked = new Map<unknown, number>();
  #wake: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on("error", () => {});
    void (async () => {
      try {
        for await (const m of decodeAsyncStream(socket)) {
          this.messages.push(m as Msg);
          this.#ack(m as Msg);
          this.#wake?.();
        }
      } catch {
        // a reset is a hang-up too
      }
      this.closed = true;
      this.#wake?.();
    })();
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect({ port, host: "127.0.0.1" });
    const c = new RawClient(socket);
    await c.waitFor(() => c.messages.length >= 1, "the greeting");
    const hello = c.messages[0]!;
    // as upstream's client does: answer the greeting's qlen with its own
    if (typeof hello.qlen === "number") {
      c.#qlen = Math.min(hello.qlen, 99);
      c.sendRaw(encodeValue({ seq: 0, qlen: c.#qlen }));
    }
    return c;
  }

  /** Acknowledge stream messages as upstream's client does (every qlen/3 messages). */
  #ack(m: Msg): void {
    if (this.#qlen === 0 || typeof m.wseq !== "number") return;
    const last = this.#acked.get(m.seq) ?? 0;
    if (m.wseq - last > Math.floor(this.#qlen / 3)) {
      this.#acked.set(m.seq, m.wseq);
      this.sendRaw(encodeValue({ seq: m.seq, state: "ack", ack: m.wseq }));
    }
  }

  sendRaw(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  async waitFor(ok: () => boolean, what: string, ms = 10_000): Promise<void> {
    const until = Date.now() + ms;
    while (!ok()) {
      if (this.closed) return;
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${ms} ms; received: ${this.messages.map(show).join("\n")}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  bySeq(seq: unknown): Msg[] {
    return this.messages.filter((m) => m.seq === seq);
  }

  close(): void {
    this.socket.destroy();
  }
}

function replyDone(msgs: Msg[]): boolean {
  if (msgs.length === 0) return false;
  if (msgs[0]!.state !== "start") return true;
  return msgs.some((m) => m.state === "end");
}

function withDir(v: unknown, dir: string): unknown {
  if (typeof v === "string") return v.replace("$DIR", dir);
  if (v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Path) && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withDir(x, dir)]));
  }
  return v;
}

/** Run one sequence against a client port; the transcript of everything received. */
async function runSequence(port: number, seq: Sequence, dir: string): Promise<Transcript> {
  const c = await RawClient.open(port);
  try {
    const seqOf: number[] = [];
    for (const [i, step] of seq.steps.entries()) {
      const n = i + 1;
      if (c.closed) break;
      if (step.wait) {
        await new Promise((r) => setTimeout(r, step.wait));
        continue;
      }
      const s = step.send && "seq" in step.send ? step.send.seq : n;
      seqOf[n] = typeof s === "number" ? s : -1;
      const until = step.until ?? "reply";
      const before = c.messages.length;
      if (typeof until === "object") {
        const target = until.of === 0 ? n : seqOf[until.of]!;
        if (step.send) c.sendRaw(encodeValue(withDir({ ...step.send, seq: n }, dir)));
        await c.waitFor(() => c.bySeq(target).length >= until.total, `message ${until.total} of request ${target} (${seq.name}, step ${n})`);
        continue;
      }
      if (step.raw) c.sendRaw(step.raw);
      else if (step.send) {
        const msg = withDir({ ...step.send }, dir) as Msg;
        if (!("seq" in step.send)) msg.seq = n;
        else if (msg.seq === undefined) delete msg.seq;
        c.sendRaw(encodeValue(msg));
      }
      if (until === "reply") await c.waitFor(() => replyDone(c.bySeq(n)), `reply to request ${n} (${seq.name})`);
      else if (until === "uptodate") await c.waitFor(() => c.bySeq(n).some((m) => m.state === "uptodate"), `uptodate of request ${n} (${seq.name})`);
      else if (until === "any") await c.waitFor(() => c.messages.length > before, `any answer to step ${n} (${seq.name})`);
      else await c.waitFor(() => c.closed, `hang-up after step ${n} (${seq.name})`, 5000);
    }
    // anything else the server still says
    await new Promise((r) => setTimeout(r, 150));
    return { messages: [...c.messages], closed: c.closed, published: [] };
  } finally {
    c.close();
  }
}

// ---- normalising and comparing ----

/**
 * Only what must differ: the clock, and the words of an error (upstream sends the repr() of a
 * Python exception, such as "KeyError(P('nothing'))"; ticktock a sentence naming what is wrong).
 */
function canonical(v: unknown): unknown {
  if (v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Path) && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === "error" && typeof x === "string" ? "<error>" : x]));
  }
  return v;
}

/** For reading: only the clock is left out. */
function normalise(v: unknown): unknown {
  if (v instanceof Path) return { $path: v.elements.map(normalise) };
  if (v instanceof Uint8Array) return { $bin: Buffer.from(v).toString("hex") };
  if (typeof v === "bigint") return { $big: v.toString() };
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === "tock" && typeof x === "number" ? "<tock>" : normalise(x)]));
  }
  return v;
}

function show(m: unknown): string {
  return JSON.stringify(normalise(m));
}

interface Line {
  canon: string;
  text: string;
}

/** Messages grouped by seq (order within a request kept; requests may interleave). */
function grouped(t: Transcript): Map<string, Line[]> {
  const out = new Map<string, Line[]>();
  for (const m of t.messages) {
    const k = String(m.seq);
    out.set(k, [...(out.get(k) ?? []), { canon: show(canonical(m)), text: show(m) }]);
  }
  if (t.closed) out.set("closed", [{ canon: "hung up", text: "<the server hung up>" }]);
  if (t.published.length) out.set("published on the broker", t.published.map((p) => ({ canon: p, text: p })));
  return out;
}

/** A readable diff; "" when the transcripts agree. */
function diff(up: Transcript, tt: Transcript, seq: Sequence): string {
  const a = grouped(up), b = grouped(tt);
  const lines: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k) ?? [], y = b.get(k) ?? [];
    if (JSON.stringify(x.map((l) => l.canon)) === JSON.stringify(y.map((l) => l.canon))) continue;
    const step = /^\d+$/.test(k) ? seq.steps[Number(k) - 1] : undefined;
    lines.push(`seq ${k}${step?.send ? ` ${show(step.send)}` : ""}:`);
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if (x[i]?.canon === y[i]?.canon) lines.push(`    = ${x[i]!.text}`);
      else {
        if (x[i]) lines.push(`  upstream: ${x[i]!.text}`);
        if (y[i]) lines.push(`  ticktock: ${y[i]!.text}`);
      }
    }
  }
  return lines.join("\n");
}

/** Collect what arrives on a topic filter of a broker. */
async function listen(url: string, filter: string): Promise<{ stop(): Promise<string[]> }> {
  const client = await mqtt.connectAsync(url);
  const got: string[] = [];
  client.on("message", (topic, payload) => got.push(`${topic} ${Buffer.from(payload).toString("hex")}`));
  await client.subscribeAsync(filter, { qos: 0 });
  return {
    async stop() {
      await client.endAsync();
      return got;
    },
  };
}

// ---- the servers ----

describeUpstream("the client protocol, upstream and ticktock side by side", () => {
  const up = upstreamFixture();
  const brokers: Broker[] = [];
  const nodes: TestNode[] = [];
  const tally = { sequences: 0, replies: 0, differing: 0, kept: [] as string[] };

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.node.stop()));
    await Promise.all(brokers.map((b) => b.stop()));
    console.log(`client protocol: ${tally.sequences} sequences, ${tally.replies} messages from upstream compared (greetings included); ${tally.differing} sequences differ, each kept on purpose and asserted per side: ${tally.kept.join("; ") || "none"}`);
  });

  async function upstreamSide() {
    const broker = await startMosquitto();
    brokers.push(broker);
    const s = await up.start({ name: NODE, mqtt: broker.url, init: true });
    return { port: s.port, log: () => s.log(), broker };
  }

  async function ticktockSide() {
    const broker = await startMosquitto();
    brokers.push(broker);
    const n = await startNode(broker.url, NODE, { startupWait: 200 });
    nodes.push(n);
    n.node.set(new Path(), "Testing"); // as upstream's -I Testing
    const server = await serveTcp(n.node, { port: 0 });
    return { port: server.port, close: () => server.close(), n, broker };
  }

  for (const seq of SEQUENCES) {
    it(seq.name, async () => {
      const upDir = mkdtempSync(join(tmpdir(), "ticktock-cp-up-"));
      const ttDir = mkdtempSync(join(tmpdir(), "ticktock-cp-tt-"));
      const [u, t] = await Promise.all([upstreamSide(), ticktockSide()]);
      const listeners = seq.listen ? await Promise.all([listen(u.broker.url, seq.listen), listen(t.broker.url, seq.listen)]) : [];
      try {
        const [ut, tt] = await Promise.all([
          runSequence(u.port, seq, upDir).catch((e: Error) => {
            throw new Error(`${e.message}\nupstream log:\n${u.log()}`);
          }),
          runSequence(t.port, seq, ttDir),
        ]);
        if (listeners.length) {
          await new Promise((r) => setTimeout(r, 300));
          const [a, b] = await Promise.all(listeners.map((l) => l.stop()));
          ut.published = a!;
          tt.published = b!;
          expect(ut.published.length, "messages upstream published").toBeGreaterThan(0);
        }
        if (process.env.TICKTOCK_SHOW_TRANSCRIPTS) {
          console.log(`${seq.name}\n upstream:\n  ${ut.messages.map(show).join("\n  ")}${ut.closed ? "\n  <hung up>" : ""}\n ticktock:\n  ${tt.messages.map(show).join("\n  ")}${tt.closed ? "\n  <hung up>" : ""}`);
        }
        tally.sequences++;
        tally.replies += ut.messages.length;
        const d = diff(ut, tt, seq);
        if (seq.kept) {
          seq.kept.upstream(ut);
          seq.kept.ticktock(tt);
          expect(d, "a kept difference that no longer differs").not.toBe("");
          tally.differing++;
          tally.kept.push(seq.name);
        } else {
          if (d) console.log(`${seq.name}: upstream and ticktock differ\n${d}`);
          expect(d, `${seq.name}: upstream and ticktock differ`).toBe("");
        }
        if (seq.files) {
          seq.files(upDir);
          seq.files(ttDir);
        }
        for (const f of seq.sameFiles ?? []) {
          const records = (dir: string) => [...decodeStream(readFileSync(join(dir, f)))].map(show);
          expect(records(ttDir), `${f}: ticktock's records, upstream's expected`).toEqual(records(upDir));
        }
      } finally {
        await t.close();
        await t.n.node.stop();
        await up.servers.at(-1)?.kill();
        await Promise.all(brokers.splice(0).map((b) => b.stop()));
      }
    });
  }
});

