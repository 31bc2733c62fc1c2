/**
 * Real programs users put between Cicada and their service, started by the tests on
 * free 127.0.0.1 ports, each in its own temporary directory, stopped by PID:
 * Debian's tinyproxy (an HTTP proxy) and nginx (HTTP/2, TLS, mutual TLS).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";

export { freePort };

/** Resolves once 127.0.0.1:port accepts a connection; rejects after `timeoutMs` or if `child` exits. */
async function waitForPort(port: number, child: ChildProcess, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    if (performance.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Started {
  dir: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `command` in `dir` (removed on stop), bounded by `maxMs`, and waits for its ports. */
async function startProgram(
  command: string,
  args: string[],
  dir: string,
  ports: number[],
  maxMs = 120_000,
): Promise<Started> {
  const child = spawn(command, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (data: Buffer) => {
    output += data.toString();
  });
  child.stderr!.on("data", (data: Buffer) => {
    output += data.toString();
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const killer = setTimeout(() => child.kill("SIGKILL"), maxMs);
  const stop = async () => {
    clearTimeout(killer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const hard = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(hard);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) await waitForPort(port, child);
  } catch (error) {
    await stop();
    throw new Error(`${command} did not start: ${(error as Error).message}\n${output}`);
  }
  return { dir, child, output: () => output, stop };
}

export interface Tinyproxy {
  url: string;
  /** Its log: one line per connection and request ("Request (file descriptor 4): CONNECT ..."). */
  log(): string;
  stop(): Promise<void>;
}

/** tinyproxy on a free port, allowing 127.0.0.1 only; with `basicAuth`, it asks for those credentials. */
export async function startTinyproxy(options: { basicAuth?: [string, string] } = {}): Promise<Tinyproxy> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "cicada-tinyproxy-"));
  const config = [
    `Port ${port}`,
    "Listen 127.0.0.1",
    "Timeout 30",
    "MaxClients 100",
    "Allow 127.0.0.1",
    "LogLevel Connect",
    'ViaProxyName "tinyproxy"',
    // No ConnectPort line: CONNECT to any port (the test servers' ports are random).
    ...(options.basicAuth ? [`BasicAuth ${options.basicAuth[0]} ${options.basicAuth[1]}`] : []),
  ];
  writeFileSync(join(dir, "tinyproxy.conf"), `${config.join("\n")}\n`);
  const started = await startProgram("tinyproxy", ["-d", "-c", join(dir, "tinyproxy.conf")], dir, [port]);
  return { url: `http://127.0.0.1:${port}`, log: started.output, stop: started.stop };
}

export interface Nginx {
  /** The access log: `port protocol uri status client-DN via`, one line per request. */
  accessLog(): string[];
  stop(): Promise<void>;
}

/** The nginx version, e.g. [1, 22, 1]. */
function nginxVersion(): number[] {
  const { stderr } = spawnSync("nginx", ["-v"], { encoding: "utf8", timeout: 5000 });
  return (/nginx\/(\d+)\.(\d+)\.(\d+)/.exec(stderr ?? "") ?? ["", "0", "0", "0"]).slice(1).map(Number);
}

/**
 * The `listen` line of an HTTP/2 server: nginx before 1.25.1 takes `http2` as a listen
 * parameter (1.22 in Debian 12); later ones want `http2 on;` in the server block.
 */
export function http2Listen(port: number, ssl: boolean): string {
  const [major = 0, minor = 0, patch = 0] = nginxVersion();
  const modern = major > 1 || (major === 1 && (minor > 25 || (minor === 25 && patch >= 1)));
  const listen = `listen 127.0.0.1:${port}${ssl ? " ssl" : ""}`;
  return modern ? `${listen}; http2 on;` : `${listen} http2;`;
}

/** nginx (one process, no daemon) with the given `server { ... }` blocks, waiting on `ports`. */
export async function startNginx(servers: string, ports: number[]): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), "cicada-nginx-"));
  const path = (name: string) => join(dir, name);
  const config = `daemon off;
master_process off;
worker_processes 1;
pid ${path("nginx.pid")};
error_log ${path("error.log")} error;
events { worker_connections 1024; }
http {
  log_format cicada '$server_port $server_protocol $request_uri $status "$ssl_client_s_dn" "$http_via"';
  access_log ${path("access.log")} cicada;
  client_body_temp_path ${path("body")};
  proxy_temp_path ${path("proxy")};
  fastcgi_temp_path ${path("fastcgi")};
  uwsgi_temp_path ${path("uwsgi")};
  scgi_temp_path ${path("scgi")};
  default_type text/plain;
${servers}
}
`;
  writeFileSync(path("nginx.conf"), config);
  const started = await startProgram(
    "nginx",
    ["-c", path("nginx.conf"), "-p", dir, "-e", path("error.log")],
    dir,
    ports,
  );
  return {
    accessLog: () => {
      const file = path("access.log");
      return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
    },
    stop: started.stop,
  };
}
