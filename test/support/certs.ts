// Certificates for TLS tests, made by openssl at test time in a temporary folder: a test CA,
// a server certificate it signs for 127.0.0.1 and localhost (usable as a client certificate
// too), one it signs for another host name, and a second CA that signed none of them.
//
//   const certs = makeCerts();   // certs.ca, certs.cert, certs.key ... are file paths
//   rmSync(certs.dir, { recursive: true })  when done (certs.remove())
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCerts {
  dir: string;
  /** The test CA's certificate (PEM file). */
  ca: string;
  /** A certificate for 127.0.0.1 and localhost signed by `ca`, and its key. */
  cert: string;
  key: string;
  /** A certificate signed by `ca` for elsewhere.invalid only (a host name mismatch on 127.0.0.1), and its key. */
  wrongHostCert: string;
  wrongHostKey: string;
  /** Another CA, which signed nothing here (a client trusting only it does not trust `cert`). */
  otherCa: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args.join(" ")} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}

const KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function makeCa(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`), key = join(dir, `${name}.key`);
  openssl(dir, [
    "req", "-x509", ...KEY, "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=ticktock ${name}`,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return { cert, key };
}

function makeLeaf(dir: string, name: string, ca: { cert: string; key: string }, altNames: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`), key = join(dir, `${name}.key`), csr = join(dir, `${name}.csr`), ext = join(dir, `${name}.ext`);
  openssl(dir, ["req", ...KEY, "-keyout", key, "-out", csr, "-subj", `/CN=${name}`]);
  writeFileSync(ext, [
    `subjectAltName=${altNames}`, "basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage=serverAuth,clientAuth",
  ].join("\n") + "\n");
  openssl(dir, ["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext]);
  return { cert, key };
}

export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), "ticktock-certs-"));
  const ca = makeCa(dir, "test-ca");
  const server = makeLeaf(dir, "server", ca, "IP:127.0.0.1,DNS:localhost");
  const wrong = makeLeaf(dir, "wrong-host", ca, "DNS:elsewhere.invalid");
  const other = makeCa(dir, "other-ca");
  // Mosquitto started as root drops to its own user before it reads certificates: let it read
  // these (throw-away test keys in a folder of their own).
  chmodSync(dir, 0o755);
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
  return {
    dir, ca: ca.cert, cert: server.cert, key: server.key, wrongHostCert: wrong.cert, wrongHostKey: wrong.key, otherCa: other.cert,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
