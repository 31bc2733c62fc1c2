// The fixed target: Debian's nginx with its own configuration in a temporary directory,
// one process (master_process off), pinned to one core, listening on 127.0.0.1 only.
//   /hello    a 12-byte body, answered at once
//   /sleep50  answered after 50 ms by the echo module's non-blocking echo_sleep
// The same locations are served in HTTP/1.1 on one port and in cleartext HTTP/2 (prior
// knowledge, as h2load speaks it to http:// URLs) on another.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, waitForHttp } from "./net.mjs";
import { startPinned } from "./processes.mjs";

/** Where Debian's libnginx-mod-http-echo puts the module. */
export const ECHO_MODULE = "/usr/lib/nginx/modules/ngx_http_echo_module.so";

/** nginx before 1.25.1 (Debian 12 has 1.22) takes `http2` on the listen line; later ones `http2 on;`. */
function http2Listen(port, version) {
  const [major, minor, patch] = version.split(".").map(Number);
  const modern = major > 1 || (major === 1 && (minor > 25 || (minor === 25 && patch >= 1)));
  return modern
    ? `listen 127.0.0.1:${port} backlog=16384; http2 on;`
    : `listen 127.0.0.1:${port} http2 backlog=16384;`;
}

function nginxVersion() {
  const { stderr } = spawnSync("nginx", ["-v"], { encoding: "utf8", timeout: 10_000 });
  return /nginx\/(\d+\.\d+\.\d+)/.exec(stderr ?? "")?.[1] ?? "1.22.0";
}

function config(dir, port, h2Port) {
  const temp = (name) => join(dir, name);
  return `# Written by Cicada's bench/run.mjs; removed with its temporary directory.
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 40000;
pid ${temp("nginx.pid")};
error_log ${temp("error.log")} error;
load_module ${ECHO_MODULE};

events {
  worker_connections 30000;
  use epoll;
  multi_accept on;
}

http {
  access_log off;
  client_body_temp_path ${temp("body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};
  # Every generator keeps its connections open for the whole run.
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:${port} backlog=16384;
${LOCATIONS}
  }
  server {
    ${http2Listen(h2Port, nginxVersion())}
${LOCATIONS}
  }
}
`;
}

const LOCATIONS = `    location = /hello {
      default_type text/plain;
      return 200 "hello world\\n";
    }
    location = /sleep50 {
      default_type text/plain;
      echo_sleep 0.05;
      echo "hello world";
    }`;

/** Starts nginx pinned to `core`; resolves once it answers, with its origin and a stop function. */
export async function startNginx({ core, dir }) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const h2Port = await freePort();
  const file = join(dir, "nginx.conf");
  writeFileSync(file, config(dir, port, h2Port));
  const handle = startPinned({
    command: "nginx",
    args: ["-c", file, "-p", dir, "-e", join(dir, "error.log")],
    core,
    cwd: dir,
    timeoutMs: 6 * 3600_000,
  });
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${origin}/hello`, 5000, handle.done);
  } catch (error) {
    handle.signal("SIGKILL");
    const result = await handle.done;
    const logFile = join(dir, "error.log");
    const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
    throw new Error(`nginx did not start: ${error.message}\n${result.stderr}${log}`);
  }
  return {
    origin,
    /** The same locations in cleartext HTTP/2 (prior knowledge). */
    h2Origin: `http://127.0.0.1:${h2Port}`,
    pid: handle.pid,
    async stop() {
      handle.signal("SIGQUIT");
      const timer = setTimeout(() => handle.signal("SIGKILL"), 3000);
      await handle.done;
      clearTimeout(timer);
    },
  };
}
