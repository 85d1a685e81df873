// A node process keeps V8's young generation at its starting size. By default V8 doubles the
// new space (up to 16 MB per semi-space, three of them) while a burst of updates allocates, and
// hardly gives the pages back: after 1,000,000 entries that was ~60 MB of RSS (566 -> 509 MB)
// for no measurable gain in speed (bench/README.md, "Node: memory"). Set at run time, before
// the node allocates much; V8 reads the factor each time it considers growing the space.

import { setFlagsFromString } from "node:v8";

export const YOUNG_GENERATION_FLAG = "--semi-space-growth-factor=1";

export function keepYoungGenerationSmall(): void {
  setFlagsFromString(YOUNG_GENERATION_FLAG);
}
