// A node's log: one line per event that matters (joined, gap found, recovered, mode changes,
// dropped garbage), to stderr by default. Injectable so tests and embedders can capture it.

export type LogLevel = "info" | "warn" | "debug";
export type LogSink = (level: LogLevel, line: string) => void;

const proc = (globalThis as { process?: { stderr?: { write(s: string): void }; env?: Record<string, string | undefined> } }).process;

/** stderr in Node and Deno; the console elsewhere (browsers, workers). Debug lines with TICKTOCK_DEBUG set. */
export const stderrSink: LogSink = (level, line) => {
  if (level === "debug" && !proc?.env?.TICKTOCK_DEBUG) return;
  if (proc?.stderr) proc.stderr.write(`${line}\n`);
  else console.error(line);
};

export class Log {
  constructor(readonly prefix: string, readonly sink: LogSink = stderrSink) {}
  info(msg: string): void {
    this.sink("info", `${this.prefix}: ${msg}`);
  }
  warn(msg: string): void {
    this.sink("warn", `${this.prefix}: ${msg}`);
  }
  debug(msg: string): void {
    this.sink("debug", `${this.prefix}: ${msg}`);
  }
}
