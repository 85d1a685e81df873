// The property suite (range-set.properties.ts) on the SIMD build of the core, which init() picks
// where the engine runs WebAssembly SIMD (Node 20 does).
import { propertySuite } from "./range-set.properties.js";

propertySuite("simd");
