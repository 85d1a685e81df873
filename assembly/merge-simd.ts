// Kernels with WebAssembly SIMD (v128), compiled only into the SIMD build (asc --enable simd;
// index.ts picks them when ASC_FEATURE_SIMD). merge.ts keeps the scalar kernels: they are the
// reference, the scalar build runs them, and the property tests run both builds against the same
// brute-force model.
//
// Only what measured faster is here. Branch-free v128 versions of union, intersection and
// missing (both inputs' current pairs loaded whole, picked or combined with bitselect under a
// compare mask, pointers advanced by arithmetic on the compare) ran 1.6-2.8x slower than the
// branching scalar kernels on workload 2 under V8, and a branch-free scalar union 1.14x slower:
// the two sets there interleave regularly enough for the branch predictor to run ahead, while a
// branch-free merge waits on every load -> compare -> pointer-update chain, and the v128 form adds
// lane extractions to that chain. bench/README.md has the figures.

import {
  chunkAt, clen, nchunks, pairPtr, intervalCount,
} from "./chunks";

/**
 * Equal sets have identical canonical interval lists (see merge.ts equals). The two sets' chunk
 * boundaries differ, so the lists are compared in stretches that are contiguous in both: within
 * a stretch, one 16-byte compare per pair, two pairs per step.
 */
export function equalsSimd(a: usize, b: usize): bool {
  if (intervalCount(a) != intervalCount(b)) return false;
  const aN = nchunks(a), bN = nchunks(b);
  if (aN == 0) return true;
  let aC = 0, bC = 0;
  let ch = chunkAt(a, 0);
  let aP = pairPtr(ch, 0), aE = pairPtr(ch, clen(ch));
  ch = chunkAt(b, 0);
  let bP = pairPtr(ch, 0), bE = pairPtr(ch, clen(ch));
  while (true) {
    const ra = aE - aP, rb = bE - bP;
    const run = ra < rb ? ra : rb; // bytes contiguous in both
    const end2 = aP + (run & ~<usize>31);
    while (aP < end2) {
      const d = v128.or(v128.xor(v128.load(aP), v128.load(bP)), v128.xor(v128.load(aP, 16), v128.load(bP, 16)));
      if (v128.any_true(d)) return false;
      aP += 32; bP += 32;
    }
    if (run & 16) {
      if (v128.any_true(v128.xor(v128.load(aP), v128.load(bP)))) return false;
      aP += 16; bP += 16;
    }
    if (aP == aE) { if (++aC >= aN) return true; ch = chunkAt(a, aC); aP = pairPtr(ch, 0); aE = pairPtr(ch, clen(ch)); }
    if (bP == bE) { ++bC; ch = chunkAt(b, bC); bP = pairPtr(ch, 0); bE = pairPtr(ch, clen(ch)); }
  }
}
