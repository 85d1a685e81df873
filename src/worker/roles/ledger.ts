// The ledger's worker facade: a narrow, frozen object with coarse calls (one per message,
// batch or query, never one per tick) whose inputs and outputs are plain wire-form objects, so
// it can sit behind comlink in a Web Worker, a Node worker_threads worker or a Deno Worker.

import { init } from "../../core/range-set.js";
import { TickLedger, type InfoEffect, type MarkOptions, type MarkResult, type UpdateEffect } from "../../ledger/tick-ledger.js";
import type { RangeSetState } from "../../core/range-set.js";
import type { ChainLink, InfoMessage, RangeMap, StateFlags, StateReply, UpdateMessage } from "../../wire/messages.js";

/** One gossip message for applyBatch. */
export type LedgerInput =
  | { kind: "update"; msg: UpdateMessage; previous?: ChainLink | null; accepted?: boolean }
  | { kind: "info"; msg: InfoMessage };

/** Per input: its effect, or the error message that rejected it (the rest still apply). */
export type BatchResult = ({ ok: true; effect: UpdateEffect | InfoEffect } | { ok: false; error: string })[];

export interface LedgerApi {
  /** Load the core and start a ledger for this server's node name (replacing any earlier one). */
  open(node: string): Promise<void>;
  applyUpdate(msg: UpdateMessage, previous?: ChainLink | null, accepted?: boolean): UpdateEffect;
  applyInfo(msg: InfoMessage): InfoEffect;
  /** Apply many messages in one call; a bad message is reported and skipped, never fatal. */
  applyBatch(inputs: LedgerInput[]): BatchResult;
  getState(flags: StateFlags): StateReply;
  missing(): RangeMap;
  mark(node: string, ticks: RangeSetState | "missing", options?: MarkOptions): MarkResult;
  /** Free the ledger's memory. */
  close(): void;
}

export function createLedgerApi(): LedgerApi {
  let ledger: TickLedger | undefined;
  const need = (api: string): TickLedger => {
    if (!ledger) throw new Error(`ledger.${api}: no ledger is open; call open(node) first`);
    return ledger;
  };
  return Object.freeze({
    async open(node: string) {
      await init();
      ledger?.dispose();
      ledger = new TickLedger(node);
    },
    applyUpdate: (msg: UpdateMessage, previous: ChainLink | null = null, accepted = true) => need("applyUpdate").applyUpdate(msg, previous, accepted),
    applyInfo: (msg: InfoMessage) => need("applyInfo").applyInfo(msg),
    applyBatch(inputs: LedgerInput[]): BatchResult {
      const l = need("applyBatch");
      return inputs.map((input) => {
        try {
          const effect = input.kind === "update" ? l.applyUpdate(input.msg, input.previous ?? null, input.accepted ?? true) : l.applyInfo(input.msg);
          return { ok: true as const, effect };
        } catch (e) {
          return { ok: false as const, error: e instanceof Error ? e.message : String(e) };
        }
      });
    },
    getState: (flags: StateFlags) => need("getState").getState(flags),
    missing: () => need("missing").missing(),
    mark: (node: string, ticks: RangeSetState | "missing", options: MarkOptions = {}) => need("mark").mark(node, ticks, options),
    close() {
      ledger?.dispose();
      ledger = undefined;
    },
  });
}
