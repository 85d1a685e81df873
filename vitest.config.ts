import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // as-pect specs live in assembly/__tests__; vitest runs only the TypeScript suites.
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/global.ts"],
    // Two files at a time: most suites wait on brokers, agents, servers and timers, not on the CPU,
    // and vitest's default (cores - 1) runs them one by one on a 2-core machine (CI took 17.5 min).
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
