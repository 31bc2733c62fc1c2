/**
 * Node ids as Locust makes them: `<hostname>_<32 hex>`. A master treats what comes
 * before the first `_` as the machine, to spread users over machines first, so `_` is
 * removed from the hostname. The id is also the ZeroMQ routing id.
 */
import { randomBytes } from "node:crypto";

/** Prefix of the version string Cicada workers send in `client_ready` (a Locust master only logs it). */
export const CICADA_VERSION_PREFIX = "cicada-";

/** The version string a Cicada node puts on the wire for Cicada `version`. */
export function wireVersion(version: string): string {
  return `${CICADA_VERSION_PREFIX}${version}`;
}

/** The Cicada version inside a wire version string, or undefined for a Locust (Python) peer. */
export function cicadaVersionOf(wire: unknown): string | undefined {
  return typeof wire === "string" && wire.startsWith(CICADA_VERSION_PREFIX)
    ? wire.slice(CICADA_VERSION_PREFIX.length)
    : undefined;
}

function hostPart(hostname: string): string {
  return hostname.replaceAll("_", "") || "host";
}

/** A new worker node id for this machine. */
export function makeNodeId(hostname: string): string {
  return `${hostPart(hostname)}_${randomBytes(16).toString("hex")}`;
}

/** The throwaway id of a `-f -` locustfile request (Locust's form; a master never registers it). */
export function makeDownloadId(hostname: string): string {
  return `${hostPart(hostname)}_download_locustfile_${randomBytes(8).toString("hex")}`;
}

/** The machine part of a node id (before the first `_`). */
export function hostOfNodeId(nodeId: string): string {
  const i = nodeId.indexOf("_");
  return i < 0 ? nodeId : nodeId.slice(0, i);
}
