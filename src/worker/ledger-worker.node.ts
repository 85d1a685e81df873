// Node worker_threads entry: the ledger facade behind comlink.
//   const worker = new Worker(new URL("./ledger-worker.node.js", import.meta.url));
//   const ledger = wrap<LedgerApi>(nodeEndpoint(worker));
import { parentPort } from "node:worker_threads";
import { expose } from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { createLedgerApi } from "./ledger-api.js";

if (!parentPort) throw new Error("ledger-worker.node: run this file as a worker_threads Worker, not directly");
expose(createLedgerApi(), nodeEndpoint(parentPort));
