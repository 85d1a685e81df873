// What the edge set-ups import: the core precompiled by the runtime or its bundler.
// `ticktock/core.wasm` in Workers (workerd's `wasm` module, wrangler's CompiledWasm rule),
// `…/core.wasm?module` in Vercel's Edge Runtime.
declare module "ticktock/core.wasm" {
  const core: WebAssembly.Module;
  export default core;
}
declare module "*.wasm?module" {
  const core: WebAssembly.Module;
  export default core;
}
