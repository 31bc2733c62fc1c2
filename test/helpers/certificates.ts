/**
 * Certificates made by the tests themselves with `openssl` (EC P-256, valid two days): a
 * CA, a server certificate it signed, and a client certificate for mutual TLS.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificates {
  /** The CA that signed both certificates (PEM). */
  ca: string;
  /** Server certificate for `serverNames` (PEM) and its key. */
  serverCert: string;
  serverKey: string;
  /** Client certificate (CN=cicada-user, clientAuth) and its key. */
  clientCert: string;
  clientKey: string;
  /** The files, for servers configured by path (nginx). */
  files: { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string };
  /** Removes the files. */
  remove(): void;
}

/**
 * Makes the certificates. `serverNames` become the server certificate's subjectAltName
 * ("DNS:api.test", "IP:127.0.0.1").
 */
export function makeCertificates(serverNames: string[]): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "cicada-certs-"));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync("openssl", args, { cwd: dir, stdio: "pipe", timeout: 20_000 });
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ecKey,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=Cicada Test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  const leaf = (name: string, subject: string, extensions: string) => {
    openssl("req", ...ecKey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
    writeFileSync(path(`${name}.ext`), extensions);
    openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    );
  };
  leaf(
    "server",
    "/CN=cicada-test-server",
    `subjectAltName=${serverNames.join(",")}\nextendedKeyUsage=serverAuth\n`,
  );
  leaf("client", "/CN=cicada-user", "extendedKeyUsage=clientAuth\n");
  const files = {
    ca: path("ca.pem"),
    serverCert: path("server.pem"),
    serverKey: path("server.key"),
    clientCert: path("client.pem"),
    clientKey: path("client.key"),
  };
  const read = (file: string) => readFileSync(file, "utf8");
  return {
    ca: read(files.ca),
    serverCert: read(files.serverCert),
    serverKey: read(files.serverKey),
    clientCert: read(files.clientCert),
    clientKey: read(files.clientKey),
    files,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A self-signed certificate (PEM) and its key, as `openssl req -x509` makes one. */
export interface SelfSignedCertificate {
  cert: string;
  key: string;
}

/**
 * A self-signed certificate for `CN=<commonName>` with no subjectAltName, as a quick
 * `openssl req -x509 -subj /CN=localhost` makes for a development server: trusted by
 * putting it in `tls.ca`, valid for the name in its CN only (not for 127.0.0.1).
 */
export function makeSelfSignedCertificate(commonName: string): SelfSignedCertificate {
  const dir = mkdtempSync(join(tmpdir(), "cicada-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-subj",
        `/CN=${commonName}`,
      ],
      { cwd: dir, stdio: "pipe", timeout: 20_000 },
    );
    return {
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
      key: readFileSync(join(dir, "key.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
