/**
 * The bytes of an HTTP/1.1 request head. Through a proxy, plain http names the whole URL
 * on the request line (absolute form) and carries the proxy's credentials.
 */
import type { OutgoingRequest } from "./channel.js";
import type { Endpoint } from "./dial.js";

/**
 * `METHOD target HTTP/1.1`, host, the request's headers and, when `contentLength` ≥ 0,
 * its length. The target is the path, or the whole URL when talking to a proxy.
 */
export function buildHead(endpoint: Endpoint, request: OutgoingRequest, contentLength: number): string {
  const list = request.headerList;
  const proxy = endpoint.secure ? undefined : endpoint.proxy;
  const target = proxy === undefined ? request.path : endpoint.origin + request.path;
  let head = `${request.method} ${target} HTTP/1.1\r\n`;
  let hasHost = false;
  if (list !== undefined) {
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i]!;
      // The connection frames the body itself.
      if (name === "content-length" || name === "transfer-encoding") continue;
      if (name === "host") hasHost = true;
      head += `${name}: ${list[i + 1]}\r\n`;
    }
  }
  if (!hasHost) head = `${head}host: ${endpoint.hostHeader}\r\n`;
  if (proxy?.authorization !== undefined) head += `proxy-authorization: ${proxy.authorization}\r\n`;
  if (contentLength >= 0) head += `content-length: ${contentLength}\r\n`;
  return `${head}\r\n`;
}
