import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { recordingSession, startServer, type TestServer } from "./helpers.js";

/** A tiny Django-like site: a session cookie on login, a CSRF token required on unsafe methods. */
function djangoLike(req: IncomingMessage, res: ServerResponse): void {
  const cookies = parseCookies(req.headers.cookie);
  const url = req.url ?? "/";
  if (req.method === "GET" && url === "/form") {
    res.writeHead(200, { "set-cookie": "csrftoken=tok123; Path=/; SameSite=Lax" });
    res.end("form");
    return;
  }
  if (req.method === "GET" && url === "/login") {
    res.writeHead(200, { "set-cookie": "sessionid=abc; Path=/; HttpOnly" });
    res.end("logged in");
    return;
  }
  if (req.method === "GET" && url === "/whoami") {
    res.end(cookies.sessionid === "abc" ? "user" : "anonymous");
    return;
  }
  const header = req.headers["x-csrftoken"];
  const secure = "encrypted" in req.socket;
  const refererOk = !secure || req.headers.referer === `https://${req.headers.host}/`;
  if (header === undefined || header !== cookies.csrftoken || !refererOk) {
    res.writeHead(403, "Forbidden");
    res.end("CSRF verification failed");
    return;
  }
  res.end("accepted");
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name) out[name] = rest.join("=");
  }
  return out;
}

describe("HttpSession cookies and CSRF", () => {
  let server: TestServer;
  let secure: TestServer;

  before(async () => {
    server = await startServer(djangoLike);
    secure = await startServer(djangoLike, true);
  });
  after(async () => {
    await server.close();
    await secure.close();
  });

  it("keeps cookies within a session and never shares them with another session", async () => {
    const a = recordingSession({ baseUrl: server.url });
    const b = recordingSession({ baseUrl: server.url });
    assert.equal(a.session.cookies.count, 0);
    await a.session.get("/login");
    assert.equal((await a.session.get("/whoami")).text(), "user");
    assert.equal((await b.session.get("/whoami")).text(), "anonymous");
    assert.equal(a.session.cookies.get("sessionid"), "abc");
    assert.equal(a.session.cookies.count, 1);
    assert.equal(b.session.cookies.get("sessionid"), undefined);
    assert.equal(b.session.cookies.count, 0);
    await a.session.close();
    await b.session.close();
  });

  it("sends no Cookie header while the jar is empty, and clears on demand", async () => {
    const { session } = recordingSession({ baseUrl: server.url });
    await session.get("/whoami");
    assert.equal(server.seen.at(-1)!.headers.cookie, undefined);
    await session.get("/login");
    await session.get("/whoami");
    assert.equal(server.seen.at(-1)!.headers.cookie, "sessionid=abc");
    session.cookies.clear();
    assert.equal(session.cookies.count, 0);
    assert.equal((await session.get("/whoami")).text(), "anonymous");
    await session.close();
  });

  it("lets the user set cookies, merged with a Cookie header they send", async () => {
    const { session } = recordingSession({ baseUrl: server.url });
    session.cookies.set("sessionid=abc; Path=/");
    assert.equal((await session.get("/whoami")).text(), "user");
    await session.get("/whoami", { headers: { Cookie: "extra=1" } });
    assert.equal(server.seen.at(-1)!.headers.cookie, "extra=1; sessionid=abc");
    session.cookies.set("other=2", `${server.url}/elsewhere`);
    assert.equal(session.cookies.get("other", `${server.url}/elsewhere`), "2");
    await session.close();
  });

  it("without csrf, unsafe requests are rejected by a Django-like server", async () => {
    const { session } = recordingSession({ baseUrl: server.url });
    await session.get("/form");
    const res = await session.post("/submit", { form: { a: "1" } });
    assert.equal(res.status, 403);
    await session.close();
  });

  it("with csrf, unsafe methods carry X-CSRFToken from the csrftoken cookie", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url, csrf: true });
    await session.get("/form");
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const res = await session.request(method, "/submit", { form: { a: "1" } });
      assert.equal(res.status, 200, `${method} should pass the CSRF check`);
      assert.equal(res.text(), "accepted");
    }
    await session.get("/whoami");
    assert.equal(server.seen.at(-1)!.headers["x-csrftoken"], undefined, "safe methods carry no token");
    assert.equal(
      events.filter((e) => e.exception !== null).length,
      0,
      "every request succeeded with the token sent",
    );
    await session.close();
  });

  it("keeps a CSRF header the request sets itself, and honours custom names", async () => {
    const { session } = recordingSession({ baseUrl: server.url, csrf: true });
    await session.get("/form");
    const res = await session.post("/submit", { headers: { "X-CSRFToken": "wrong" } });
    assert.equal(res.status, 403);
    const custom = recordingSession({
      baseUrl: server.url,
      csrf: { cookieName: "sessionid", headerName: "X-Custom-Token" },
    });
    await custom.session.get("/login");
    await custom.session.post("/submit");
    assert.equal(server.seen.at(-1)!.headers["x-custom-token"], "abc");
    await session.close();
    await custom.session.close();
  });

  it("adds the Referer Django checks on HTTPS", async () => {
    const { session } = recordingSession({ baseUrl: secure.url, csrf: true, insecure: true });
    await session.get("/form");
    const res = await session.post("/submit", { json: {} });
    assert.equal(res.status, 200);
    assert.equal(secure.seen.at(-1)!.headers.referer, `${secure.url}/`);
    await session.close();
  });
});
