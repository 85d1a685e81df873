// A publisher process for the ingest benchmark: builds N `update` messages (node "src", ticks
// 1..N over 1,000 paths, or N distinct paths with "distinct"), connects, prints "go", publishes
// them as fast as it can, exits.
//   node --import tsx bench/publisher.ts URL N [distinct]
import mqtt from "mqtt";
import { encodeValue } from "../src/wire/codec.js";
import { Path } from "../src/wire/path.js";

const [url, count, mode] = process.argv.slice(2);
const n = Number(count);
const payloads: Buffer[] = [];
for (let t = 1; t <= n; t++) {
  payloads.push(Buffer.from(encodeValue({ node: "src", tick: t, prev: null, path: Path.of("bench", `k${mode === "distinct" ? t : t % 1000}`), value: t, tock: t })));
}
const c = await mqtt.connectAsync(url!);
process.stdout.write("go\n");
for (let i = 0; i < n; i++) {
  c.publish("moat/kv/update", payloads[i]!, { qos: 0 });
  if (i % 5000 === 4999) await new Promise((r) => setImmediate(r));
}
await c.endAsync();
