// State files on a file system (Node, Deno): written to FILE.tmp and renamed over FILE when
// the snapshot is complete, then appended to record by record (one write per record, no
// buffering in the process, so a killed node loses at most the record being written).
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import type { RecordSink, StateStorage } from "./state-file.js";

export const fsStorage: StateStorage = {
  exists: (file) => existsSync(file),
  read: (file) => readFileSync(file),
  create(file): RecordSink {
    const tmp = `${file}.tmp`;
    let fd = openSync(tmp, "w");
    return {
      write: (bytes) => {
        if (fd >= 0) writeSync(fd, bytes);
      },
      commit: () => renameSync(tmp, file),
      close: () => {
        if (fd >= 0) closeSync(fd);
        fd = -1;
      },
    };
  },
};
