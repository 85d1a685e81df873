// The property suite (range-set.properties.ts) on the scalar build of the core: the reference
// kernels, and what init() loads where an engine has no WebAssembly SIMD.
import { propertySuite } from "./range-set.properties.js";

propertySuite("scalar");
