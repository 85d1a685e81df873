// The cluster inspector, in the page: everything heavy runs in Web Workers (the passive observer,
// and a console for the node whose WebSocket port is given); the page asks them for a snapshot
// and for rasters a few times a second and draws. Timelines come from the range sets, rasterised
// in the core to one value per pixel, so ten ticks and a million intervals draw alike.
//
// A node with auth on: the workers log in with upstream's password exchange (plain JavaScript,
// so in the browser too). The login comes from the inspector's server (login.json, when
// `ticktock inspect` was given --user and --password-file), else from the login form the page
// shows when the node's greeting asks for one. It stays in this page's memory and its workers.
import { spawnRole } from "../../src/worker/adapters/web.js";
import type { RoleWorker } from "../../src/worker/contract.js";
import type { ClusterSnapshot, NodeRaster } from "../../src/observer/cluster-observer.js";
import type { RangeMap } from "../../src/wire/messages.js";
import type { Credentials } from "../../src/client/login.js";
import type { Greeting } from "../../src/client/client.js";

interface Config {
  mqtt?: string;
  server?: string;
  root?: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
const fmtMissing = (m: RangeMap) => Object.entries(m).map(([n, r]) => `${n} ${show(r)}`).join(", ");

async function config(): Promise<Config> {
  const q = new URLSearchParams(location.search);
  let c: Config = {};
  try {
    const res = await fetch("config.json");
    if (res.ok) c = await res.json();
  } catch {
    /* served without a config: URL parameters only */
  }
  return { mqtt: q.get("mqtt") ?? c.mqtt, server: q.get("server") ?? c.server, root: q.get("root") ?? c.root };
}

/** The login `ticktock inspect` was given, if any (login.json: same origin, loopback only). */
async function givenLogin(): Promise<Credentials | undefined> {
  try {
    const res = await fetch("login.json", { cache: "no-store" });
    return res.ok ? ((await res.json()) as Credentials) : undefined;
  } catch {
    return undefined;
  }
}

/** The method a server's greeting asks to log in with (null: none). */
const wantedAuth = (g: Greeting): string | null => {
  const a = (g as unknown as { auth?: unknown }).auth;
  return Array.isArray(a) && typeof a[0] === "string" ? a[0] : null;
};

/**
 * Connect the console to the server, logged in: with the given login, else (when the greeting
 * asks for one) with what the operator types into the login form; a failed login is shown on the
 * form, which asks again.
 */
async function loggedInConsole(kv: RoleWorker<"console">, server: string, given: Credentials | undefined): Promise<{ hello: Greeting; cred?: Credentials }> {
  let error = "";
  if (given) {
    try {
      const hello = await kv.connect(server, given);
      return wantedAuth(hello) ? { hello, cred: given } : { hello }; // a node with auth off: no login was sent
    } catch (e) {
      error = (e as Error).message;
    }
  } else {
    const hello = await kv.connect(server);
    const want = wantedAuth(hello);
    if (!want) return { hello };
    if (want === "root") return { hello: await kv.connect(server, { method: "root" }), cred: { method: "root" } };
    if (want !== "password") throw new Error(`${server} wants auth method ${want}, which the inspector does not speak`);
  }
  const section = $("login-section");
  $("login-server").textContent = server;
  section.hidden = false;
  $("connection").textContent = `${server} asks for a login`;
  for (;;) {
    $("login-error").textContent = error;
    const cred = await new Promise<Credentials>((resolve) => {
      $("login").addEventListener("submit", (ev) => {
        ev.preventDefault();
        resolve({ method: "password", name: $<HTMLInputElement>("login-user").value.trim(), password: $<HTMLInputElement>("login-password").value });
      }, { once: true });
    });
    $("login-error").textContent = "logging in…";
    try {
      const hello = await kv.connect(server, cred);
      section.hidden = true;
      $<HTMLInputElement>("login-password").value = "";
      return { hello, cred };
    } catch (e) {
      error = (e as Error).message;
    }
  }
}

const BANDS = [
  ["present", "--present"],
  ["superseded", "--superseded"],
  ["deleted", "--deleted"],
  ["missing", "--missing"],
  ["remoteMissing", "--remote"],
] as const;

const colours = new Map<string, [number, number, number]>();
function rgb(varName: string): [number, number, number] {
  let c = colours.get(varName);
  if (!c) {
    const hex = getComputedStyle(document.documentElement).getPropertyValue(varName).trim().replace("#", "");
    c = [parseInt(hex.slice(0, 2), 16), parseInt(hex.slice(2, 4), 16), parseInt(hex.slice(4, 6), 16)];
    colours.set(varName, c);
  }
  return c;
}

/** A cheap fingerprint of a raster, to skip redrawing timelines that did not change. */
function fingerprint(r: NodeRaster): string {
  let h = 0;
  for (const [band] of BANDS) {
    const px = r[band];
    for (let i = 0; i < px.length; i++) h = (h * 31 + Math.round(px[i]! * 255)) | 0;
  }
  return `${r.width}:${String(r.hi)}:${h}`;
}

/**
 * Draw one node's bands into an ImageData (one pass over the pixels, one putImageData): a row
 * per band, each pixel's opacity its share of covered ticks. A lone tick among a million still
 * shows, at a third of full strength.
 */
function drawTimeline(canvas: HTMLCanvasElement, r: NodeRaster): void {
  const ctx = canvas.getContext("2d")!;
  const w = canvas.width, h = canvas.height;
  const img = ctx.createImageData(w, h);
  const d = img.data;
  const rowH = Math.floor(h / BANDS.length);
  BANDS.forEach(([band, colour], row) => {
    const px = r[band];
    const [cr, cg, cb] = rgb(colour);
    for (let x = 0; x < w && x < px.length; x++) {
      const v = px[x]!;
      if (v <= 0) continue;
      const a = Math.round(255 * Math.min(1, 0.33 + v));
      for (let y = row * rowH; y < (row + 1) * rowH - 1; y++) {
        const i = (y * w + x) * 4;
        d[i] = cr;
        d[i + 1] = cg;
        d[i + 2] = cb;
        d[i + 3] = a;
      }
    }
  });
  ctx.putImageData(img, 0, 0);
}

async function main(): Promise<void> {
  const cfg = await config();
  const status = $("connection");
  if (!cfg.mqtt && !cfg.server) {
    status.textContent = "no cluster given: open with ?mqtt=ws://HOST:PORT (MQTT over WebSocket) and/or &server=ws://HOST:PORT (a node's --ws-port)";
    return;
  }
  const observer: RoleWorker<"observer"> = await spawnRole("observer", { entry: "observer.worker.js" });
  let kv: RoleWorker<"console"> | undefined;
  if (cfg.mqtt) await observer.connect({ mqtt: cfg.mqtt, root: cfg.root });
  let cred: Credentials | undefined;
  if (cfg.server) {
    kv = await spawnRole("console", { entry: "console.worker.js" });
    const session = await loggedInConsole(kv, cfg.server, await givenLogin());
    cred = session.cred;
    await observer.seedFrom(cfg.server, cred); // the state goes to the observer worker directly
    const as = cred ? ` as ${cred.method === "password" ? cred.name : "root"}` : "";
    status.textContent = `broker ${cfg.mqtt ?? "(none)"} · server ${session.hello.node} at ${cfg.server}${as}`;
  } else status.textContent = `broker ${cfg.mqtt} · passive observer (repairs are broadcast on the gossip)`;
  observer.gone.then((e) => (status.textContent = `observer stopped: ${e.message}`));

  const rows = new Map<string, { tr: HTMLTableRowElement; canvas: HTMLCanvasElement; drawn?: string; key?: string }>();
  let last: ClusterSnapshot | undefined;

  async function refresh(): Promise<void> {
    const snap = await observer.snapshot();
    last = snap;
    const tbody = $("nodes").querySelector("tbody")!;
    const servers = new Map(snap.servers.map((s) => [s.name, s]));
    for (const n of snap.nodes) {
      let row = rows.get(n.name);
      if (!row) {
        const tr = document.createElement("tr");
        tr.dataset.node = n.name;
        tr.innerHTML = `<td class="name"></td><td class="num tick"></td><td class="num tock"></td><td class="num missing"></td><td><canvas class="timeline" width="600" height="30"></canvas></td>`;
        tbody.append(tr);
        row = { tr, canvas: tr.querySelector("canvas")! };
        rows.set(n.name, row);
      }
      const unseen = snap.unseen[n.name];
      const lacking = snap.matrix.filter((m) => m.node === n.name);
      row.tr.querySelector(".name")!.textContent = n.name;
      row.tr.querySelector(".tick")!.textContent = String(n.tick);
      row.tr.querySelector(".tock")!.textContent = String(servers.get(n.name)?.tock ?? "");
      const cell = row.tr.querySelector(".missing")! as HTMLElement;
      const total = snap.unseenCount[n.name];
      cell.textContent = unseen ? (unseen.length >= 50 ? `${total} ticks, from ${show(unseen[0])}` : show(unseen)) : "-";
      cell.className = `num missing${unseen || lacking.length ? " bad" : ""}`;
    }
    // timelines: one coarse call for the nodes whose sets changed (by their tick and counts)
    const width = Math.max(100, Math.round(rows.values().next().value?.canvas.clientWidth ?? 600));
    const stale = snap.nodes.filter((n) => {
      const key = `${width}:${show(n.tick)}:${show(n.counts)}`;
      const row = rows.get(n.name)!;
      if (row.key === key) return false;
      row.key = key;
      return true;
    });
    const rasters = stale.length ? await observer.raster(stale.map((n) => n.name), width) : [];
    for (const r of rasters) {
      const row = rows.get(r.node);
      if (!row) continue;
      if (row.canvas.width !== width) {
        row.canvas.width = width;
        row.drawn = undefined;
      }
      const f = fingerprint(r);
      if (row.drawn === f) continue;
      drawTimeline(row.canvas, r);
      row.drawn = f;
    }
    // who lacks what
    const mbody = $("matrix").querySelector("tbody")!;
    mbody.replaceChildren(...snap.matrix.map((m) => {
      const tr = document.createElement("tr");
      tr.innerHTML = "<td></td><td></td><td></td>";
      tr.children[0]!.textContent = m.server;
      tr.children[1]!.textContent = `${m.node} ${show(m.lacks)}`;
      tr.children[2]!.textContent = m.canServe.join(", ") || "nobody: lost unless marked";
      return tr;
    }));
    $("unseen").textContent = Object.keys(snap.unseen).length ? `not seen published: ${fmtMissing(snap.unseen)}` : "every tick seen published";
    // repair choices
    const sel = $<HTMLSelectElement>("repair-node");
    const want = ["", ...snap.nodes.map((n) => n.name)];
    if ([...sel.options].map((o) => o.value).join() !== want.join()) {
      const keep = sel.value;
      sel.replaceChildren(...want.map((v) => new Option(v === "" ? "(every node)" : v, v)));
      sel.value = want.includes(keep) ? keep : "";
    }
    // live feed, newest first
    $("feed").replaceChildren(...snap.feed.slice(-60).reverse().map((e) => {
      const li = document.createElement("li");
      li.textContent = `${new Date(e.at).toISOString().slice(11, 19)} ${e.action} ${e.from ? `${e.from}: ` : ""}${e.summary}`;
      return li;
    }));
  }

  // ---- repair: preview (dry run), then apply after confirmation ----
  let pending: { target: RangeMap; kind: "superseded" | "deleted"; broadcast: boolean } | undefined;
  $("preview").addEventListener("click", async () => {
    const node = $<HTMLSelectElement>("repair-node").value;
    const kind = $<HTMLSelectElement>("repair-kind").value as "superseded" | "deleted";
    const broadcast = $<HTMLInputElement>("repair-broadcast").checked;
    let text: string;
    if (kv) {
      const plan = await kv.planMark(node, "missing", kind);
      pending = { target: plan.target, kind, broadcast };
      text = Object.keys(plan.changes).length === 0
        ? `nothing to mark: ${node || "no node"} has no missing ticks on the server`
        : `would mark ${kind}: ${fmtMissing(plan.changes)}\n${Object.keys(plan.unchanged).length ? `unchanged (present or marked already): ${fmtMissing(plan.unchanged)}\n` : ""}could resurface: ${plan.couldResurface.join(", ") || "nothing"}\n${broadcast ? "on every server" : "on this server only"}`;
      if (Object.keys(plan.changes).length === 0) pending = undefined;
    } else {
      const unseen = last?.unseen ?? {};
      const target = node === "" ? unseen : unseen[node] ? { [node]: unseen[node]! } : {};
      pending = Object.keys(target).length ? { target, kind, broadcast: true } : undefined;
      text = pending ? `would broadcast: mark ${kind} ${fmtMissing(target)} on every server (from the gossip; connect a server for a per-server preview)` : `nothing to mark: ${node || "no node"} has no unseen ticks`;
    }
    $("plan-text").textContent = text;
    $("apply").hidden = !pending;
    $("plan").hidden = false;
  });
  $("cancel").addEventListener("click", () => {
    pending = undefined;
    $("plan").hidden = true;
  });
  $("apply").addEventListener("click", async () => {
    if (!pending) return;
    const p = pending;
    pending = undefined;
    $("plan").hidden = true;
    try {
      if (kv) await kv.mark(p.target, p.kind, { broadcast: p.broadcast });
      else await observer.broadcast({ [p.kind]: p.target });
    } catch (e) {
      // e.g. a read-only login: "Not allowed: fake_info_send needs a maintainer; user ann may only look"
      $("repair-result").textContent = `not marked: ${(e as Error).message}`;
      return;
    }
    $("repair-result").textContent = `marked ${p.kind}: ${fmtMissing(p.target)}${p.broadcast ? " on every server" : ""}`;
    if (kv) await observer.seed(await kv.state({ known: true, deleted: true })); // small: no present sets
    await refresh();
  });

  for (let round = 0; ; round++) {
    try {
      // without a broker the server is the only source: ask it again every few rounds
      if (!cfg.mqtt && cfg.server && round % 5 === 4) await observer.seedFrom(cfg.server, cred);
      // each refresh is a performance measure ("ticktock:refresh") for the benchmark to read
      const t0 = performance.now();
      await refresh();
      performance.measure("ticktock:refresh", { start: t0, end: performance.now() });
    } catch (e) {
      status.textContent = `error: ${(e as Error).message}`;
    }
    await new Promise((r) => setTimeout(r, 400));
  }
}

void main();
