// The doctor's diagnoses as the inspector shows them beside each gap: per node, the missing
// ticks, the diagnosis in plain words, and the repair command on its own (to copy), if any.
// Pure and browser-safe.

import type { RangeSetState } from "../../core/range-set.js";
import type { Diagnosis } from "./diagnose.js";

/** One gap's diagnosis, as the doctor words it. */
export interface GapDiagnosis {
  /** The node whose ticks are missing. */
  node: string;
  /** The ticks, as a range list ([2], [[5, 9]]) or already in words. */
  ticks: RangeSetState | string;
  /** The diagnosis in plain words ("… lost everywhere … ghost looks gone … Run:"). */
  text: string;
  /** The repair to run, if any ("ticktock internal mark ghost 2 --broadcast"), or undefined: wait. */
  command?: string;
}

export interface GapItemOptions {
  /** Said before a command that names no server (--server): where to send it. */
  noServer?: string;
}

/** One item per diagnosis: its words, with the mark command (the last words of its action) apart. */
export function gapItems(diagnoses: readonly Diagnosis[], opts: GapItemOptions = {}): GapDiagnosis[] {
  return diagnoses.map((d) => {
    // explain() ends the words with one line per action; those with a command end with it
    const words = d.words.slice(0, d.words.length - d.actions.length);
    let command: string | undefined;
    for (const a of d.actions) {
      const text = `${a.text.charAt(0).toUpperCase()}${a.text.slice(1)}`;
      if (a.kind !== "wait" && text.endsWith(a.command)) {
        command = a.command;
        let before = text.slice(0, text.length - a.command.length).trimEnd();
        if (opts.noServer && !/ --server /.test(a.command)) before = before.replace(/:?$/, ` (${opts.noServer}):`);
        words.push(before);
      } else words.push(text);
    }
    return { node: d.node, ticks: d.missing, text: words.join(" "), ...(command ? { command } : {}) };
  });
}
