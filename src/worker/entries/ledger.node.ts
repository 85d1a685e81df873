// The ledger role in a Node worker_threads worker.
import { exposeRole } from "../adapters/node.js";
import { createLedgerApi } from "../roles/ledger.js";

exposeRole("ledger", () => createLedgerApi());
