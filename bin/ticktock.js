#!/usr/bin/env node
// The `ticktock` command. The CLI itself is compiled from src/cli/ into dist/cli/.
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv);
