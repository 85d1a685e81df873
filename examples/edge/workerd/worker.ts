// The health check as a Cloudflare Worker. Workers may not compile WebAssembly from bytes, so the
// core comes precompiled: the bundler leaves `ticktock/core.wasm` as an import, and workerd
// (config.capnp: a `wasm` module) or wrangler (wrangler.toml: .wasm files are CompiledWasm modules)
// hands it over as a WebAssembly.Module. Settings arrive as bindings: fetch(request, env).
import core from "ticktock/core.wasm";
import { healthCheck } from "../health.js";

export default healthCheck({ core });
