// Hostile requests to the web UI: one `cicada` serving its UI on a free port, shared by
// the cases, each sending one request a browser or script might send by mistake or on
// purpose. The UI must answer with a clear 4xx and keep working.
import { request as httpRequest } from "node:http";
import { cicada, locustfile, project, waitForOutput } from "./harness.mjs";

let ui;

/** Starts the shared UI once; `stop` ends it (Ctrl-C) and reports whether it exited cleanly. */
function sharedUi() {
  ui ??= (async () => {
    const { dir, cleanup } = project({ "locustfile.ts": locustfile("http://127.0.0.1:1") });
    let child;
    let output = () => "";
    const exited = cicada(["-P", "0"], {
      cwd: dir,
      timeoutMs: 120_000,
      during: (c, o) => {
        child = c;
        output = o;
      },
    });
    await waitForOutput(() => output(), /Starting web interface at (\S+)/);
    const url = /Starting web interface at (\S+)/.exec(output())?.[1];
    return { url, child, exited, cleanup };
  })();
  return ui;
}

/** One request with node:http (fetch would not send a Host header of its own), at most 5 s. */
async function request(path, init = {}) {
  const { url } = await sharedUi();
  const target = new URL(path, url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: init.method ?? "GET",
        headers: init.headers ?? {},
        timeout: 5000,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer within 5 s")));
    req.on("error", reject);
    req.end(init.body);
  });
}

const json = (body) => ({ method: "POST", headers: { "content-type": "application/json" }, body });
const form = (body) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body,
});

const CASES = [
  [
    "JSON nested 20,000 levels",
    "/swarm",
    json(`{"user_count":${"[".repeat(20000)}${"]".repeat(20000)}}`),
    [400],
  ],
  ["a 1 MB body", "/swarm", json(`{"x":"${"a".repeat(1 << 20)}"}`), [413]],
  ["user_count=1e308", "/swarm", form("user_count=1e308&spawn_rate=1"), [400]],
  ["spawn_rate=NaN", "/swarm", form("user_count=1&spawn_rate=NaN"), [400]],
  [
    "run_time=9 followed by 400 nines",
    "/swarm",
    form(`user_count=1&spawn_rate=1&run_time=${"9".repeat(400)}`),
    [400],
  ],
  [
    "a cross-site POST",
    "/swarm",
    { ...form("user_count=1&spawn_rate=1"), headers: { ...form("").headers, origin: "http://evil.example" } },
    [403],
  ],
  ["a foreign Host header", "/", { headers: { host: "evil.example" } }, [421]],
  ["a path out of the UI's folder", "/assets/..%2f..%2f..%2fpackage.json", {}, [404, 400]],
  ["malformed percent-encoding", "/stats/requests?%zz=1", {}, [200, 400]],
  ["an unknown endpoint", "/no/such/thing", {}, [404]],
  [
    "a wrong content type",
    "/swarm",
    { method: "POST", headers: { "content-type": "text/xml" }, body: "<x/>" },
    [415, 400],
  ],
];

export function webCases() {
  const cases = CASES.map(([name, path, init, statuses]) => ({
    group: "hostile web requests",
    name,
    run: async () => {
      const { status } = await request(path, init);
      return statuses.includes(status) ? undefined : `answered ${status} (expected ${statuses.join(" or ")})`;
    },
  }));
  cases.push({
    group: "hostile web requests",
    name: "…and the UI still works, then ends cleanly on Ctrl-C",
    run: async () => {
      const { status } = await request("/stats/requests");
      const { child, exited, cleanup } = await sharedUi();
      child.kill("SIGINT");
      const result = await exited;
      cleanup();
      if (status !== 200) return `GET /stats/requests answered ${status}`;
      return result.code === 0 ? undefined : `exit ${result.code}`;
    },
  });
  return cases;
}
