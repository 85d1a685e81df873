// comlink ships its worker_threads adapter without a typed export path; this is its signature.
declare module "comlink/dist/esm/node-adapter.mjs" {
  import type { Endpoint } from "comlink";
  import type { MessagePort, Worker } from "node:worker_threads";
  export default function nodeEndpoint(nep: MessagePort | Worker): Endpoint;
}
