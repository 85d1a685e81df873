// `ticktock auth …`: set up and manage logins, as upstream's `kv auth …` does, against ticktock
// nodes and upstream servers alike (the same requests). The method is -m METHOD, else the
// server's current one, else the only one it has records for, else password.
//   ticktock auth user add joe --new-password-file F [--role read]   (upstream: user add name=joe password=…)
//   ticktock auth init                       turn auth on (needs a user of the method first)
//   ticktock auth -m - init -s               turn it off again (upstream's form)
//   ticktock auth user list [-v] | get NAME | mod NAME … | delete NAME
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { KvClient, Msg } from "../../client/client.js";
import { authenticate, sealedPassword, parseCredentials } from "../../client/login.js";
import { ROLES, USER_NAME } from "../../auth/user-records.js";
import { Path } from "../../wire/path.js";
import { SERVER_HELP, TLS_CA_HELP, TLS_HELP, withClient, type ServerFlags } from "../connect.js";
import { toJson, toYaml } from "../output.js";
import { UsageError } from "../process.js";

interface Common extends ServerFlags { method?: string; json?: boolean }

/** A user's record name: the root method has one record, "*". */
const identOf = (method: string, name: string) => (method === "root" ? "*" : name);

/** The method to work on: -m, the server's current one, its only one, or password. */
async function methodOf(c: KvClient, o: Common): Promise<string> {
  if (o.method) return o.method;
  const cur = await c.request("get_internal", { path: new Path(["auth"]) });
  const v = cur.value as Msg | undefined;
  if (v && typeof v.current === "string") return v.current;
  const r = await c.request("enum_internal", { path: new Path(["auth"]), with_data: false, empty: true, nchain: 0 }).catch(() => ({ result: [] }));
  const all = Array.isArray(r.result) ? (r.result as unknown[]).filter((m): m is string => typeof m === "string") : [];
  if (all.length > 1) throw new UsageError(`the server has records for auth methods ${all.join(", ")}; say which with -m METHOD`);
  return all[0] ?? "password";
}

/** `name=joe password=… role=read` words (upstream's form) plus a bare NAME. */
function userWords(words: string[], name?: string): Record<string, string> {
  const kw: Record<string, string> = {};
  if (name !== undefined) kw.name = name;
  for (const w of words) {
    const i = w.indexOf("=");
    if (i > 0) kw[w.slice(0, i)] = w.slice(i + 1);
    else if (kw.name === undefined) kw.name = w;
    else throw new UsageError(`${JSON.stringify(w)} is not NAME=VALUE (the user is ${kw.name} already)`);
  }
  return kw;
}

function passwordFrom(kw: Record<string, string>, file: string | undefined): string | undefined {
  if (file === undefined) return kw.password;
  if (kw.password !== undefined) throw new UsageError("password=… and --new-password-file both give the password; give one");
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8").split(/\r?\n/)[0]!;
  } catch (e) {
    throw new UsageError(`--new-password-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function print(v: unknown, json?: boolean): void {
  process.stdout.write(json ? `${toJson(v)}\n` : toYaml(v, { sort: false }));
}

function strip(r: Msg): Msg {
  const { seq: _s, tock: _t, ...rest } = r;
  return rest;
}

async function setUser(c: KvClient, method: string, name: string, kw: Record<string, string>, password: string | undefined, isNew: boolean): Promise<Msg> {
  if (method === "password" && !USER_NAME.test(name)) throw new UsageError(`user name ${JSON.stringify(name)} is not one: a letter, then letters, digits or _`);
  if (kw.role !== undefined && !(ROLES as string[]).includes(kw.role)) throw new UsageError(`role ${JSON.stringify(kw.role)} is not one: ${ROLES.join(" or ")}`);
  if (password !== undefined && password.length < 5) throw new UsageError("the password needs at least 5 characters (as upstream's)");
  let chain: unknown = null;
  if (!isNew) {
    const cur = await c.request("auth_get", { typ: method, kind: "user", ident: name, nchain: 2 });
    chain = cur.chain ?? null;
  } else if (method === "password" && password === undefined) throw new UsageError(`a new user needs a password: password=… or --new-password-file FILE`);
  const fields: Msg = { typ: method, kind: "user", ident: identOf(method, name), chain };
  if (password !== undefined) fields.password = await sealedPassword(c, password);
  if (kw.role !== undefined) fields.role = kw.role;
  return c.request("auth_set", fields);
}

export function register(program: Command): void {
  const auth = program
    .command("auth")
    .description("set up and manage logins (upstream's kv auth): users, the current method, turning auth on and off")
    .option("-m, --method <method>", "the auth method to work on: password or root (- with init: none)")
    .option("--server <host:port>", SERVER_HELP).option("--tls", TLS_HELP).option("--tls-ca <file>", TLS_CA_HELP)
    .option("--json", "print JSON instead of YAML")
    .addHelpText("after", `
Examples:
  ticktock auth user add joe --new-password-file pw.txt  a maintainer (may do everything)
  ticktock auth user add ann --new-password-file pw2 --role read   may only look (get, state, watch)
  ticktock auth init                                     turn auth on: from now on, log in
  ticktock --user joe --password-file pw.txt data one get
  ticktock --user joe --password-file pw.txt auth -m - init -s   turn auth off again
Upstream's forms work too: auth -m password user add name=joe password=secret1`);
  const opts = (cmd: Command): Common => ({ ...auth.opts<Common>(), ...cmd.opts<Common>() });

  auth
    .command("list")
    .description("the auth methods the server has records for")
    .action(async (_o, cmd: Command) => {
      const o = opts(cmd);
      await withClient(o, async (c) => {
        const r = await c.request("enum_internal", { path: new Path(["auth"]), with_data: false, empty: true, nchain: 0 }).catch(() => ({ result: [] }));
        const cur = (await c.request("get_internal", { path: new Path(["auth"]) })).value as Msg | undefined;
        if (o.json) return print({ methods: r.result, current: cur?.current ?? null }, true);
        for (const m of r.result as string[]) process.stdout.write(`${m}${m === cur?.current ? " (current)" : ""}\n`);
      });
    });

  auth
    .command("init")
    .description("turn auth on with the method (-m - : turn it off); the method needs a user first")
    .option("-s, --switch", "switch from another method (or off), as upstream's -s")
    .action(async (o2: { switch?: boolean }, cmd: Command) => {
      const o = opts(cmd);
      await withClient(o, async (c) => {
        const cur = (await c.request("get_internal", { path: new Path(["auth"]) })).value as Msg | undefined;
        if (typeof cur?.current === "string" && !o2.switch) throw new UsageError(`auth is on already (method ${cur.current}); use init -s to switch, -m - init -s to turn it off`);
        const typ = o.method === "-" ? null : await methodOf(c, o);
        await c.request("set_auth_typ", { typ });
        process.stdout.write(typ ? `Authorization switched to ${typ}\n` : "Authorization turned off.\n");
      });
    });

  const user = auth.command("user").description("manage users: add, list, get, mod, delete");

  user
    .command("list")
    .description("the users of the method (names; -v the records, without secrets)")
    .option("-v, --verbose", "print the records")
    .action(async (o2: { verbose?: boolean }, cmd: Command) => {
      const o = opts(cmd);
      await withClient(o, async (c) => {
        const typ = await methodOf(c, o);
        const all: Msg[] = [];
        for await (const r of c.stream("auth_list", { typ, kind: "user", nchain: o2.verbose ? 1 : 0 })) {
          if (typeof r.ident === "string") all.push(strip(r)); // upstream sends an extra {seq} after the end
        }
        if (o2.verbose || o.json) print(all, o.json);
        else for (const r of all) process.stdout.write(`${String(r.ident)}${r.role === "read" ? " (read)" : ""}\n`);
      });
    });

  user
    .command("get")
    .description("one user's record, without secrets")
    .argument("<name>", "the user")
    .action(async (name: string, _o, cmd: Command) => {
      const o = opts(cmd);
      await withClient(o, async (c) => {
        const typ = await methodOf(c, o);
        const r = await c.request("auth_get", { typ, kind: "user", ident: identOf(typ, name), nchain: 2 });
        print({ name, ...strip(r) }, o.json);
      });
    });

  user
    .command("add")
    .description("add a user: NAME or name=NAME, with password=… or --new-password-file, and --role")
    .argument("<words...>", "NAME (or name=NAME), password=PASSWORD, role=read|maintainer")
    .option("--new-password-file <file>", "the new user's password: the first line of this file (- for standard input)")
    .option("--role <role>", "read (may only look) or maintainer (the default: may do everything)")
    .action(async (words: string[], o2: { newPasswordFile?: string; role?: string }, cmd: Command) => {
      const o = opts(cmd);
      const kw = userWords(words);
      if (o2.role !== undefined) kw.role = o2.role;
      const password = passwordFrom(kw, o2.newPasswordFile);
      await withClient(o, async (c) => {
        const typ = await methodOf(c, o);
        if (typ === "password" && kw.name === undefined) throw new UsageError("user add: which user? give NAME or name=NAME");
        const r = await setUser(c, typ, kw.name ?? "*", kw, password, true);
        if (o.json) print(strip(r), true);
        else process.stdout.write(`${kw.name ?? "*"}\n`);
      });
    });

  user
    .command("mod")
    .description("change a user's password or role")
    .argument("<name>", "the user")
    .argument("[words...]", "password=PASSWORD, role=read|maintainer")
    .option("--new-password-file <file>", "the new password: the first line of this file (- for standard input)")
    .option("--role <role>", "read or maintainer")
    .action(async (name: string, words: string[], o2: { newPasswordFile?: string; role?: string }, cmd: Command) => {
      const o = opts(cmd);
      const kw = userWords(words, name);
      if (o2.role !== undefined) kw.role = o2.role;
      const password = passwordFrom(kw, o2.newPasswordFile);
      if (password === undefined && kw.role === undefined) throw new UsageError("user mod: nothing to change; give password=… (or --new-password-file) or --role");
      await withClient(o, async (c) => {
        const r = await setUser(c, await methodOf(c, o), name, kw, password, false);
        if (o.json) print(strip(r), true);
        else process.stdout.write(`${name}\n`);
      });
    });

  user
    .command("delete")
    .description("remove a user (ticktock's; upstream's CLI has no such verb)")
    .argument("<name>", "the user")
    .action(async (name: string, _o, cmd: Command) => {
      const o = opts(cmd);
      await withClient(o, async (c) => {
        const typ = await methodOf(c, o);
        const cur = await c.request("auth_get", { typ, kind: "user", ident: identOf(typ, name), nchain: 2 });
        await c.request("delete_internal", { path: new Path(["auth", typ, "user", identOf(typ, name)]), chain: cur.chain });
        process.stdout.write(`${name} deleted\n`);
      });
    });

  user
    .command("auth")
    .description("test a login without using it (upstream's user auth -a SPEC)")
    .argument("<spec>", `"password name=NAME password=PASSWORD" or "root"`)
    .action(async (spec: string, _o, cmd: Command) => {
      const o = opts(cmd);
      const cred = (() => {
        try {
          return parseCredentials(spec);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
      })();
      await withClient(o, async (c) => {
        await authenticate(c, cred);
        process.stdout.write("OK.\n");
      });
    });
}
