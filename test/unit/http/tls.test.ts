/**
 * TLS per user, against node:https servers with certificates the test makes: the CA to
 * trust, the server name to send and check, a client certificate for mutual TLS, the
 * oldest TLS version. A handshake that fails is a counted SSLError, never a throw.
 */
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { createServer, type ServerOptions } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import { describeFailure } from "../../../src/shared/request-event.js";
import {
  makeCertificates,
  makeSelfSignedCertificate,
  type TestCertificates,
} from "../../helpers/certificates.js";
import { recordingSession } from "./helpers.js";

/** An https server answering with what it learnt of the TLS connection. */
async function startTlsServer(options: ServerOptions) {
  const server = createServer(options, (req, res) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    res.end(
      JSON.stringify({
        servername: (socket as TLSSocket & { servername?: string }).servername,
        protocol: socket.getProtocol(),
        client: peer?.subject?.CN ?? null,
      }),
    );
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("TLS per user", { timeout: 60_000 }, () => {
  let certs: TestCertificates;
  before(() => {
    // No IP in the certificate: connecting to 127.0.0.1 needs the servername setting.
    certs = makeCertificates(["DNS:api.test"]);
  });
  after(() => certs.remove());

  it("trusts the user's CA and checks the certificate against tls.servername", async () => {
    const server = await startTlsServer({ cert: certs.serverCert, key: certs.serverKey });
    const untrusted = recordingSession({ baseUrl: server.url, tls: { servername: "api.test" } });
    const refused = await untrusted.session.get("/");
    assert.equal(refused.status, 0);
    assert.match(describeFailure(refused.error!), /^SSLError: unable to verify the first certificate/);
    assert.equal(untrusted.events.length, 1);
    await untrusted.session.close();

    const wrongName = recordingSession({ baseUrl: server.url, tls: { ca: certs.ca } });
    const mismatch = await wrongName.session.get("/");
    assert.equal(
      describeFailure(mismatch.error!),
      "SSLError: the server's certificate is not valid for 127.0.0.1: it is for api.test; " +
        "connect by a name it is for, or set tls.servername to one",
    );
    await wrongName.session.close();

    const trusted = recordingSession({
      baseUrl: server.url,
      tls: { ca: Buffer.from(certs.ca), servername: "api.test" },
    });
    const res = await trusted.session.get("/");
    assert.equal(res.error, null);
    assert.equal(res.json<{ servername: string }>().servername, "api.test");
    await trusted.session.close();
    await server.close();
  });

  it("words a certificate for another name: the host checked and the names it is for, never Node's empty list", async () => {
    // `openssl req -x509 -subj /CN=localhost`: no subjectAltName, so not valid for 127.0.0.1.
    const selfSigned = makeSelfSignedCertificate("localhost");
    const server = await startTlsServer({ cert: selfSigned.cert, key: selfSigned.key });
    try {
      const byAddress = recordingSession({ baseUrl: server.url, tls: { ca: selfSigned.cert } });
      const failures = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const res = await byAddress.session.get("/");
        assert.equal(res.status, 0);
        failures.add(describeFailure(res.error!));
      }
      // Was `SSLError: the TLS connection failed (IP: 127.0.0.1 is not in the cert's list: )`.
      assert.deepEqual(
        [...failures],
        [
          "SSLError: the server's certificate is not valid for 127.0.0.1: it is for localhost " +
            "(its common name; it has no subjectAltName); connect by a name it is for, or set tls.servername to one",
        ],
      );
      assert.equal(byAddress.events.length, 3);
      await byAddress.session.close();

      // What the message suggests works.
      const byName = recordingSession({
        baseUrl: server.url,
        tls: { ca: selfSigned.cert, servername: "localhost" },
      });
      const res = await byName.session.get("/");
      assert.equal(res.error, null, res.error?.message);
      await byName.session.close();

      const otherName = recordingSession({
        baseUrl: server.url,
        tls: { ca: selfSigned.cert, servername: "api.example" },
      });
      const refused = await otherName.session.get("/");
      assert.match(
        describeFailure(refused.error!),
        /^SSLError: the server's certificate is not valid for api\.example: it is for localhost \(its common name/,
      );
      await otherName.session.close();
    } finally {
      await server.close();
    }
  });

  it("presents the client certificate to a server that requires one (mutual TLS)", async () => {
    const server = await startTlsServer({
      cert: certs.serverCert,
      key: certs.serverKey,
      ca: certs.ca,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const tls = { ca: certs.ca, servername: "api.test" };
    const anonymous = recordingSession({ baseUrl: server.url, tls });
    const refused = await anonymous.session.get("/");
    assert.equal(refused.status, 0);
    // TLS 1.3: the server's alert comes after the handshake, sometimes after it has reset the connection.
    assert.match(
      describeFailure(refused.error!),
      /^(SSLError: the server wanted a client certificate \(set tls\.cert and tls\.key; tlsv13 alert certificate required\)|ConnectionResetError: .*)$/,
    );
    assert.equal(anonymous.events.length, 1);
    await anonymous.session.close();

    const user = recordingSession({
      baseUrl: server.url,
      tls: { ...tls, cert: certs.clientCert, key: certs.clientKey },
    });
    const res = await user.session.get("/");
    assert.equal(res.error, null, res.error?.message);
    assert.equal(res.json<{ client: string }>().client, "cicada-user");
    await user.session.close();
    await server.close();
  });

  it("an event stream (sse()) uses the same TLS: the user's CA, client certificate and server name", async () => {
    const server = createServer(
      {
        cert: certs.serverCert,
        key: certs.serverKey,
        ca: certs.ca,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const client = (req.socket as TLSSocket).getPeerCertificate()?.subject?.CN ?? "none";
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(`data: ${client}\n\n`);
      },
    );
    server.on("tlsClientError", () => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { session, events } = recordingSession({
        baseUrl: url,
        networkTimeoutMs: 3000,
        tls: { ca: certs.ca, servername: "api.test", cert: certs.clientCert, key: certs.clientKey },
      });
      const stream = await session.sse("/feed");
      assert.equal(events[0]?.exception ?? null, null, String(events[0]?.exception));
      assert.equal(stream.firstEvent?.data, "cicada-user");
      stream.close();
      await session.close();
      // Without the user's CA, the stream fails like a request would: recorded, not thrown.
      const untrusted = recordingSession({
        baseUrl: url,
        networkTimeoutMs: 3000,
        tls: { servername: "api.test" },
      });
      await untrusted.session.sse("/feed");
      assert.match(describeFailure(untrusted.events[0]!.exception!), /certificate/);
      await untrusted.session.close();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("refuses a server below tls.minVersion", async () => {
    const server = await startTlsServer({
      cert: certs.serverCert,
      key: certs.serverKey,
      maxVersion: "TLSv1.2",
    });
    const tls = { ca: certs.ca, servername: "api.test" };
    const strict = recordingSession({ baseUrl: server.url, tls: { ...tls, minVersion: "TLSv1.3" } });
    const refused = await strict.session.get("/");
    assert.equal(
      describeFailure(refused.error!),
      "SSLError: no TLS version in common with the server (Cicada offers TLSv1.3, from tls.minVersion; tlsv1 alert protocol version)",
    );
    await strict.session.close();
    const lenient = recordingSession({ baseUrl: server.url, tls: { ...tls, minVersion: "TLSv1.2" } });
    const res = await lenient.session.get("/");
    assert.equal(res.json<{ protocol: string }>().protocol, "TLSv1.2");
    await lenient.session.close();
    await server.close();
  });

  it("words TLS failures on one line, the same in every process: no OpenSSL thread id, path or newline", async () => {
    const tls = { ca: certs.ca, servername: "api.test" };
    const wantsClientCertificate = await startTlsServer({
      cert: certs.serverCert,
      key: certs.serverKey,
      ca: certs.ca,
      requestCert: true,
      rejectUnauthorized: true,
      maxVersion: "TLSv1.2",
    });
    const plainHttp = createHttpServer((_req, res) => res.end("plain"));
    await new Promise<void>((resolve) => plainHttp.listen(0, "127.0.0.1", resolve));
    const failures: string[] = [];
    for (const url of [
      wantsClientCertificate.url,
      `https://127.0.0.1:${(plainHttp.address() as AddressInfo).port}`,
    ]) {
      const { session, events } = recordingSession({ baseUrl: url, tls });
      await session.get("/");
      failures.push(describeFailure(events[0]!.exception!));
      await session.close();
    }
    assert.deepEqual(failures, [
      "SSLError: the server refused the TLS handshake: no cipher suite in common, or it wanted a client certificate (sslv3 alert handshake failure)",
      "SSLError: the server did not answer in TLS; is it plain http? (wrong version number)",
    ]);
    await wantsClientCertificate.close();
    plainHttp.closeAllConnections();
    await new Promise<void>((resolve) => plainHttp.close(() => resolve()));
  });

  it("says clearly what is wrong with a TLS setting", () => {
    assert.throws(
      () => recordingSession({ tls: { cert: certs.clientCert } }),
      /tls\.cert and tls\.key go together/,
    );
    assert.throws(
      () => recordingSession({ tls: { ca: "not a certificate" } }),
      /invalid tls\.ca: "not a certificate" is not a PEM certificate/,
    );
    assert.throws(
      () => recordingSession({ tls: { minVersion: "TLSv1.1" as "TLSv1.2" } }),
      /tls\.minVersion must be "TLSv1\.2" or "TLSv1\.3", got "TLSv1\.1"/,
    );
  });
});
