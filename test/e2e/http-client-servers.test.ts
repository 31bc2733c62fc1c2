/**
 * The HTTP client against real servers users have: Debian's tinyproxy (plain http in
 * absolute form, https through CONNECT, a proxy that asks for credentials, one that is
 * not there) and nginx (HTTP/2 over TLS and cleartext, mutual TLS), first through
 * sessions in this process, then through the real CLI with the proxy from the
 * environment, each request checked in nginx's own access log.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HttpSession } from "../../src/http/index.js";
import type { RequestEvent } from "../../src/shared/request-event.js";
import { describeFailure } from "../../src/shared/request-event.js";
import { makeCertificates, type TestCertificates } from "../helpers/certificates.js";
import { fixtureDir, runCli } from "../helpers/cli.js";
import {
  freePort,
  http2Listen,
  type Nginx,
  startNginx,
  startTinyproxy,
  type Tinyproxy,
} from "../helpers/real-servers.js";

function session(
  options: ConstructorParameters<typeof HttpSession>[0] extends infer O ? Omit<O, "onRequest"> : never,
) {
  const events: RequestEvent[] = [];
  return { client: new HttpSession({ ...options, onRequest: (event) => events.push(event) }), events };
}

describe("the HTTP client with tinyproxy and nginx", () => {
  let certs: TestCertificates;
  let proxy: Tinyproxy;
  let guardedProxy: Tinyproxy;
  let nginx: Nginx;
  const ports = { plain: 0, h2: 0, h2c: 0, mtls: 0 };
  const url = (name: keyof typeof ports, path: string) =>
    `${name === "plain" || name === "h2c" ? "http" : "https"}://127.0.0.1:${ports[name]}${path}`;
  /** The access log lines of requests whose URI starts with `path`. */
  const logged = (path: string) => nginx.accessLog().filter((line) => line.split(" ")[2]!.startsWith(path));

  before(async () => {
    certs = makeCertificates(["DNS:localhost", "IP:127.0.0.1"]);
    for (const name of Object.keys(ports) as Array<keyof typeof ports>) ports[name] = await freePort();
    const tls = `ssl_certificate ${certs.files.serverCert}; ssl_certificate_key ${certs.files.serverKey};`;
    nginx = await startNginx(
      `
  server { listen 127.0.0.1:${ports.plain}; location / { return 200 "plain $server_protocol"; } }
  server { ${http2Listen(ports.h2, true)} ${tls} location / { return 200 "tls $server_protocol"; } }
  server { ${http2Listen(ports.h2c, false)} location / { return 200 "h2c $server_protocol"; } }
  server {
    listen 127.0.0.1:${ports.mtls} ssl; ${tls}
    ssl_client_certificate ${certs.files.ca}; ssl_verify_client on;
    location / { return 200 "client $ssl_client_s_dn"; }
  }`,
      Object.values(ports),
    );
    proxy = await startTinyproxy();
    guardedProxy = await startTinyproxy({ basicAuth: ["cicada", "s3cret"] });
  });

  after(async () => {
    await Promise.all([nginx?.stop(), proxy?.stop(), guardedProxy?.stop()]);
    certs?.remove();
  });

  it("sends plain http to the proxy in absolute form and https (HTTP/1.1 or 2) through a CONNECT tunnel", async () => {
    const { client, events } = session({ proxy: proxy.url, tls: { ca: certs.ca } });
    const plain = await client.get(url("plain", "/proxied-plain"));
    assert.equal(plain.text(), "plain HTTP/1.1");
    const secure = await client.get(url("h2", "/proxied-tls"));
    assert.equal(secure.text(), "tls HTTP/1.1");
    await client.close();
    const h2 = session({ proxy: proxy.url, tls: { ca: certs.ca }, http2: true });
    assert.equal((await h2.client.get(url("h2", "/proxied-h2"))).text(), "tls HTTP/2.0");
    // Cleartext HTTP/2 tunnelled too: tinyproxy writes its answer in two pieces, and
    // nginx's SETTINGS follow right behind it.
    assert.equal((await h2.client.get(url("h2c", "/tunnelled-h2c"))).text(), "h2c HTTP/2.0");
    await h2.client.close();
    assert.ok(events.every((event) => !event.exception));
    assert.match(
      logged("/proxied-plain")[0]!,
      /"1\.1 tinyproxy \(tinyproxy\/[\d.]+\)"$/,
      "went through the proxy",
    );
    assert.match(proxy.log(), new RegExp(`CONNECT 127\\.0\\.0\\.1:${ports.h2} HTTP/1\\.1`));
    assert.equal(logged("/proxied-h2").length, 1);
    assert.match(proxy.log(), new RegExp(`CONNECT 127\\.0\\.0\\.1:${ports.h2c} HTTP/1\\.1`));
    assert.equal(logged("/tunnelled-h2c").length, 1);
  });

  it("counts a proxy's refusal or absence as a ProxyError", async () => {
    const { client, events } = session({ proxy: guardedProxy.url, tls: { ca: certs.ca } });
    const plain = await client.get(url("plain", "/refused"));
    assert.equal(plain.status, 407);
    assert.equal(
      describeFailure(plain.error!),
      "ProxyError: the proxy refused the request: 407 Proxy Authentication Required",
    );
    const tunnel = await client.get(url("h2", "/refused"));
    assert.equal(tunnel.status, 0);
    assert.equal(
      describeFailure(tunnel.error!),
      `ProxyError: the proxy ${guardedProxy.url} refused the tunnel to 127.0.0.1:${ports.h2}: 407 Proxy Authentication Required`,
    );
    assert.equal(events.length, 2);
    await client.close();
    const withCredentials = session({
      proxy: guardedProxy.url.replace("http://", "http://cicada:s3cret@"),
      tls: { ca: certs.ca },
    });
    assert.equal((await withCredentials.client.get(url("plain", "/allowed"))).status, 200);
    assert.equal((await withCredentials.client.get(url("h2", "/allowed"))).status, 200);
    await withCredentials.client.close();
    const absent = session({ proxy: `http://127.0.0.1:${await freePort()}` });
    const res = await absent.client.get(url("plain", "/nowhere"));
    assert.match(
      describeFailure(res.error!),
      /^ProxyError: could not reach the proxy http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/,
    );
    await absent.client.close();
  });

  it("speaks HTTP/2 to nginx over TLS (forced or negotiated) and cleartext, HTTP/1.1 when not asked", async () => {
    const results: string[] = [];
    for (const [http2, target] of [
      [true, url("h2", "/h2-forced")],
      ["auto", url("h2", "/h2-auto")],
      [false, url("h2", "/h2-off")],
      [true, url("h2c", "/h2c")],
    ] as const) {
      const { client } = session({ http2, tls: { ca: certs.ca } });
      const res = await client.get(target);
      results.push(`${res.httpVersion} ${res.text()}`);
      await client.close();
    }
    assert.deepEqual(results, [
      "2.0 tls HTTP/2.0",
      "2.0 tls HTTP/2.0",
      "1.1 tls HTTP/1.1",
      "2.0 h2c HTTP/2.0",
    ]);
    // nginx without http2 answers the cleartext preface with an HTTP/1.1 400.
    const { client } = session({ http2: true });
    const refused = await client.get(url("plain", "/h2-to-http1"));
    assert.match(
      describeFailure(refused.error!),
      /^ProtocolError: the server does not speak HTTP\/2 \(.*drop http2, or use https$/,
    );
    await client.close();
  });

  it("presents a client certificate to nginx with ssl_verify_client on", async () => {
    const { client } = session({ tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } });
    const res = await client.get(url("mtls", "/mtls"));
    assert.equal(res.text(), "client CN=cicada-user");
    await client.close();
    const anonymous = session({ tls: { ca: certs.ca } });
    const refused = await anonymous.client.get(url("mtls", "/mtls-anonymous"));
    assert.equal(describeFailure(refused.error!), "HTTPError: 400 Bad Request");
    await anonymous.client.close();
  });

  it("runs the CLI with HTTP_PROXY and NO_PROXY from the environment, and HTTP/2 and mTLS users", async () => {
    const dir = fixtureDir({
      "locustfile.ts": `
import { readFileSync } from "node:fs";
import { HttpUser, task, constant } from "cicada-load";
const file = (name: string) => readFileSync(\`\${process.env.CERTS}/\${name}\`);

export class ViaEnvironment extends HttpUser {
  fixedCount = 1;
  waitTime = constant(0.1);
  @task async both() {
    await this.client.get("http://127.0.0.1:${ports.plain}/via-env", { name: "proxied" });
    await this.client.get("http://localhost:${ports.plain}/direct", { name: "direct" });
  }
}
export class Http2User extends HttpUser {
  fixedCount = 1;
  waitTime = constant(0.1);
  http2 = true;
  tls = { ca: file("ca.pem") };
  @task async h2() { await this.client.get("https://127.0.0.1:${ports.h2}/cli-h2", { name: "h2" }); }
}
export class MutualTlsUser extends HttpUser {
  fixedCount = 1;
  waitTime = constant(0.1);
  tls = { ca: file("ca.pem"), cert: file("client.pem"), key: file("client.key") };
  @task async mtls() { await this.client.get("https://127.0.0.1:${ports.mtls}/cli-mtls", { name: "mtls" }); }
}
`,
    });
    const result = await runCli(
      [
        "-f",
        "locustfile.ts",
        "--headless",
        "-u",
        "3",
        "-r",
        "3",
        "-t",
        "2s",
        "--json-file",
        "report",
        "-H",
        "http://127.0.0.1",
      ],
      {
        cwd: dir,
        env: { HTTP_PROXY: proxy.url, NO_PROXY: "localhost", CERTS: join(certs.files.ca, "..") },
        timeoutMs: 30_000,
      },
    );
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as {
      entries: Array<{ name: string; numRequests: number; numFailures: number }>;
    };
    const rows = new Map(report.entries.map((entry) => [entry.name, entry]));
    for (const name of ["proxied", "direct", "h2", "mtls"]) {
      assert.ok((rows.get(name)?.numRequests ?? 0) > 3, `${name}: ${JSON.stringify(rows.get(name))}`);
      assert.equal(rows.get(name)!.numFailures, 0, name);
    }
    assert.ok(
      logged("/via-env").every((line) => line.includes("tinyproxy")),
      "proxied through HTTP_PROXY",
    );
    assert.ok(
      logged("/direct").every((line) => line.endsWith('"-"')),
      "NO_PROXY went direct",
    );
    assert.ok(logged("/cli-h2").every((line) => line.includes(" HTTP/2.0 ")));
    assert.ok(logged("/cli-mtls").every((line) => line.includes('"CN=cicada-user"')));
    assert.equal(
      logged("/via-env").length,
      rows.get("proxied")!.numRequests,
      "nginx counted what Cicada recorded",
    );
  });
});
