// Who answers an `info {missing}` request (src/node/resend-policy.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { RangeSet, init } from "../../src/core/range-set.js";
import { ResendPolicy } from "../../src/node/resend-policy.js";

beforeAll(() => init());

/** What `self` answers, as [ticks, urgency] ("" when nothing). */
function answer(p: ResendPolicy, origin: string, requester: string, ticks: number[], names: string[]): [number[], string] {
  using req = RangeSet.fromState(ticks);
  const c = p.claim(origin, requester, req, names);
  using mine = c.mine;
  return mine.isEmpty ? [[], ""] : [[...mine.ticks()].map(Number), c.urgency];
}

describe("ResendPolicy", () => {
  it("answers its own ticks at once", () => {
    const p = new ResendPolicy("b");
    expect(answer(p, "b", "a", [1, 2], ["a", "b", "c"])).toEqual([[1, 2], "own"]);
  });

  it("is the backup: the next node by name after the origin, other than the one asking", () => {
    expect(answer(new ResendPolicy("c"), "b", "a", [1], ["a", "b", "c", "d"])).toEqual([[1], "backup"]);
    expect(answer(new ResendPolicy("d"), "b", "c", [1], ["a", "b", "c", "d"])).toEqual([[1], "backup"]);
    // wrapping round: after the last name comes the first
    expect(answer(new ResendPolicy("a"), "d", "c", [1], ["a", "b", "c", "d"])).toEqual([[1], "backup"]);
  });

  it("counts itself among the names before it has a tick of its own", () => {
    // "tt1" holds ghost's ticks but never wrote: its ledger does not name it yet
    expect(answer(new ResendPolicy("tt1"), "ghost", "up1", [1, 2], ["ghost", "up1"])).toEqual([[1, 2], "backup"]);
  });

  it("answers a ticktock node's request only when it is a retry, unless it is the backup", () => {
    let now = 0;
    const p = new ResendPolicy("d", 1000, () => now, 2000);
    p.heardTicks("a");
    p.heardTicks("a"); // two heartbeats: a ticktock node, which asks again until it is served
    const names = ["a", "b", "c", "d"];
    expect(answer(p, "b", "a", [1, 2], names)).toEqual([[], ""]);
    expect(answer(p, "b", "a", [2, 3], names)).toEqual([[2], "backup"]);
    // a retry even after somebody answered it (the answer may not have reached the requester),
    // for one to two retry windows
    now = 900;
    p.heardTicks("a");
    now = 1900;
    p.heardTicks("a");
    expect(answer(p, "b", "a", [1], names)).toEqual([[1], "backup"]);
    now = 2800;
    p.heardTicks("a");
    expect(answer(p, "b", "a", [3], names)).toEqual([[3], "backup"]); // asked at 0, still within two windows
    now = 6900;
    p.heardTicks("a");
    now = 7000;
    p.heardTicks("a");
    expect(answer(p, "b", "a", [1, 2, 3], names)).toEqual([[], ""]); // long ago: a first request again
  });

  it("answers the first request of a node not known to ask again (an upstream server), after the backup", () => {
    let now = 0;
    const p = new ResendPolicy("d", 1000, () => now);
    const names = ["a", "b", "c", "d", "up1"];
    expect(answer(p, "b", "up1", [1, 2], names)).toEqual([[1, 2], "fallback"]);
    expect(answer(p, "b", "up1", [1, 2], names)).toEqual([[1, 2], "fallback"]);
    // one info {ticks} is what upstream sends in a split recovery: still not a ticktock node
    p.heardTicks("up1");
    expect(answer(p, "b", "up1", [7], names)).toEqual([[7], "fallback"]);
    // a ticktock node's heartbeats: answered by origin and backup only, while they keep coming
    p.heardTicks("a");
    now = 900;
    p.heardTicks("a");
    expect(answer(p, "b", "a", [5], names)).toEqual([[], ""]);
    now = 2500; // heartbeats stopped: it may be gone, or an upstream server now
    expect(answer(p, "b", "a", [9], names)).toEqual([[9], "fallback"]);
  });

  it("with no window (heartbeats off) answers every first request", () => {
    const p = new ResendPolicy("d");
    p.heardTicks("a");
    p.heardTicks("a");
    expect(answer(p, "b", "a", [1], ["a", "b", "c", "d"])).toEqual([[1], "fallback"]);
  });
});
