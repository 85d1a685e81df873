// msg_send: tunnel a message to any topic of the broker, as upstream's cmd_msg_send does:
// `data` is sent msgpack-encoded, `raw` (bytes) as it is; the answer is empty. Topics are a list
// of strings (a single string is one element) and go to the broker as they are, joined by "/".
//
// Unlike upstream, a topic whose first element starts with ":" (upstream puts it under its
// root path) is refused: ticktock's node does not know its transport's root.

import { MessageError, show } from "../core/errors.js";
import { encodeValue } from "../wire/codec.js";
import { Path } from "../wire/path.js";
import type { Handler } from "./handler.js";

function topicOf(t: unknown): string[] {
  const elements = typeof t === "string" ? [t] : t instanceof Path ? [...t.elements] : t;
  if (!Array.isArray(elements) || elements.length === 0 || !elements.every((e) => typeof e === "string" && e !== "")) {
    throw new MessageError(`msg_send: topic ${show(t)} is not a list of names`, "topic");
  }
  if (elements[0].startsWith(":")) throw new MessageError(`msg_send: topic ${show(t)} under the root (":…") is not supported here`, "topic");
  return elements as string[];
}

export const msg_send: Handler = (s, msg) => {
  const topic = topicOf(msg.topic);
  let payload: Uint8Array;
  if ("raw" in msg) {
    if ("data" in msg) throw new MessageError("msg_send: both raw and data given; send one of them", "raw");
    if (!(msg.raw instanceof Uint8Array)) throw new MessageError(`msg_send: raw ${show(msg.raw)} is not bytes`, "raw");
    payload = msg.raw;
  } else if ("data" in msg) payload = encodeValue(msg.data);
  else throw new MessageError("msg_send: no data; expected data (any value) or raw (bytes)", "data");
  s.node.publishTopic(topic, payload);
  return {};
};
