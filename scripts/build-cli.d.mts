// Types for build-cli.mjs, which the memory benchmark imports (bench/node-memory.ts).
export function bundleForNode(entry: string, outfile: string): Promise<void>;
