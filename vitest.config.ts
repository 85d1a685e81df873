import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // as-pect specs live in assembly/__tests__; vitest runs only the TypeScript suites.
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/global.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
