/** The --web-base-path rule, in its own module so the CLI can check it without loading Fastify. */

/** Checks and normalises --web-base-path: "" or "/a/b" (no trailing slash). */
export function normaliseBasePath(raw: string | undefined): string {
  if (raw === undefined || raw === "" || raw === "/") return "";
  const trimmed = raw.replace(/\/+$/, "");
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(trimmed)) {
    throw new RangeError(
      `the base path must look like /cicada or /team/load (letters, digits, . _ ~ -), got '${raw}'`,
    );
  }
  return trimmed;
}
