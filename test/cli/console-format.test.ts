// The console prints get_state replies exactly as upstream's CLI did in the recordings:
// `internal state` shows the superseded sets as `superseded`, `internal mark` as `known`.
import { describe, expect, it } from "vitest";
import { captureText, recordedStateReplies } from "../support/captures.js";
import { formatState, formatStateCommand } from "../../src/cli/commands/internal.js";
import { formatValue, toYaml } from "../../src/cli/output.js";

/** Every `kv 1 ... internal state|mark` output block of cli_outputs.txt, in order. */
function recordedOutputs(): { cmd: string; text: string }[] {
  const out: { cmd: string; text: string }[] = [];
  let cur: { cmd: string; lines: string[] } | undefined;
  for (const line of captureText("cli_outputs.txt").split("\n")) {
    if (line.startsWith("$ ")) cur = { cmd: line.slice(2), lines: [] };
    else if (line.startsWith("[rc=")) {
      if (cur && /^kv 1 .*internal (state|mark)/.test(cur.cmd)) out.push({ cmd: cur.cmd, text: cur.lines.join("\n") + "\n" });
      cur = undefined;
    } else cur?.lines.push(line);
  }
  return out;
}

describe("console output", () => {
  it("prints every recorded state and mark reply as upstream's CLI printed it", () => {
    const replies = recordedStateReplies(); // the CLI's last get_state of each connection is what it printed
    const outputs = recordedOutputs();
    expect(outputs.length).toBe(9);
    const printed = replies.filter((r, i) => i === replies.length - 1 || replies[i + 1]!.ts - r.ts > 0.05);
    expect(printed.length).toBe(outputs.length);
    printed.forEach((r, i) => {
      const text = / internal state /.test(outputs[i]!.cmd) ? formatStateCommand(r.reply) : formatState(r.reply);
      expect({ cmd: outputs[i]!.cmd, text }).toEqual({ cmd: outputs[i]!.cmd, text: outputs[i]!.text });
    });
  });

  it("prints RangeSets as upstream does: - 1, and - - 3 /   - 10", () => {
    expect(formatState({ missing: { ghost: [[3, 10], 12] }, node: "n", tock: 1 })).toBe(
      "missing:\n  ghost:\n  - - 3\n    - 10\n  - 12\nnode: n\ntock: 1\n",
    );
  });

  it("prints data as upstream's `data get` does", () => {
    expect(formatValue("Testing")).toBe("'Testing'");
    expect(formatValue("it's")).toBe(`"it's"`);
    expect(formatValue(123)).toBe("123");
    expect(formatValue(true)).toBe("True");
    expect(toYaml({ two: { three: { _: 123 } } })).toBe("two:\n  three:\n    _: 123\n");
  });
});
