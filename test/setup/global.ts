// vitest global set-up: make sure the real components the tests use are installed. On a fresh
// Debian machine (CI) this installs Mosquitto, Serf and Chromium from Debian's packages. (Deno comes
// from the npm package `deno`, pinned in package.json.)
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

export const MOSQUITTO = "/usr/sbin/mosquitto";
export const CHROMIUM = "/usr/bin/chromium";
export const SERF = "/usr/bin/serf";

function aptInstall(pkg: string): void {
  const opts = { stdio: "inherit" as const, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } };
  try {
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", pkg], opts);
  } catch {
    execFileSync("apt-get", ["update"], opts);
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", pkg], opts);
  }
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The real upstream MoaT-KV server, shipped beside the project (not in a clone on its own). */
export const UPSTREAM_SETUP = resolve(ROOT, "../shared/upstream-moat-kv/setup.sh");
export const UPSTREAM_DEST = join(ROOT, ".cache/upstream-moat-kv");

/**
 * Unpack the upstream server into the git-ignored cache (quick once done). Where it is not
 * shipped, its tests are skipped with one line saying why, unless CI is set: then the run fails.
 */
function prepareUpstream(): { kv: string } | { skip: string } {
  if (!existsSync(UPSTREAM_SETUP)) {
    const why = `${UPSTREAM_SETUP} not found (a clone on its own, without ../shared)`;
    if (process.env.CI) throw new Error(`test set-up: CI is set but the upstream MoaT-KV server is missing: ${why}`);
    process.stderr.write(`test set-up: skipping the upstream interoperability tests: ${why}\n`);
    return { skip: why };
  }
  try {
    execFileSync("bash", [UPSTREAM_SETUP, UPSTREAM_DEST], { stdio: ["ignore", "ignore", "inherit"] });
  } catch (e) {
    throw new Error(`test set-up: ${UPSTREAM_SETUP} ${UPSTREAM_DEST} failed: ${(e as Error).message}`);
  }
  return { kv: join(UPSTREAM_DEST, "kv") };
}

export default function setup(project: TestProject): void {
  if (!existsSync(MOSQUITTO)) {
    process.stderr.write("test set-up: installing mosquitto (Debian package)\n");
    aptInstall("mosquitto");
  }
  if (!existsSync(SERF)) {
    // Debian's package also enables an agent service on Serf's default ports; the tests use others
    process.stderr.write("test set-up: installing serf (Debian package) for the Serf transport tests\n");
    aptInstall("serf");
  }
  if (!existsSync(CHROMIUM)) {
    process.stderr.write("test set-up: installing chromium (Debian package) for the browser tests\n");
    aptInstall("chromium");
  }
  project.provide("upstream", prepareUpstream());
}
