/**
 * Which host URLs each kind of user can test: HttpUser (and WebSocketUser, which is one)
 * http(s) and ws(s) (the same server); GrpcUser grpc(s) and http(s); BrowserUser http(s);
 * a plain User any of them (it makes its own calls).
 */
import { BrowserUser } from "./browser-user.js";
import { GrpcUser } from "./grpc-user.js";
import { HttpUser } from "./http-user.js";

const schemes = {
  http: ["http:", "https:", "ws:", "wss:"],
  grpc: ["grpc:", "grpcs:", "http:", "https:"],
  browser: ["http:", "https:"],
  any: ["http:", "https:", "ws:", "wss:", "grpc:", "grpcs:"],
} as const;

/** The URL schemes (`"http:"`, ...) a user class accepts as its host. */
export function hostSchemesOf(cls: Function): readonly string[] {
  const prototype = cls.prototype as object;
  if (prototype instanceof GrpcUser) return schemes.grpc;
  if (prototype instanceof BrowserUser) return schemes.browser;
  if (prototype instanceof HttpUser) return schemes.http;
  return schemes.any;
}

/** A host the class accepts, for hints: `grpc://127.0.0.1:50051` for a GrpcUser, else an http one. */
export function exampleHostOf(cls: Function): string {
  return (cls.prototype as object) instanceof GrpcUser ? "grpc://127.0.0.1:50051" : "http://127.0.0.1:8080";
}

/** True when the class makes requests to a host (so a run without one cannot start). */
export function needsHost(cls: Function): boolean {
  const prototype = cls.prototype as object;
  return prototype instanceof HttpUser || prototype instanceof GrpcUser || prototype instanceof BrowserUser;
}

/** True when `url` is an absolute URL whose scheme the class accepts. */
export function acceptsHost(cls: Function, url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.hostname !== "" && hostSchemesOf(cls).includes(parsed.protocol);
  } catch {
    return false;
  }
}
