/**
 * What a Locust user types out of habit and Cicada does not read: Locust's old or Locust-only
 * flags (each gets Cicada's way of doing the same as its hint), and LOCUST_* variables or a
 * locust.conf, which would otherwise be ignored without a word (LOCUST_HEADLESS=true then
 * opens the web UI and waits).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Logger } from "../shared/logger.js";
import { envName, longName, OPTION_TABLE } from "./option-table.js";

/** Locust's flags that Cicada does not take, with what does the same here. */
const LOCUST_ONLY_FLAGS: Record<string, string> = {
  "--hatch-rate": "Locust renamed --hatch-rate to --spawn-rate in 1.0: use -r / --spawn-rate",
  "-c": "-c was Locust's old --clients: use -u / --users",
  "--clients": "--clients was Locust's old name of --users: use -u / --users",
  "--no-web": "Locust renamed --no-web to --headless in 1.0: use --headless",
  "--step-load":
    "Locust 2 removed step load: write a LoadTestShape (docs/api.md), or ramp an --arrival-rate A:B --ramp D",
  "--step-users": "Locust 2 removed step load: write a LoadTestShape (docs/api.md)",
  "--step-time": "Locust 2 removed step load: write a LoadTestShape (docs/api.md)",
  "--print-stats":
    "a headless run prints the stats table every 2 s already (--only-summary: at the end only)",
  "--skip-log-setup": "Cicada installs no logging of its own into your code: leave it out",
};

/** The hint for an unknown flag that is Locust's, else undefined. */
export function locustFlagHint(flag: string): string | undefined {
  return LOCUST_ONLY_FLAGS[flag.split("=")[0] ?? flag];
}

/**
 * Warns once for each LOCUST_* variable whose Cicada counterpart is an option, and for a
 * locust.conf in the current folder beside no cicada.conf: Cicada reads neither, unless
 * the locust.conf is the file given with --config or CICADA_CONFIG (`explicitConfig`).
 */
export function warnAboutLocustSettings(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  logger: Logger,
  explicitConfig: string | undefined = undefined,
): void {
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith("LOCUST_")) continue;
    const cicadaName = `CICADA_${name.slice("LOCUST_".length)}`;
    const option = OPTION_TABLE.find((spec) => envName(spec) === cicadaName);
    if (option === undefined) continue;
    logger.warning(
      `${name} is set, but Cicada reads ${cicadaName} (--${longName(option)}), not LOCUST_* variables: it is ignored`,
    );
  }
  const locustConf = join(cwd, "locust.conf");
  const given = explicitConfig !== undefined && resolve(cwd, explicitConfig) === locustConf;
  if (!given && existsSync(locustConf) && !existsSync(join(cwd, "cicada.conf"))) {
    logger.warning("locust.conf is here, but Cicada reads cicada.conf (the same keys): it is ignored");
  }
}
