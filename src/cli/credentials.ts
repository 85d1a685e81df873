// Who the command logs in as, for every command that talks to a server (connect.ts): options of
// the program, so they go anywhere on the command line.
//   --user NAME --password-file FILE     the password method; the file's first line (- : stdin)
//   --user NAME                          the password from $TICKTOCK_PASSWORD
//   --auth "password name=N password=P"  upstream's -a form (also "root")
// A server with auth off is not sent them, as upstream's client does.

import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parseCredentials, type Credentials } from "../client/login.js";
import { UsageError } from "./process.js";

let chosen: Credentials | undefined;

/** The credentials the command line gave, if any. */
export function credentials(): Credentials | undefined {
  return chosen;
}

function fromOptions(o: { auth?: string; user?: string; passwordFile?: string }): Credentials | undefined {
  if (o.auth !== undefined) {
    if (o.user !== undefined || o.passwordFile !== undefined) throw new UsageError("--auth and --user/--password-file both say who to log in as; give one of them");
    try {
      return parseCredentials(o.auth);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (o.passwordFile !== undefined && o.user === undefined) throw new UsageError("--password-file needs --user NAME");
  if (o.user === undefined) return undefined;
  let password: string | undefined;
  if (o.passwordFile !== undefined) {
    try {
      password = readFileSync(o.passwordFile === "-" ? 0 : o.passwordFile, "utf8").split(/\r?\n/)[0]!;
    } catch (e) {
      throw new UsageError(`--password-file ${o.passwordFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else password = process.env.TICKTOCK_PASSWORD;
  if (password === undefined) throw new UsageError(`--user ${o.user} needs a password: --password-file FILE, or TICKTOCK_PASSWORD in the environment`);
  return { method: "password", name: o.user, password };
}

export function addLoginOptions(program: Command): void {
  program
    .option("--user <name>", "log in as this user where the server wants a login (auth method password)")
    .option("--password-file <file>", "the password for --user: the first line of this file (- for standard input; default: $TICKTOCK_PASSWORD)")
    .option("--auth <spec>", `log in as upstream's -a does: "password name=NAME password=PASSWORD" or "root"`)
    .hook("preAction", () => {
      chosen = fromOptions(program.opts());
    });
}
