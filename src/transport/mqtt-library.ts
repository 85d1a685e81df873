// mqtt.js, loaded once, the cheapest way the runtime allows. mqtt.js is CommonJS (no ES module
// build for Node): an `import` of it makes Node lex its sources for export names, following
// each re-export, and that lexing gets hot enough for V8 to optimise the lexer in the background:
// ~7 MB of an idle node's RSS, and most of its run-to-run noise (bench/README.md, "Node:
// memory"). Where Node's builtins are at hand (process.getBuiltinModule: Node >= 20.16, Bun,
// Deno) it is require()d instead, which needs no lexing; elsewhere (browsers, workers, bundles)
// it is imported as before.
import type * as Mqtt from "mqtt";

export type MqttLibrary = typeof Mqtt.default;

let library: Promise<MqttLibrary> | undefined;

function required(): MqttLibrary | undefined {
  const builtin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof builtin !== "function") return undefined;
  try {
    const { createRequire } = builtin("node:module") as typeof import("node:module");
    return createRequire(import.meta.url)("mqtt") as MqttLibrary;
  } catch {
    return undefined; // no require() that finds mqtt here: the import below does
  }
}

export function mqttLibrary(): Promise<MqttLibrary> {
  library ??= Promise.resolve(required() ?? import("mqtt").then((m) => m.default));
  return library;
}
