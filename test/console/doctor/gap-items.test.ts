// The doctor's diagnoses as the inspector shows them: the words, with the mark command apart (and
// named once), and a note where the command names no server.
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "../../../src/core/range-set.js";
import { diagnose, type ServerSample } from "../../../src/console/doctor/diagnose.js";
import { gapItems } from "../../../src/console/doctor/gap-items.js";

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const state = (node: string, extra: Record<string, unknown> = {}) => ({ node, nodes: { ghost: 3 }, present: { ghost: [1, 3] }, known: {}, deleted: {}, missing: { ghost: [2] }, remote_missing: {}, ...extra });
const sample = (server: string, st: Record<string, unknown>, address?: string): ServerSample => ({ server, at: T0, state: st, ...(address ? { address } : {}) });

beforeAll(() => init());

describe("gapItems", () => {
  it("gives a lost tick its words and the mark command apart, as the CLI would run it", () => {
    const ds = diagnose([sample("a", state("a"), "127.0.0.1:1"), sample("b", state("b"), "127.0.0.1:2")]);
    const [item, ...rest] = gapItems(ds);
    expect(rest).toEqual([]);
    expect(item).toEqual({ node: "ghost", ticks: [2], text: expect.any(String), command: "ticktock internal mark ghost 2 --broadcast --server 127.0.0.1:1" });
    expect(item!.text).toMatch(/^ghost's tick 2 is missing on every server asked: a and b \(seen at 10:00:00 UTC\)\. No server asked holds it: lost everywhere;/);
    expect(item!.text.endsWith(" Run:")).toBe(true);
    expect(item!.text).not.toContain("internal mark"); // the command is shown once, apart
  });

  it("notes where to send a command that names no server, and keeps a wait as words alone", () => {
    // a holds tick 2 (b misses it): wait; nobody has tick 4: mark
    const a = state("a", { nodes: { ghost: 4 }, present: { ghost: [[1, 4]] }, missing: { ghost: [4] } });
    const b = state("b", { nodes: { ghost: 4 }, present: { ghost: [1, 3] }, missing: { ghost: [2, 4] } });
    const [item] = gapItems(diagnose([sample("a", a), sample("b", b)]), { noServer: "add --server" });
    expect(item!.command).toBe("ticktock internal mark ghost 4 --broadcast");
    expect(item!.text).toContain("Wait: server a holds tick 2 and re-sends when asked");
    expect(item!.text.endsWith(" Run (add --server):")).toBe(true);
  });

  it("has nothing to say when nothing is missing", () => {
    expect(gapItems(diagnose([sample("a", state("a", { missing: {} }))]))).toEqual([]);
  });
});
