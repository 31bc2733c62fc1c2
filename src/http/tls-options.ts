/**
 * TLS settings of one user's session: the CA to trust, a client certificate (mutual
 * TLS), the server name to send and check, the oldest TLS version allowed. Each distinct
 * setting becomes one `SecureContext`, shared by every user with the same setting (a
 * context holds parsed certificates and keys: making one per user would cost
 * milliseconds each and their memory).
 */
import { X509Certificate } from "node:crypto";
import { createSecureContext, type SecureContext } from "node:tls";

/** The `tls` setting of a user (PEM text or bytes, as Node's `tls.connect` takes them). */
export interface TlsOptions {
  /** Certificate authorities to trust instead of Node's bundled ones (PEM). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate chain for mutual TLS (PEM). */
  cert?: string | Buffer | Array<string | Buffer>;
  /** Private key of the client certificate (PEM). */
  key?: string | Buffer | Array<string | Buffer>;
  /** Passphrase of an encrypted `key`. */
  passphrase?: string;
  /** Server name sent in SNI and checked against the server's certificate (default: the URL's host). */
  servername?: string;
  /** Oldest TLS version accepted (default Node's, TLSv1.2). */
  minVersion?: "TLSv1.2" | "TLSv1.3";
}

/** What a connection needs to set up TLS. */
export interface TlsSettings {
  /** undefined: Node's default context. */
  readonly secureContext: SecureContext | undefined;
  readonly rejectUnauthorized: boolean;
  readonly servername: string | undefined;
  /** The user's `tls.minVersion`, to word a failed handshake. */
  readonly minVersion: string | undefined;
}

const contexts = new Map<string, SecureContext>();
/** Distinct settings kept; a locustfile would have to generate them to reach it. */
const MAX_CONTEXTS = 256;

/** The TLS settings of a session. Throws a clear `Error` for a bad certificate, key or version. */
export function tlsSettings(options: TlsOptions | undefined, insecure: boolean): TlsSettings {
  const servername = options?.servername;
  if (servername !== undefined && (typeof servername !== "string" || servername === "")) {
    throw new Error(`tls.servername must be a host name, got ${JSON.stringify(servername)}`);
  }
  const minVersion = options?.minVersion;
  if (minVersion !== undefined && minVersion !== "TLSv1.2" && minVersion !== "TLSv1.3") {
    throw new Error(`tls.minVersion must be "TLSv1.2" or "TLSv1.3", got ${JSON.stringify(minVersion)}`);
  }
  const needsContext =
    options !== undefined &&
    (options.ca !== undefined ||
      options.cert !== undefined ||
      options.key !== undefined ||
      minVersion !== undefined);
  return {
    secureContext: needsContext ? contextFor(options) : undefined,
    rejectUnauthorized: !insecure,
    servername,
    minVersion,
  };
}

function contextFor(options: TlsOptions): SecureContext {
  const key = JSON.stringify([
    asText(options.ca),
    asText(options.cert),
    asText(options.key),
    options.passphrase,
    options.minVersion,
  ]);
  let context = contexts.get(key);
  if (context !== undefined) return context;
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new Error("tls.cert and tls.key go together: a client certificate needs its private key");
  }
  // Node ignores CA text that is not a certificate; a file path given instead of its contents would pass unnoticed.
  for (const ca of [options.ca ?? []].flat()) checkCertificate(ca, "tls.ca");
  try {
    context = createSecureContext({
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      passphrase: options.passphrase,
      minVersion: options.minVersion,
    });
  } catch (error) {
    throw new Error(`invalid tls setting: ${(error as Error).message} (${PEM_HINT})`, { cause: error });
  }
  if (contexts.size >= MAX_CONTEXTS) contexts.clear();
  contexts.set(key, context);
  return context;
}

const PEM_HINT = "expected PEM text, e.g. readFileSync('ca.pem'), not a file name";

function checkCertificate(pem: string | Buffer, setting: string): void {
  try {
    new X509Certificate(pem);
  } catch {
    const text = pem.toString().slice(0, 40);
    throw new Error(`invalid ${setting}: ${JSON.stringify(text)} is not a PEM certificate (${PEM_HINT})`);
  }
}

/** Certificate bytes as text, so that equal PEMs, given as strings or bytes, share a context. */
function asText(value: TlsOptions["ca"]): string | string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value))
    return value.map((item) => (typeof item === "string" ? item : item.toString("latin1")));
  return typeof value === "string" ? value : value.toString("latin1");
}
