// vitest global set-up: make sure the real components the tests use are installed. On a fresh
// Debian machine (CI) this installs Mosquitto from Debian's packages.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const MOSQUITTO = "/usr/sbin/mosquitto";

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
}
