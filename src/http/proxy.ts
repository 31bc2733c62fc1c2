/**
 * Which proxy, if any, a request goes through: the user's `proxy` setting, else the
 * standard environment variables as curl and undici read them (`https_proxy` /
 * `HTTPS_PROXY` for https URLs, `http_proxy` / `HTTP_PROXY` for http, the lower-case
 * name first, and `no_proxy` / `NO_PROXY` for the hosts that go direct). Plain http goes
 * to the proxy in absolute form (`GET http://host/path`); https and HTTP/2 go through a
 * CONNECT tunnel.
 */
import { BlockList, isIP } from "node:net";
import { basicAuthorization } from "./url.js";

/** A proxy a request goes through. */
export interface ProxyRoute {
  /** `http://host:port` of the proxy, for messages. */
  readonly url: string;
  readonly hostname: string;
  readonly port: number;
  /** `Basic ...` from the proxy URL's credentials, sent as Proxy-Authorization. */
  readonly authorization: string | undefined;
}

/** The environment variables that matter (names as the user set them). */
export type ProxyEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Parses a proxy URL: `http://[user:password@]host[:port]` (a URL without a scheme is
 * taken as http://). Throws a clear `Error` for anything else.
 */
export function parseProxyUrl(text: string, source: string): ProxyRoute {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`invalid proxy URL ${JSON.stringify(text)} in ${source}: expected http://host:port`);
  }
  if (url.protocol !== "http:") {
    throw new Error(
      `unsupported proxy URL ${JSON.stringify(text)} in ${source}: only http:// proxies are supported ` +
        "(https targets still get end-to-end TLS through their CONNECT tunnel)",
    );
  }
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return {
    url: `http://${url.host}`,
    hostname,
    port: url.port === "" ? 80 : Number(url.port),
    authorization:
      url.username || url.password
        ? basicAuthorization(decodeURIComponent(url.username), decodeURIComponent(url.password))
        : undefined,
  };
}

/** Picks the proxy of each origin for one session; `undefined` means go direct. */
export type ProxyResolver = (origin: string) => ProxyRoute | undefined;

/**
 * The resolver for a session: `proxy` (a URL, or false for never) wins over the
 * environment. Parsed once per distinct setting and environment, not per user.
 */
export function proxyResolver(
  proxy: string | false | undefined,
  env: ProxyEnvironment | undefined,
): ProxyResolver {
  if (proxy === false) return direct;
  if (proxy !== undefined) {
    const route = parseProxyUrl(proxy, "the proxy setting");
    return () => route;
  }
  if (env === undefined) return direct;
  let resolver = fromEnvironment.get(env);
  if (resolver === undefined) {
    resolver = environmentResolver(env);
    fromEnvironment.set(env, resolver);
  }
  return resolver;
}

const direct: ProxyResolver = () => undefined;
const fromEnvironment = new WeakMap<ProxyEnvironment, ProxyResolver>();

function environmentResolver(env: ProxyEnvironment): ProxyResolver {
  const read = (name: string) => {
    const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  const httpText = read("http_proxy");
  const httpsText = read("https_proxy");
  if (httpText === undefined && httpsText === undefined) return direct;
  const http = httpText === undefined ? undefined : parseProxyUrl(httpText, "HTTP_PROXY");
  const https = httpsText === undefined ? undefined : parseProxyUrl(httpsText, "HTTPS_PROXY");
  const bypass = noProxyMatcher(read("no_proxy") ?? "");
  return (origin) => {
    const url = new URL(origin);
    const route = url.protocol === "https:" ? https : http;
    if (route === undefined) return undefined;
    const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
    return bypass(url.hostname, port) ? undefined : route;
  };
}

/**
 * NO_PROXY as curl reads it: a comma- or space-separated list of host names (a name also
 * covers its subdomains; a leading `.` or `*.` is allowed), IP addresses, CIDR ranges
 * (`10.0.0.0/8`), each with an optional `:port`, or `*` for every host.
 */
export function noProxyMatcher(text: string): (hostname: string, port: number) => boolean {
  const entries = text
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== "");
  if (entries.includes("*")) return () => true;
  const names: Array<{ name: string; port: number | undefined }> = [];
  const ranges = new BlockList();
  const rangePorts: Array<{ list: BlockList; port: number | undefined }> = [];
  for (const entry of entries) {
    const { host, port } = splitHostPort(entry);
    if (host.includes("/")) {
      const [address = "", prefix = ""] = host.split("/");
      const family = isIP(address);
      if (family === 0 || !/^\d+$/.test(prefix)) continue;
      const list = port === undefined ? ranges : new BlockList();
      list.addSubnet(address, Number(prefix), family === 6 ? "ipv6" : "ipv4");
      if (port !== undefined) rangePorts.push({ list, port });
    } else {
      names.push({ name: host.replace(/^\*?\./, ""), port });
    }
  }
  return (hostname, port) => {
    const host = (hostname.startsWith("[") ? hostname.slice(1, -1) : hostname).toLowerCase();
    for (const { name, port: only } of names) {
      if (only !== undefined && only !== port) continue;
      if (host === name || host.endsWith(`.${name}`)) return true;
    }
    const family = isIP(host);
    if (family === 0) return false;
    const type = family === 6 ? "ipv6" : "ipv4";
    if (ranges.check(host, type)) return true;
    return rangePorts.some(({ list, port: only }) => only === port && list.check(host, type));
  };
}

/** "host:port", "[v6]:port", a bare IPv6 address or a host without a port. */
function splitHostPort(entry: string): { host: string; port: number | undefined } {
  if (entry.startsWith("[")) {
    const close = entry.indexOf("]");
    const port = entry.slice(close + 1).match(/^:(\d+)$/)?.[1];
    return { host: entry.slice(1, close), port: port === undefined ? undefined : Number(port) };
  }
  if (isIP(entry.split("/")[0] ?? "") === 6) return { host: entry, port: undefined };
  const match = /^(.*):(\d+)$/.exec(entry);
  return match ? { host: match[1]!, port: Number(match[2]) } : { host: entry, port: undefined };
}
