// A node's log: one line per event that matters (joined, gap found, recovered, mode changes,
// dropped garbage), to stderr by default. Injectable so tests and embedders can capture it.

export type LogLevel = "info" | "warn" | "debug";
export type LogSink = (level: LogLevel, line: string) => void;

export const stderrSink: LogSink = (level, line) => {
  if (level !== "debug" || process.env.TICKTOCK_DEBUG) process.stderr.write(`${line}\n`);
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
