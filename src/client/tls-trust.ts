// What a client trusts when it talks TLS (to a server's client port, or to a broker), and one
// line on why a connection failed: a certificate not trusted, one for another host name, a
// server that does not speak TLS. No Node imports: the WebSocket client (browsers) uses it too.

export interface TlsClientOptions {
  /** CA certificates (PEM) to trust instead of the system's, for a server with a private CA. */
  ca?: string | Uint8Array | (string | Uint8Array)[];
  /** A client certificate and its key (PEM), for servers that ask for one. */
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
}

const UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_UNTRUSTED", "CERT_SIGNATURE_FAILURE", "CERT_REJECTED", "INVALID_CA",
]);
const NOT_TLS = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG", "ERR_SSL_UNKNOWN_PROTOCOL", "ERR_SSL_RECORD_LAYER_FAILURE"]);

/**
 * Why a TLS connection failed, as the end of one line ("its certificate is not trusted (...)"),
 * or undefined when the error is not about TLS. `host`: the name the client asked for; `caHint`:
 * how to trust another CA where this client is configured (e.g. "--tls-ca FILE").
 */
export function tlsFailure(e: unknown, host: string, caHint = "the ca option"): string | undefined {
  const err = e as { code?: string; message?: string; reason?: string; cert?: { subjectaltname?: string; subject?: { CN?: string } } };
  const code = typeof err.code === "string" ? err.code : ""; // Deno's WebSocket errors carry other things
  const msg = err.reason ?? err.message ?? String(e); // OpenSSL's reason, without its error-stack noise
  if (UNTRUSTED.has(code)) return `its certificate is not trusted (${msg}); trust the CA that signed it (${caHint})`;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const names = err.cert?.subjectaltname ?? (err.cert?.subject?.CN ? `CN=${err.cert.subject.CN}` : "other names");
    return `its certificate does not name ${host} (it is for ${names})`;
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") return `its certificate is not valid now (${msg})`;
  if (code.endsWith("_ALERT_CERTIFICATE_REQUIRED")) return "it asks for a client certificate";
  if (NOT_TLS.has(code)) return "it does not speak TLS there (connect without TLS?)";
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_") || code.startsWith("CERT_")) return `the TLS handshake failed (${code}: ${msg})`;
  return undefined;
}
