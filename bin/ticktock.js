#!/usr/bin/env node
// The `ticktock` command: src/cli/ bundled into one file, dist/cli/ticktock.js (scripts/build-cli.mjs).
// V8's young generation is kept small before anything loads (see src/cli/young-generation.ts):
// loading the CLI's modules would grow it to 8 MB, which a node would then keep for good.
import { keepYoungGenerationSmall } from "../dist/cli/young-generation.js";

keepYoungGenerationSmall();
const { main } = await import("../dist/cli/ticktock.js");

process.exitCode = await main(process.argv);
