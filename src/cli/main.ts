// The ticktock command line: every subcommand registers itself from src/cli/commands/. The exit
// policy lives here: a command's error is one line on stderr and exit code 1, never a stack
// trace; usage errors are commander's (exit 1 with its message); output into a pipe that closes
// early ends the command quietly (closed-pipe.ts).
import { Command, CommanderError } from "commander";
import { TicktockError } from "../core/errors.js";
import { register as registerDemo } from "./commands/demo.js";
import { register as registerNode } from "./commands/node.js";
import { register as registerInternal } from "./commands/internal.js";
import { register as registerData, reorderDataArgs } from "./commands/data.js";
import { register as registerStateFile } from "./commands/state-file.js";
import { register as registerWatch } from "./commands/watch.js";
import { register as registerInspect } from "./commands/inspect.js";
import { UsageError } from "./process.js";
import { endQuietlyOnClosedPipe } from "./closed-pipe.js";

export const VERSION = "0.1.0";

export function buildProgram(): Command {
  const program = new Command("ticktock")
    .description("MoaT-KV's tick accounting and recovery console, in WebAssembly, for every JavaScript runtime")
    .version(VERSION)
    .showHelpAfterError("(run ticktock --help for usage)")
    .exitOverride();
  registerNode(program);
  registerInternal(program);
  registerData(program);
  registerStateFile(program);
  registerWatch(program);
  registerInspect(program);
  registerDemo(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync(reorderDataArgs(argv));
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof UsageError) {
      process.stderr.write(`ticktock: ${e.message}\n`);
      return e.exitCode;
    }
    const msg = e instanceof TicktockError || e instanceof Error ? e.message : String(e);
    process.stderr.write(`ticktock: ${msg}\n`);
    return 1;
  }
}
