// The ticktock command line: every subcommand registers itself from src/cli/commands/. The exit
// policy lives here: a command's error is one line on stderr and exit code 1, never a stack
// trace; a wrong command line is one line naming the mistake and the --help to read, exit code
// 2 (as upstream's click does); output into a pipe that closes early ends the command quietly
// (closed-pipe.ts).
//
// Loading: a command's module (and what it imports: mqtt, yaml, msgpack, the node) is loaded only
// when that command runs. `ticktock node ...` imports commands/node.js alone; anything else that
// does not start with a known command (--help, --version, a mistake) loads them all, so the help
// lists every command as before. An idle node so skips yaml, the console, auth and doctor code
// (bench/README.md, "Node: memory").
import { Command, CommanderError } from "commander";
import { TicktockError } from "../core/errors.js";
import { addLoginOptions } from "./credentials.js";
import { UsageError, exitStatus } from "./process.js";
import { endQuietlyOnClosedPipe } from "./closed-pipe.js";

export const VERSION = "0.1.0";

type Register = (program: Command) => void;

/** Each top-level command and the module that registers it, in the order --help lists them. */
export const COMMAND_MODULES: ReadonlyArray<readonly [name: string, load: () => Promise<{ register: Register }>]> = [
  ["node", () => import("./commands/node.js")],
  ["internal", () => import("./commands/internal.js")],
  ["doctor", () => import("./commands/doctor.js")],
  ["data", () => import("./commands/data.js")],
  ["state-file", () => import("./commands/state-file.js")],
  ["watch", () => import("./commands/watch.js")],
  ["inspect", () => import("./commands/inspect.js")],
  ["auth", () => import("./commands/auth.js")],
  ["demo", () => import("./commands/demo.js")],
];

/**
 * The program with the command named `only` registered, or with every command when `only` is
 * not one of them (help, version, a mistake: commander then sees them all, as it always did).
 */
export async function buildProgram(only?: string): Promise<Command> {
  const chosen = COMMAND_MODULES.filter(([name]) => name === only);
  const modules = await Promise.all((chosen.length ? chosen : COMMAND_MODULES).map(([, load]) => load()));
  const program = new Command("ticktock")
    .description("MoaT-KV's tick accounting and recovery console, in WebAssembly, for every JavaScript runtime")
    .version(VERSION)
    // commander's own messages (unknown option, missing argument) become one line in main()
    .configureOutput({ outputError: () => {}, writeErr: () => {} })
    .exitOverride();
  addLoginOptions(program);
  for (const { register } of modules) register(program);
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
  let program: Command | undefined;
  try {
    // the first word picks the one module to load; an option first (--user ...) loads them all
    program = await buildProgram(argv[2]);
    // `data PATH get` -> `data get PATH` wherever "data" appears, as before lazy loading
    const args = argv.includes("data") ? (await import("./commands/data.js")).reorderDataArgs(argv) : argv;
    await program.parseAsync(args);
    return exitStatus();
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0; // help or version was asked for
      const words = commandWords(program!, argv.slice(2));
      const hint = `(see ticktock ${[...words, "--help"].join(" ")})`;
      if (e.code === "commander.help") {
        // a command group called without its command
        const group = words.reduce((c: Command, w) => c.commands.find((x) => x.name() === w)!, program!);
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
