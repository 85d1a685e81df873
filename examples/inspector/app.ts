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
import type { ClusterSnapshot } from "../../src/observer/cluster-observer.js";
import type { RasterMailbox } from "../../src/observer/raster-mailbox.js";
import type { RangeMap } from "../../src/wire/messages.js";
import type { Credentials } from "../../src/client/login.js";
import type { Greeting } from "../../src/client/client.js";
import { TimelineView, tickArg } from "./timeline-view.js";
import { Tooltip } from "./tooltip.js";
import { MissingHistory, describeHistory, drawHistory } from "./history-strip.js";
import { gapsOf, renderGaps } from "./diagnosis-view.js";
import { fullWindow } from "./tick-window.js";
import { onThemeChange } from "./theme.js";

interface Config {
  mqtt?: string;
  server?: string;
  root?: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
/** Write only what changed: an unchanged write still makes the browser lay the table out again. */
const setText = (el: Element, v: string) => { if (el.textContent !== v) el.textContent = v; };
const setAttr = (el: Element, k: string, v: string) => { if (el.getAttribute(k) !== v) el.setAttribute(k, v); };
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

  // ---- nodes: a row each, with its history strip and its timeline ----
  const tooltip = new Tooltip($("tooltip"));
  const source = {
    raster: async (node: string, width: number, w: { lo: number; hi: number }, mailbox?: RasterMailbox) =>
      (await observer.raster([node], width, { lo: tickArg(w.lo), hi: tickArg(w.hi) }, mailbox))[0],
    runsAt: (node: string, tick: number) => observer.runsAt(node, tickArg(tick)),
  };
  const history = new MissingHistory();
  let last: ClusterSnapshot | undefined;
  let lastFeed = "";
  let lastGaps = "";
  interface Row { tr: HTMLTableRowElement; view: TimelineView; strip: HTMLCanvasElement }
  const rows = new Map<string, Row>();
  // only the rows on screen are drawn
  const onScreen = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const row = rows.get((e.target as HTMLElement).dataset.node ?? "");
      if (!row) continue;
      row.view.visible = e.isIntersecting;
      if (e.isIntersecting) {
        row.view.requestDraw();
        drawStrip(row);
      }
    }
  });
  const drawStrip = (row: Row) => {
    const name = row.tr.dataset.node!;
    const s = history.samples(name);
    drawHistory(row.strip, s, Date.now());
    setAttr(row.strip, "aria-label", describeHistory(name, s));
    setAttr(row.strip, "data-samples", s.map((x) => x.count).join(","));
  };
  onThemeChange(() => rows.forEach((r) => r.view.visible && drawStrip(r)));

  async function refresh(): Promise<void> {
    // the doctor's latest diagnosis comes with the snapshot (the worker re-samples the server every few seconds)
    const [snap, diagnoses] = await Promise.all([observer.snapshot(), observer.diagnose()]);
    last = snap;
    const tbody = $("nodes").querySelector("tbody")!;
    const servers = new Map(snap.servers.map((s) => [s.name, s]));
    for (const n of snap.nodes) {
      let row = rows.get(n.name);
      if (!row) {
        const tr = document.createElement("tr");
        tr.dataset.node = n.name;
        tr.innerHTML = `<th scope="row" class="name"></th><td class="num tick"></td><td class="num tock"></td><td class="num missing"></td><td class="history-cell"><canvas class="history" role="img" width="120" height="30"></canvas></td><td class="timeline-cell"></td>`;
        const view = new TimelineView(n.name, source, tooltip);
        tr.querySelector(".timeline-cell")!.append(view.el);
        tbody.append(tr);
        row = { tr, view, strip: tr.querySelector("canvas.history")! };
        rows.set(n.name, row);
        onScreen.observe(tr);
      }
      const unseen = snap.unseen[n.name];
      const lacking = snap.matrix.filter((m) => m.node === n.name);
      setText(row.tr.querySelector(".name")!, n.name);
      setText(row.tr.querySelector(".tick")!, String(n.tick));
      setText(row.tr.querySelector(".tock")!, String(servers.get(n.name)?.tock ?? ""));
      const cell = row.tr.querySelector(".missing")! as HTMLElement;
      const total = snap.unseenCount[n.name];
      setText(cell, unseen ? (unseen.length >= 50 ? `${total} ticks, from ${show(unseen[0])}` : show(unseen)) : "-");
      setAttr(cell, "class", `num missing${unseen || lacking.length ? " bad" : ""}`);
      row.view.update(Number(n.tick), `${show(n.tick)}:${show(n.counts)}`);
      history.record(n.name, snap.at, Number(n.counts.missing));
      if (row.view.visible) drawStrip(row);
    }
    // timelines showing every tick: one raster call for all that changed; zoomed ones: their own window
    const whole = [...rows.values()].filter((r) => r.view.needsDraw && r.view.fitted && r.view.top > 0);
    const batched = new Set(whole);
    for (const r of rows.values()) if (r.view.needsDraw && !batched.has(r)) r.view.requestDraw();
    const byWidth = new Map<number, Row[]>();
    for (const r of whole) {
      const width = r.view.rasterRequest().width;
      byWidth.set(width, [...(byWidth.get(width) ?? []), r]);
    }
    for (const [width, group] of byWidth) {
      const rasters = await observer.raster(group.map((r) => r.view.node), width);
      for (const r of rasters) {
        const row = rows.get(r.node);
        if (row?.view.fitted && row.view.top === Number(r.hi) - 1) row.view.paint(r, fullWindow(row.view.top));
      }
    }
    // the gaps, each with the doctor's diagnosis
    const gaps = gapsOf(snap);
    const gapsKey = show([gaps, diagnoses]);
    if (gapsKey !== lastGaps) {
      lastGaps = gapsKey;
      renderGaps($("gaps"), gaps, diagnoses);
      $("no-gaps").hidden = gaps.length > 0;
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
    const newest = snap.feed[snap.feed.length - 1];
    const feedKey = `${snap.feed.length}:${newest?.at}:${newest?.summary}`;
    if (feedKey !== lastFeed) {
      lastFeed = feedKey;
      $("feed").replaceChildren(...snap.feed.slice(-60).reverse().map((e) => {
        const li = document.createElement("li");
        li.textContent = `${new Date(e.at).toISOString().slice(11, 19)} ${e.action} ${e.from ? `${e.from}: ` : ""}${e.summary}`;
        return li;
      }));
    }
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
