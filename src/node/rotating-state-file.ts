// A state file that stays bounded: upstream's log grows by a record for every change for ever
// (a node under set/delete churn fills its disk). This writer appends like StateFileWriter and,
// once the records appended since the last snapshot outnumber both ROTATE_MIN and twice the
// snapshot's own records, writes a fresh snapshot of the node (to FILE.tmp, renamed over FILE
// when complete, so a crash leaves the old file). The file then holds about what the node
// holds: purged tombstones are gone from it too. The records are upstream's either way.

import { StateFileWriter, type Snapshot, type StateStorage } from "./state-file.js";

/** Appended records below this never cause a rewrite. */
export const ROTATE_MIN = 1000;

type Append = Parameters<StateFileWriter["appendUpdate"]>[0];
type AppendState = Parameters<StateFileWriter["appendState"]>[0];

export class RotatingStateFile {
  readonly file: string;
  #w: StateFileWriter;
  #base: number;
  #appended = 0;
  /** Snapshots written since opening (the first one included). */
  snapshots = 1;

  constructor(
    private readonly storage: StateStorage,
    file: string,
    private readonly snapshot: () => Snapshot,
    private readonly min = ROTATE_MIN,
  ) {
    this.file = file;
    const s = snapshot();
    this.#w = StateFileWriter.open(storage, file, s);
    this.#base = s.entries.length + 1;
  }

  appendUpdate(u: Append): void {
    this.#w.appendUpdate(u);
    this.#counted();
  }

  appendState(s: AppendState): void {
    this.#w.appendState(s);
    this.#counted();
  }

  close(): void {
    this.#w.close();
  }

  #counted(): void {
    if (++this.#appended < Math.max(this.min, 2 * this.#base)) return;
    this.#w.close();
    const s = this.snapshot();
    this.#w = StateFileWriter.open(this.storage, this.file, s);
    this.#base = s.entries.length + 1;
    this.#appended = 0;
    this.snapshots++;
  }
}
