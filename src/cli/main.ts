// The ticktock command line: every subcommand registers itself from src/cli/commands/. The exit
// policy lives here: a command's error is one line on stderr and exit code 1, never a stack
// trace; a wrong command line is one line naming the mistake and the --help to read, exit code
// 2 (as upstream's click does); output into a pipe that closes early ends the command quietly
// (closed-pipe.ts).
import { Command, CommanderError } from "commander";
import { TicktockError } from "../core/errors.js";
import { register as registerDemo } from "./commands/demo.js";
import { register as registerNode } from "./commands/node.js";
import { register as registerInternal } from "./commands/internal.js";
import { register as registerData, reorderDataArgs } from "./commands/data.js";
import { register as registerStateFile } from "./commands/state-file.js";
import { register as registerWatch } from "./commands/watch.js";
import { register as registerInspect } from "./commands/inspect.js";
import { register as registerAuth } from "./commands/auth.js";
import { register as registerDoctor } from "./commands/doctor.js";
import { addLoginOptions } from "./credentials.js";
import { UsageError, exitStatus } from "./process.js";
import { endQuietlyOnClosedPipe } from "./closed-pipe.js";

export const VERSION = "0.1.0";

export function buildProgram(): Command {
  const program = new Command("ticktock")
    .description("MoaT-KV's tick accounting and recovery console, in WebAssembly, for every JavaScript runtime")
    .version(VERSION)
    // commander's own messages (unknown option, missing argument) become one line in main()
    .configureOutput({ outputError: () => {}, writeErr: () => {} })
    .exitOverride();
  addLoginOptions(program);
  registerNode(program);
  registerInternal(program);
  registerDoctor(program);
  registerData(program);
  registerStateFile(program);
  registerWatch(program);
  registerInspect(program);
  registerAuth(program);
  registerDemo(program);
  return program;
}

/** The subcommand names at the start of the arguments (`internal mark`), for the usage hint. */
function commandWords(program: Command, args: string[]): string[] {
  const words: string[] = [];
  let cmd: Command | undefined = program;
  for (const a of args) {
    cmd = cmd.commands.find((c) => c.name() === a);
    if (!cmd) break;
    words.push(a);
  }
  return words;
}

export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync(reorderDataArgs(argv));
    return exitStatus();
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0; // help or version was asked for
      const words = commandWords(program, argv.slice(2));
      const hint = `(see ticktock ${[...words, "--help"].join(" ")})`;
      if (e.code === "commander.help") {
        // a command group called without its command
        const group = words.reduce((c: Command, w) => c.commands.find((x) => x.name() === w)!, program);
        process.stderr.write(`ticktock: ${words.join(" ") || "ticktock"} needs a command: ${group.commands.map((c) => c.name()).join(", ")} ${hint}\n`);
      } else process.stderr.write(`ticktock: ${e.message.replace(/^error: /, "")} ${hint}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`ticktock: ${e.message}\n`);
      return e.exitCode;
    }
    const msg = e instanceof TicktockError || e instanceof Error ? e.message : String(e);
    process.stderr.write(`ticktock: ${msg}\n`);
    return 1;
  }
}
