// Stands in for core-binary.ts in bundles that bring the core themselves: the edge Worker
// (scripts/build-edge.mjs) imports core.wasm precompiled, as Workers require, and so leaves out the
// ~62 KB of base64 both embedded builds take. init() without a core then says so (core.ts).
export const CORE_WASM_BASE64 = "";
export const CORE_SIMD_WASM_BASE64 = "";
