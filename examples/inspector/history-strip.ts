// A strip per node showing how its missing count changed over the last minutes: the page samples
// each node's count at every refresh (at most one sample a second; a newer one in the same
// second updates it) and draws the samples as a step line over a fixed window of time.

import { css } from "./theme.js";

/** How far back the strip looks, ms. */
export const HISTORY_MS = 5 * 60_000;
/** Samples closer together than this replace each other, ms. */
export const SAMPLE_MS = 1000;

export interface Sample {
  at: number;
  count: number;
}

/** Every node's sampled missing counts over the last HISTORY_MS. */
export class MissingHistory {
  readonly #samples = new Map<string, Sample[]>();

  record(node: string, at: number, count: number): void {
    let s = this.#samples.get(node);
    if (!s) this.#samples.set(node, (s = []));
    const last = s[s.length - 1];
    // within SAMPLE_MS of the last sample: it takes the newer count (its time stays)
    if (last && at - last.at < SAMPLE_MS) last.count = count;
    else s.push({ at, count });
    let cut = 0;
    while (cut < s.length - 1 && s[cut + 1]!.at <= at - HISTORY_MS) cut++;
    if (cut) s.splice(0, cut);
  }

  samples(node: string): readonly Sample[] {
    return this.#samples.get(node) ?? [];
  }
}

/** Words for the strip (its accessible name): now, the most in the window, and the change. */
export function describeHistory(node: string, s: readonly Sample[]): string {
  if (s.length === 0) return `${node}: no missing-count samples yet`;
  const now = s[s.length - 1]!.count;
  const most = Math.max(...s.map((x) => x.count));
  const first = s[0]!.count;
  const trend = now === first ? "unchanged" : now < first ? `down from ${first}` : `up from ${first}`;
  const since = Math.round((s[s.length - 1]!.at - s[0]!.at) / 1000);
  const over = since >= 120 ? `${Math.round(since / 60)} minutes` : `${since} seconds`;
  return `${node} missing ticks over the last ${over}: ${now} now, at most ${most}, ${trend}`;
}

/** The strip's time span: since the first sample, at least MIN_SPAN_MS, at most HISTORY_MS. */
export const MIN_SPAN_MS = 10_000;
export const stripSpan = (s: readonly Sample[], now: number): number => Math.min(HISTORY_MS, Math.max(MIN_SPAN_MS, s.length ? now - s[0]!.at : 0));

/**
 * Draw the samples as a filled step line: time runs left to right, ending at `now`, over the
 * strip's span (a page open for a minute fills the strip with that minute).
 */
export function drawHistory(canvas: HTMLCanvasElement, s: readonly Sample[], now: number): void {
  const ctx = canvas.getContext("2d")!;
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = css("--strip-base");
  ctx.fillRect(0, h - 1, w, 1);
  const most = Math.max(0, ...s.map((x) => x.count));
  if (most === 0) return; // nothing ever missing: the baseline alone
  const span = stripSpan(s, now);
  const x = (at: number) => Math.max(0, Math.min(w, w - ((now - at) / span) * w));
  const y = (c: number) => h - 1 - Math.round((c / most) * (h - 3));
  ctx.beginPath();
  ctx.moveTo(x(s[0]!.at), h - 1);
  for (let i = 0; i < s.length; i++) {
    const end = i + 1 < s.length ? s[i + 1]!.at : now;
    ctx.lineTo(x(s[i]!.at), y(s[i]!.count));
    ctx.lineTo(x(end), y(s[i]!.count));
  }
  ctx.lineTo(x(now), h - 1);
  ctx.closePath();
  ctx.fillStyle = css("--missing");
  ctx.globalAlpha = 0.35;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = css("--missing");
  ctx.lineWidth = 1.5;
  ctx.stroke();
}
