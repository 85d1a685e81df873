// The doctor beside the inspector's gaps: samples the one server the inspector reaches (get_state
// as `ticktock doctor` asks it, and the entries a mark could leave stale) now and then, never on
// every refresh, and diagnoses with who the observer heard in the gossip. A healthy server is
// asked for its missing sets alone (its present and superseded sets can be a million intervals).
// The page asks for the latest diagnosis as often as it likes: that is a cached answer; a new
// sample is taken in the background once the last is `every` ms old (longer when sampling is
// slow: a server holding a million intervals answers get_state in about a second).

import type { KvClient } from "../client/client.js";
import { diagnose, type DiagnoseOptions, type ServerSample, type StateReply } from "../console/doctor/diagnose.js";
import { gapItems, type GapDiagnosis } from "../console/doctor/gap-items.js";
import type { GossipListener } from "../console/doctor/gossip-listener.js";
import { entriesBy, sampleServer } from "../console/doctor/sample.js";

export interface ServerDoctorOptions {
  /** Connect (and log in) to the server. */
  connect: () => Promise<KvClient>;
  /** Who is heard in the gossip, when the observer listens to a broker. */
  listener?: () => GossipListener | undefined;
  /** The command printed in repairs, with its login flags (default "ticktock"). */
  cli?: string;
  /** Least ms between samples. Default 3000. */
  every?: number;
  /** Samples kept per server for since-when and trend, ms back. Default 60,000. */
  keep?: number;
  /** A node unheard in the gossip for this long looks gone, ms. Default 30,000 (the observer's staleAfter). */
  window?: number;
  now?: () => number;
}

/** How the printed command reaches the server: the CLI speaks TCP, the inspector only knows a WebSocket URL. */
const NO_SERVER = "with --server HOST:PORT of a server's client port added: the inspector knows only its WebSocket port";

export class ServerDoctor {
  readonly #o: Required<Omit<ServerDoctorOptions, "listener" | "cli">> & Pick<ServerDoctorOptions, "listener" | "cli">;
  #client: KvClient | undefined;
  #samples: ServerSample[] = [];
  #items: GapDiagnosis[] = [];
  #due = 0;
  #running: Promise<void> | undefined;
  /** Why the last sample failed, if it did. */
  error: string | undefined;

  constructor(o: ServerDoctorOptions) {
    this.#o = { every: 3000, keep: 60_000, window: 30_000, now: Date.now, ...o };
  }

  /** The latest diagnosis; starts a new sample in the background when one is due. */
  diagnoses(): GapDiagnosis[] {
    if (!this.#running && this.#o.now() >= this.#due) {
      this.#running = this.#sample().finally(() => (this.#running = undefined));
    }
    return this.#items;
  }

  /** Sample now, and wait for the diagnosis (the first one, or after a repair). */
  async refresh(): Promise<GapDiagnosis[]> {
    await this.#running;
    this.#due = 0;
    this.diagnoses();
    await this.#running;
    return this.#items;
  }

  /** Take a new sample at the next ask (after a repair, or a new seed). */
  invalidate(): void {
    this.#due = 0;
  }

  async #sample(): Promise<void> {
    const t0 = this.#o.now();
    try {
      this.#client ??= await this.#o.connect();
      const c = this.#client;
      // a healthy server (the usual case) is asked for its missing sets alone, not its present
      // and superseded ones (which can be a million intervals); a server with gaps for all of them
      const light = (await c.request("get_state", { nodes: true, missing: true })) as StateReply;
      const gaps = Object.values(light.missing ?? {}).some((v) => Array.isArray(v) && v.length > 0);
      const s: ServerSample = gaps ? await sampleServer(c, this.#o.now) : { server: typeof light.node === "string" ? light.node : c.greeting.node, address: c.server, at: this.#o.now(), state: light };
      s.address = /^wss?:\/\//.test(s.address ?? "") ? undefined : s.address; // the CLI cannot use a ws:// URL
      // older samples only say since when and whether the gap shrank: their missing sets suffice
      const older = this.#samples.filter((x) => x.at >= s.at - this.#o.keep).map((x) => ({ ...x, state: { node: x.state.node, missing: x.state.missing }, entries: undefined }));
      this.#samples = [...older, s];
      s.entries = {};
      for (const node of diagnose(this.#samples).map((d) => d.node)) s.entries[node] = await entriesBy(c, s.server, node);
      this.#items = gapItems(diagnose(this.#samples, this.#options()), { noServer: NO_SERVER });
      this.error = undefined;
    } catch (e) {
      this.error = (e as Error).message;
      this.#client?.close();
      this.#client = undefined;
    } finally {
      const took = this.#o.now() - t0;
      this.#due = this.#o.now() + Math.max(this.#o.every, 10 * took);
    }
  }

  #options(): DiagnoseOptions {
    const opts: DiagnoseOptions = { cli: this.#o.cli ?? "ticktock" };
    const l = this.#o.listener?.();
    if (l) {
      // heard within the window: the gossip as `ticktock doctor --listen` hears it
      const h = l.heard();
      const from = Math.max(h.from, h.to - this.#o.window);
      opts.gossip = { from, to: h.to, heard: Object.fromEntries(Object.entries(h.heard).filter(([, v]) => v.at >= from)) };
    }
    return opts;
  }

  close(): void {
    this.#client?.close();
    this.#client = undefined;
  }
}
