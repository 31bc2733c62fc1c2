/**
 * The start-up line that says the environment's proxy variables route the test's requests
 * through a proxy (a trial's tinyproxy answers were counted as the target's failures, and
 * nothing said a proxy was in the way).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { proxyNotices } from "../../../src/cli/proxy-notice.js";
import { Environment } from "../../../src/runner/index.js";
import { HttpUser, task } from "../../../src/user/index.js";

class Shop extends HttpUser {
  override host = "https://shop.example:8443";
  @task browse() {}
}

describe("proxyNotices", () => {
  it("names the host, the proxy (never its credentials) and the variable it came from", () => {
    const environment = new Environment({
      userClasses: [Shop],
      host: "http://127.0.0.1:8080",
      env: { http_proxy: "http://user:secret@127.0.0.1:3128" },
    });
    assert.deepEqual(proxyNotices(environment), [
      "Requests to http://127.0.0.1:8080 go through the proxy http://127.0.0.1:3128 (http_proxy in the environment; a user class's proxy setting wins, and NO_PROXY or proxy = false goes direct)",
    ]);
  });

  it("reads the classes' hosts without -H, and says nothing for a host NO_PROXY exempts or with no proxy set", () => {
    const proxied = new Environment({ userClasses: [Shop], env: { HTTPS_PROXY: "127.0.0.1:3128" } });
    assert.match(
      proxyNotices(proxied)[0] ?? "",
      /^Requests to https:\/\/shop\.example:8443 go through the proxy http:\/\/127\.0\.0\.1:3128 \(HTTPS_PROXY/,
    );
    const exempt = new Environment({
      userClasses: [Shop],
      env: { HTTPS_PROXY: "127.0.0.1:3128", NO_PROXY: "shop.example" },
    });
    assert.deepEqual(proxyNotices(exempt), []);
    assert.deepEqual(proxyNotices(new Environment({ userClasses: [Shop], env: {} })), []);
  });
});
