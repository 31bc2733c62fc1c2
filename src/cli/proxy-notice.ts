/**
 * Says at start when the environment's HTTP_PROXY / HTTPS_PROXY send the test's requests
 * through a proxy. Users inherit them (as curl does), and a proxy between Cicada and the
 * target changes what is measured: its own latency and limits, and its answers (a 502 or
 * 503 of the proxy's counts as the target's). A user who set the variable for something
 * else should not find out from the failures table.
 */
import { proxyResolver } from "../http/index.js";
import type { Environment } from "../runner/index.js";

/** One line per host whose requests go through a proxy from the environment (none: direct). */
export function proxyNotices(environment: Environment): string[] {
  const env = environment.env;
  if (env === undefined) return [];
  const hosts = new Set<string>();
  if (environment.host !== undefined) hosts.add(environment.host);
  else for (const info of environment.activeUserClassInfos) if (info.host) hosts.add(info.host);
  let resolve: ReturnType<typeof proxyResolver>;
  try {
    resolve = proxyResolver(undefined, env);
  } catch {
    // A malformed variable: each request reports it, as its own failure.
    return [];
  }
  const notices: string[] = [];
  for (const host of hosts) {
    let route: ReturnType<typeof resolve>;
    try {
      route = resolve(new URL(host).origin);
    } catch {
      continue;
    }
    if (route === undefined) continue;
    // The name as set: the lower-case one wins when both are (as curl reads them).
    const name = host.startsWith("https:") ? "https_proxy" : "http_proxy";
    const variable = (env[name] ?? "").trim() !== "" ? name : name.toUpperCase();
    notices.push(
      `Requests to ${host} go through the proxy ${route.url} (${variable} in the environment; ` +
        "a user class's proxy setting wins, and NO_PROXY or proxy = false goes direct)",
    );
  }
  return notices;
}
