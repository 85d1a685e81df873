// One node's ticks as this server knows them (upstream's model.Node).
//
//   tick           highest tick seen from the node (0: none seen yet)
//   present        ticks whose change is still in some entry's chain here (data held)
//   superseded     ticks seen once and replaced since (wire name `known`)
//   deleted        ticks of deletions
//   remoteMissing  ticks other servers said they lack (upstream `reported`)
//   missing()      [1, tick] - present - superseded: what this server should have and has not

import { RangeSet } from "../core/range-set.js";
import { tickMax, type Tick } from "../core/tick.js";

export class NodeTicks {
  readonly name: string;
  tick: Tick = 0;
  readonly present = new RangeSet();
  readonly superseded = new RangeSet();
  readonly deleted = new RangeSet();
  readonly remoteMissing = new RangeSet();

  constructor(name: string, tick: Tick = 0) {
    this.name = name;
    this.tick = tick;
  }

  /** Raise the tick to at least t; returns whether it rose. */
  raise(t: Tick): boolean {
    const next = tickMax(this.tick, t);
    if (next === this.tick) return false;
    this.tick = next;
    return true;
  }

  /** A tick's change is held here: present, no longer superseded. */
  markPresent(t: Tick): void {
    this.present.add(t);
    this.superseded.discard(t);
  }

  /** A tick's change was replaced: superseded, no longer present. */
  supersede(t: Tick): void {
    this.present.discard(t);
    this.superseded.add(t);
  }

  /** The ticks this server lacks, as a new set (the caller disposes it). Empty while tick is 0. */
  missing(): RangeSet {
    return RangeSet.missing(this.tick, this.present, this.superseded);
  }

  dispose(): void {
    this.present.dispose();
    this.superseded.dispose();
    this.deleted.dispose();
    this.remoteMissing.dispose();
  }
}
