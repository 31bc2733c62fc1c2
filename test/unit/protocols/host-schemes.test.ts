import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTargetUrl, joinToBase, toHttpScheme, toWebSocketScheme } from "../../../src/shared/url.js";
import {
  acceptsHost,
  BrowserUser,
  GrpcUser,
  HttpUser,
  needsHost,
  User,
  WebSocketUser,
} from "../../../src/user/index.js";

class Plain extends User {}
class Web extends HttpUser {}
class Socket extends WebSocketUser {}
class Rpc extends GrpcUser {}
class Page extends BrowserUser {}

describe("hosts per kind of user", () => {
  it("each kind accepts the schemes it can test", () => {
    const table = [
      ["http://h:1", [Plain, Web, Socket, Rpc, Page]],
      ["wss://h:1/x", [Plain, Web, Socket]],
      ["grpc://h:50051", [Plain, Rpc]],
      ["grpcs://h", [Plain, Rpc]],
      ["ftp://h", []],
      ["localhost:8080", []],
    ] as const;
    for (const [url, accepting] of table) {
      for (const cls of [Plain, Web, Socket, Rpc, Page]) {
        assert.equal(
          acceptsHost(cls, url),
          (accepting as readonly Function[]).includes(cls),
          `${cls.name} ${url}`,
        );
      }
    }
    assert.deepEqual([Plain, Web, Socket, Rpc, Page].map(needsHost), [false, true, true, true, true]);
  });

  it("maps schemes and joins paths as the HTTP client does", () => {
    assert.equal(isTargetUrl("grpc://127.0.0.1:50051"), true);
    assert.equal(isTargetUrl("mailto:a@b"), false);
    assert.equal(toHttpScheme("wss://h/x"), "https://h/x");
    assert.equal(toHttpScheme("grpc://h:1"), "http://h:1");
    assert.equal(toWebSocketScheme("HTTPS://h/x"), "wss://h/x");
    assert.equal(toWebSocketScheme("ws://h"), "ws://h");
    assert.equal(joinToBase("http://u:p@h:8/api/", "/live"), "http://u:p@h:8/api/live");
    assert.equal(joinToBase("http://h", "live"), "http://h/live");
    assert.equal(joinToBase(undefined, "wss://other/x"), "wss://other/x");
    assert.throws(() => joinToBase(undefined, "/x"), /no host is set/);
  });
});
