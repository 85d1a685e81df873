// The floor under an idle node, run beside it by the memory benchmark (bench/node-memory.ts):
// what an idle `ticktock node` holds that is not ticktock's own. Bundled as the command is
// (scripts/build-cli.mjs: mqtt.js inside, loaded on use) and started the same way (V8's young
// generation kept small first), it connects mqtt.js to the broker as the node does (MQTT 3.1.1, no
// pre-built number buffers) and subscribes, instantiates the WebAssembly core and listens on a
// TCP port, and does nothing else: no ledger, no entries, no codec, no client protocol, no CLI.
//
//   node dist/bench/idle-floor.js MQTT_URL PORT       (the benchmark builds dist/bench/)

import { createServer } from "node:net";
import { keepYoungGenerationSmall } from "../src/cli/young-generation.js";

keepYoungGenerationSmall();
const [url, port] = process.argv.slice(2);
if (!url || !Number.isInteger(Number(port))) throw new Error("idle-floor: usage: idle-floor.js MQTT_URL PORT");

// loaded after the setting above, as bin/ticktock.js loads the command's bundle
const { init } = await import("../src/core/range-set.js");
const { default: mqtt } = await import("mqtt");
await init();
const client = mqtt.connect(url, { protocolVersion: 4, writeCache: false, clean: true });
client.on("connect", () => client.subscribe("ticktock/idle-floor/#", { qos: 0 }));
client.on("error", (e) => console.error(`idle-floor: ${e.message}`));
createServer((socket) => socket.destroy()).listen(Number(port), "127.0.0.1");
