// The ledger role in a browser (or Deno) module Web Worker.
import { exposeRole } from "../adapters/web.js";
import { createLedgerApi } from "../roles/ledger.js";

exposeRole("ledger", () => createLedgerApi());
