// mqtt.js, loaded once, the cheapest way the runtime allows: require()d where Node's builtins are
// at hand (mqtt-require.ts says why), imported elsewhere (browsers, workers, bundles).
import type * as Mqtt from "mqtt";
import { requireMqtt } from "./mqtt-require.js";

export type MqttLibrary = typeof Mqtt.default;

let library: Promise<MqttLibrary> | undefined;

export function mqttLibrary(): Promise<MqttLibrary> {
  library ??= Promise.resolve(requireMqtt() ?? import("mqtt").then((m) => m.default));
  return library;
}
