/**
 * Which proxy a request takes: the user's setting, else HTTP_PROXY / HTTPS_PROXY with
 * NO_PROXY as curl reads them. (Requests through a real proxy: test/e2e/http-client-servers.test.ts.)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { noProxyMatcher, parseProxyUrl, proxyResolver } from "../../../src/http/proxy.js";
import { describeFailure } from "../../../src/shared/request-event.js";
import { recordingSession, startSilentServer } from "./helpers.js";

describe("proxy selection", () => {
  it("reads NO_PROXY like curl: names and their subdomains, IPs, CIDR ranges, ports, *", () => {
    const bypass = noProxyMatcher(
      " example.com, .internal ,*.corp, 10.0.0.0/8  192.168.1.5,localhost:8080,[::1],fd00::/8",
    );
    const cases: Array<[string, number, boolean]> = [
      ["example.com", 80, true],
      ["api.example.com", 443, true],
      ["badexample.com", 80, false],
      ["db.internal", 80, true],
      ["x.corp", 80, true],
      ["10.1.2.3", 80, true],
      ["11.1.2.3", 80, false],
      ["192.168.1.5", 80, true],
      ["192.168.1.6", 80, false],
      ["localhost", 8080, true],
      ["localhost", 8081, false],
      ["::1", 80, true],
      ["[::1]", 80, true],
      ["fd00::5", 80, true],
      ["EXAMPLE.COM", 80, true],
    ];
    for (const [host, port, expected] of cases) assert.equal(bypass(host, port), expected, `${host}:${port}`);
    assert.equal(noProxyMatcher("*")("anything", 1), true);
    assert.equal(noProxyMatcher("")("anything", 1), false);
  });

  it("takes the user's proxy first, then the scheme's variable, lower case before upper case", () => {
    const env = {
      http_proxy: "http://lower:3128",
      HTTP_PROXY: "http://upper:3128",
      HTTPS_PROXY: "proxy.example:8443",
      NO_PROXY: "skip.example",
    };
    const fromEnv = proxyResolver(undefined, env);
    assert.equal(fromEnv("http://a.example")?.url, "http://lower:3128");
    assert.equal(fromEnv("https://a.example")?.url, "http://proxy.example:8443");
    assert.equal(fromEnv("https://skip.example"), undefined);
    assert.equal(proxyResolver(undefined, env), fromEnv, "parsed once per environment");
    const own = proxyResolver("http://user:p%40ss@own:8080", env);
    const route = own("https://skip.example");
    assert.equal(route?.url, "http://own:8080");
    assert.equal(route?.authorization, `Basic ${Buffer.from("user:p@ss").toString("base64")}`);
    assert.equal(proxyResolver(false, env)("http://a.example"), undefined);
    assert.equal(proxyResolver(undefined, undefined)("http://a.example"), undefined);
    assert.equal(proxyResolver(undefined, { PATH: "/bin" })("http://a.example"), undefined);
  });

  it("says clearly what is wrong with a proxy URL", () => {
    assert.throws(
      () => parseProxyUrl("socks5://p:1080", "the proxy setting"),
      /unsupported proxy URL "socks5:\/\/p:1080" in the proxy setting: only http:\/\/ proxies/,
    );
    assert.throws(
      () => parseProxyUrl("http://[bad", "HTTP_PROXY"),
      /invalid proxy URL "http:\/\/\[bad" in HTTP_PROXY/,
    );
    assert.deepEqual(parseProxyUrl("127.0.0.1:3128", "HTTP_PROXY"), {
      url: "http://127.0.0.1:3128",
      hostname: "127.0.0.1",
      port: 3128,
      authorization: undefined,
    });
  });

  it("gives up on a proxy that never answers CONNECT within the connection timeout", async () => {
    const silent = await startSilentServer();
    const { session, events } = recordingSession({
      proxy: `http://127.0.0.1:${silent.port}`,
      connectionTimeoutMs: 200,
    });
    const res = await session.get("https://127.0.0.1:1/x");
    assert.equal(
      describeFailure(res.error!),
      "ConnectTimeout: could not connect to 127.0.0.1:1 within 200 ms",
    );
    assert.ok(res.timing.totalMs >= 150 && res.timing.totalMs < 5000, `${res.timing.totalMs} ms`);
    assert.equal(events.length, 1);
    await session.close();
    await silent.close();
  });
});
