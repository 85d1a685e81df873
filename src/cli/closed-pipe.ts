// Output into a pipe that closes early (`ticktock internal mark --help | head -3`): the reader
// has what it wanted, so the command ends quietly instead of dying of an unhandled EPIPE with a
// stack trace. Installed once for every command by main.ts.
//
// A command that runs until stopped (node, watch, inspect, demo) has registered a SIGTERM
// handler (process.ts onShutdown): it gets a SIGTERM, so a node still stops cleanly (closes its
// state file, leaves the broker). Every other command exits at once with code 0.

let closed = false;

/** Whether stdout or stderr has been closed by its reader. */
export function outputClosed(): boolean {
  return closed;
}

function onWriteError(e: NodeJS.ErrnoException): void {
  if (e.code !== "EPIPE") throw e;
  if (closed) return; // later writes into the same closed pipe: nothing more to do
  closed = true;
  if (process.listenerCount("SIGTERM") > 0) process.kill(process.pid, "SIGTERM");
  else process.exit(0);
}

/** Make EPIPE on stdout or stderr end the command quietly (idempotent). */
export function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.listeners("error").includes(onWriteError)) stream.on("error", onWriteError);
  }
}
