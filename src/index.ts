// ticktock's public API. Everything a program needs is re-exported here, by concept.

// The WebAssembly core and the range set over it
export { init, RangeSet } from "./core/range-set.js";
export type { RangeItem, RangeSetState } from "./core/range-set.js";
export { useKernel, coreKernel } from "./wasm/core.js";
export type { CoreSource, Kernel } from "./wasm/core.js";

// Tick values: numbers while safe, bigints beyond 2^53 - 1
export { MAX_TICK, END_OF_TICKS, tickOut, isTick, checkTick } from "./core/tick.js";
export type { Tick } from "./core/tick.js";

// Errors, each with a stable `code`
export { TicktockError, TickError, RangeStateError, DisposedError, MessageError } from "./core/errors.js";
export type { TicktockErrorCode } from "./core/errors.js";

// The ledger: every node's ticks as one server knows them
export { NodeTicks } from "./ledger/node-ticks.js";
export { TickLedger } from "./ledger/tick-ledger.js";
export type { UpdateEffect, InfoEffect, MarkResult, MarkOptions } from "./ledger/tick-ledger.js";

// Wire messages (upstream MoaT-KV's shapes)
export type { ChainLink, RangeMap, UpdateMessage, InfoMessage, StateFlags, StateReply } from "./wire/messages.js";

// Worker roles (one contract, an adapter per runtime in ticktock/worker/adapters/*)
export { createLedgerApi } from "./worker/roles/ledger.js";
export type { LedgerApi, LedgerInput, BatchResult } from "./worker/roles/ledger.js";
export { ROLE_METHODS } from "./worker/contract.js";
export type { Role, RoleApis, RoleWorker } from "./worker/contract.js";
