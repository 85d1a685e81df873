// mqtt.js through Node's require(), where Node's builtins are at hand (process.getBuiltinModule:
// Node >= 20.16, Bun, Deno). mqtt.js is CommonJS (no ES module build for Node): an `import` of it
// makes Node lex its sources for export names, following each re-export, and that lexing gets hot
// enough for V8 to optimise the lexer in the background: ~7 MB of an idle node's RSS, and most of
// its run-to-run noise (bench/README.md, "Node: memory"). require() needs no lexing. Undefined
// where there is no require() that finds mqtt: the caller imports it then.
import type * as Mqtt from "mqtt";

export function requireMqtt(): typeof Mqtt.default | undefined {
  const builtin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof builtin !== "function") return undefined;
  try {
    const { createRequire } = builtin("node:module") as typeof import("node:module");
    return createRequire(import.meta.url)("mqtt") as typeof Mqtt.default;
  } catch {
    return undefined;
  }
}
