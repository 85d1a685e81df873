// vitest global set-up: make sure the real components the tests use are installed. On a fresh
// Debian machine (CI) this installs Mosquitto and Chromium from Debian's packages. (Deno comes
// from the npm package `deno`, pinned in package.json.)
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const MOSQUITTO = "/usr/sbin/mosquitto";
export const CHROMIUM = "/usr/bin/chromium";

function aptInstall(pkg: string): void {
  const opts = { stdio: "inherit" as const, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } };
  try {
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", pkg], opts);
  } catch {
    execFileSync("apt-get", ["update"], opts);
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", pkg], opts);
  }
}

export default function setup(): void {
  if (!existsSync(MOSQUITTO)) {
    process.stderr.write("test set-up: installing mosquitto (Debian package)\n");
    aptInstall("mosquitto");
  }
  if (!existsSync(CHROMIUM)) {
    process.stderr.write("test set-up: installing chromium (Debian package) for the browser tests\n");
    aptInstall("chromium");
  }
}
