/**
 * TLS failures in words, for the failures table. OpenSSL's own text reads
 * `80AC0216CF7F0000:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol
 * version:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 70\n`:
 * it starts with the failing thread's id in hex and ends with a source path and a
 * newline. The failures table keys its rows by that text, so one failure made a row per
 * process, and the newline broke `_failures.csv` and the console table. Here: what went
 * wrong, then OpenSSL's reason name in parentheses, on one line, the same in every process.
 */

/** What the client offered, when the failure happened in its own handshake. */
export interface TlsOffer {
  /** The TLS versions offered, in words: "TLSv1.3", "TLSv1.2 to TLSv1.3". */
  versions: string;
  /** Whether the user's `tls.minVersion` set the oldest. */
  fromMinVersion: boolean;
}

const versionCodes = new Set([
  "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
  "ERR_SSL_UNSUPPORTED_PROTOCOL",
  "ERR_SSL_NO_PROTOCOLS_AVAILABLE",
  "ERR_SSL_VERSION_TOO_LOW",
]);
const clientCertificateRefusedCodes = new Set([
  "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA",
  "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE",
  "ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN",
  "ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
  "ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED",
  "ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED",
]);
const notTlsCodes = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG"]);

/** OpenSSL's error text: `<thread id>:error:<code>:<library>:<function>:<reason>:<file>:<line>:<data>`. */
const OPENSSL_TEXT = /^[0-9A-F]+:error:[0-9A-F]+:([^:]*):([^:]*):([^:]*)(?::|$)/;

/** True for an error of TLS: OpenSSL's, or Node's certificate checks. */
export function isTlsError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string")
    return OPENSSL_TEXT.test(error.message) || /SSL|TLS|certificate/i.test(error.message);
  // OpenSSL's verification codes: UNABLE_TO_VERIFY_LEAF_SIGNATURE, DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED...
  return (
    code.startsWith("ERR_TLS") ||
    code.startsWith("ERR_SSL") ||
    /CERT|SELF_SIGNED|UNABLE_TO_|SIGNATURE|ISSUER|CRL/.test(code)
  );
}

/** The message of a TLS error `error`, in words, on one line, without OpenSSL's thread id or paths. */
export function tlsFailureMessage(error: Error, offer?: TlsOffer): string {
  const code = String((error as { code?: unknown }).code ?? "");
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return nameMismatchMessage(error);
  const reason = openSslReason(error);
  if (reason === undefined) return oneLine(error.message); // Node's certificate checks are worded already
  if (versionCodes.has(code)) {
    if (offer === undefined) return `no TLS version in common with the server (${reason})`;
    const from = offer.fromMinVersion ? ", from tls.minVersion" : "";
    return `no TLS version in common with the server (Cicada offers ${offer.versions}${from}; ${reason})`;
  }
  if (code === "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED")
    return `the server wanted a client certificate (set tls.cert and tls.key; ${reason})`;
  if (clientCertificateRefusedCodes.has(code))
    return `the server did not accept the client certificate (${reason})`;
  if (code === "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE")
    return `the server refused the TLS handshake: no cipher suite in common, or it wanted a client certificate (${reason})`;
  if (code === "ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL")
    return `no application protocol in common with the server (TLS ALPN; ${reason})`;
  if (code === "ERR_SSL_TLSV1_UNRECOGNIZED_NAME")
    return `the server does not serve the name sent in SNI (tls.servername; ${reason})`;
  if (notTlsCodes.has(code)) return `the server did not answer in TLS; is it plain http? (${reason})`;
  return `the TLS connection failed (${reason})`;
}

/** Names of a certificate listed in a name mismatch's message; a CDN's may have hundreds. */
const MAX_NAMES_SHOWN = 5;

/**
 * Node's check of the certificate's names (`checkServerIdentity`) failed. Its own text,
 * `IP: 127.0.0.1 is not in the cert's list: ` (a list empty when the certificate has no IP
 * address) or `Host: a.test. is not cert's CN: b.test`, says which rule failed but not what
 * to do: here the host checked, the names the certificate is for (from the certificate
 * Node attaches), and the two ways out.
 */
function nameMismatchMessage(error: Error): string {
  const { host, cert, reason } = error as { host?: unknown; cert?: unknown; reason?: unknown };
  const checked = typeof host === "string" && host !== "" ? host : undefined;
  const names = certificateNames(cert);
  if (checked === undefined || names === undefined) {
    const said = typeof reason === "string" ? reason.replace(/[:\s]+$/, "") : oneLine(error.message);
    return `the server's certificate does not match the host name (${said})`;
  }
  if (names === "") return `the server's certificate is not valid for ${checked}: it names no host`;
  return (
    `the server's certificate is not valid for ${checked}: it is for ${names}; ` +
    "connect by a name it is for, or set tls.servername to one"
  );
}

/**
 * The host names and addresses a peer certificate (`getPeerCertificate()`) is for: its
 * subjectAltName's DNS names and IP addresses, else its common name (which Node checks
 * only when there is no subjectAltName). "" when it names none; undefined without a certificate.
 */
function certificateNames(cert: unknown): string | undefined {
  if (typeof cert !== "object" || cert === null) return undefined;
  const { subjectaltname, subject } = cert as { subjectaltname?: unknown; subject?: { CN?: unknown } };
  const altNames = typeof subjectaltname === "string" ? subjectaltname : "";
  const listed: string[] = [];
  for (const entry of altNames.split(/,\s*/)) {
    const name = /^(?:DNS|IP Address):(.+)$/.exec(entry)?.[1];
    if (name !== undefined) listed.push(name.replace(/^"(.*)"$/, "$1"));
  }
  if (listed.length > 0) {
    const shown = listed.slice(0, MAX_NAMES_SHOWN).join(", ");
    const more = listed.length - MAX_NAMES_SHOWN;
    return more > 0 ? `${shown} and ${more} more` : shown;
  }
  const cn = subject?.CN;
  const commonName = Array.isArray(cn) ? cn.join(", ") : typeof cn === "string" ? cn : "";
  if (commonName === "") return "";
  const without =
    altNames === "" ? "it has no subjectAltName" : "no DNS name or IP address in its subjectAltName";
  return `${commonName} (its common name; ${without})`;
}

/** OpenSSL's reason name (`tlsv1 alert protocol version`), or undefined for errors not OpenSSL's. */
function openSslReason(error: Error): string | undefined {
  const reason = (error as { reason?: unknown }).reason;
  if (typeof reason === "string" && reason !== "") return reason;
  return OPENSSL_TEXT.exec(error.message)?.[3]?.trim() || undefined;
}

/** `text` on one line: line breaks and the spaces around them become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}
