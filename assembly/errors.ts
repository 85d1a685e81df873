// Error codes returned across the ABI. The TypeScript side turns each into an error that names
// the offending input (src/core/errors.ts); keep the two lists in step.

export const OK: i32 = 0;
/** A pair with start > last was given to importPairs (the index is in `badPair`). */
export const ERR_PAIR_ORDER: i32 = 1;

// Invariant numbers reported by check() (intervals.ts): the first rule found broken.
export const INVARIANT_CHUNK_LENGTH: i32 = 1;
export const INVARIANT_KEY: i32 = 2;
export const INVARIANT_PAIR_ORDER: i32 = 3;
export const INVARIANT_SORTED_DISJOINT: i32 = 4;
export const INVARIANT_NOT_ADJACENT: i32 = 5;
export const INVARIANT_COUNT: i32 = 6;
/** A bitmap chunk that is misaligned, empty, of an unknown kind, or whose `len` is not its bit count. */
export const INVARIANT_BITMAP: i32 = 7;
/** The set header's count of bitmap chunks is wrong. */
export const INVARIANT_BITMAP_COUNT: i32 = 8;
