# The health check in workerd, the runtime of Cloudflare Workers. After `npm run build`:
#
#   TICKTOCK_SERVER=ws://127.0.0.1:27590 npx workerd serve examples/edge/workerd/config.capnp \
#     --socket-addr http=127.0.0.1:8787
#   TICKTOCK_STATE_URL=https://example.org/test1.dkv npx workerd serve examples/edge/workerd/config.capnp
#
# Paths are relative to this file: the Worker bundled by scripts/build-edge.mjs, and the core
# as a `wasm` module, which workerd compiles when it loads the config (a Worker itself may not).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "health", worker = .healthWorker),
    # a Worker's default outbound network is the public internet only; a cluster is often on a
    # private network or this machine
    (name = "network", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "health"),
  ],
);

const healthWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "../../../build/edge/workerd/worker.js"),
    (name = "ticktock/core.wasm", wasm = embed "../../../dist/core.wasm"),
  ],
  compatibilityDate = "2026-11-01",
  bindings = [
    # settings from the environment workerd runs in; unset variables give no binding
    (name = "TICKTOCK_SERVER", fromEnvironment = "TICKTOCK_SERVER"),
    (name = "TICKTOCK_STATE_URL", fromEnvironment = "TICKTOCK_STATE_URL"),
    # a login, for a node with auth on (with wrangler: secrets of the same names)
    (name = "TICKTOCK_USER", fromEnvironment = "TICKTOCK_USER"),
    (name = "TICKTOCK_PASSWORD", fromEnvironment = "TICKTOCK_PASSWORD"),
  ],
  globalOutbound = "network",
);
