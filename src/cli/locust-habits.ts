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
import { isWrittenInPlace } from "./report-files.js";

/**
 * Locust's flags that Cicada does not take, with Cicada's way of doing the same: a renamed
 * flag names its replacement (`flags` as typed, `key` as a config file writes it), another
 * has its hint.
 */
type LocustHabit = { why: string; flags: string; key: string } | { hint: string };

const LOCUST_ONLY_FLAGS: Record<string, LocustHabit> = {
  "--hatch-rate": {
    why: "Locust renamed --hatch-rate to --spawn-rate in 1.0",
    flags: "-r / --spawn-rate",
    key: "spawn-rate",
  },
  "-c": { why: "-c was Locust's old --clients", flags: "-u / --users", key: "users" },
  "--clients": { why: "--clients was Locust's old name of --users", flags: "-u / --users", key: "users" },
  "--no-web": { why: "Locust renamed --no-web to --headless in 1.0", flags: "--headless", key: "headless" },
  "--step-load": {
    hint: "Locust 2 removed step load: write a LoadTestShape (docs/api.md), or ramp an --arrival-rate A:B --ramp D",
  },
  "--step-users": { hint: "Locust 2 removed step load: write a LoadTestShape (docs/api.md)" },
  "--step-time": { hint: "Locust 2 removed step load: write a LoadTestShape (docs/api.md)" },
  "--print-stats": {
    hint: "a headless run prints the stats table every 2 s already (--only-summary: at the end only)",
  },
  "--skip-log-setup": { hint: "Cicada installs no logging of its own into your code: leave it out" },
  "--web-auth": {
    why: "Cicada's name for --web-auth is --web-login",
    flags: "--web-login user:password",
    key: "web-login",
  },
  "--tls-cert": {
    hint: "Cicada's web UI serves plain HTTP: put a TLS reverse proxy (nginx) in front of it (docs/web-ui.md#security)",
  },
  "--tls-key": {
    hint: "Cicada's web UI serves plain HTTP: put a TLS reverse proxy (nginx) in front of it (docs/web-ui.md#security)",
  },
  "--equal-weights": {
    hint: "Cicada has no such setting: give every user class the same weight in the locustfile (the default weight is 1)",
  },
  // Rebalancing is Locust's opt-in and Cicada's default: "Did you mean --disable-rebalancing?" would do the opposite.
  "--enable-rebalancing": {
    hint: "Cicada rebalances users when workers join or leave by default (--disable-rebalancing turns it off): leave it out",
  },
};

function habitOf(flag: string): LocustHabit | undefined {
  return LOCUST_ONLY_FLAGS[flag.split("=")[0] ?? flag];
}

/** The hint for an unknown flag that is Locust's, else undefined. */
export function locustFlagHint(flag: string): string | undefined {
  const habit = habitOf(flag);
  if (habit === undefined) return undefined;
  return "hint" in habit ? habit.hint : `${habit.why}: use ${habit.flags}`;
}

/** The hint for an unknown config key that is Locust's (`hatch-rate`), naming the key to write; else undefined. */
export function locustConfigKeyHint(key: string): string | undefined {
  const habit = key.length > 1 ? habitOf(`--${key}`) : undefined;
  if (habit === undefined || "hint" in habit) return habit?.hint;
  return `${habit.why}: write '${habit.key} = ...' in the config file`;
}

/**
 * Warns once for each LOCUST_* variable whose Cicada counterpart is an option or that is a
 * Locust-only setting (LOCUST_WEB_AUTH: a UI believed protected), and for a locust.conf in
 * the current folder beside no cicada.conf: Cicada reads neither, unless the locust.conf is
 * the file given with --config or CICADA_CONFIG (`explicitConfig`).
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
    if (option === undefined) {
      const hint = locustFlagHint(`--${name.slice("LOCUST_".length).toLowerCase().replaceAll("_", "-")}`);
      if (hint !== undefined)
        logger.warning(`${name} is set, but Cicada reads no LOCUST_* variables: ${hint}`);
      continue;
    }
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

/**
 * `--json-file NAME` writes NAME.json, as Locust's does: a NAME that already ends in .json
 * makes `report.json.json`, which two trials typed and then looked for in vain. A NAME
 * written in place (a FIFO, a device, `/dev/stdout`) gets no suffix, so no warning.
 */
export function warnAboutJsonSuffix(jsonFile: unknown, logger: Logger, cwd: string): void {
  if (typeof jsonFile !== "string" || !/\.json$/i.test(jsonFile)) return;
  if (isWrittenInPlace(resolve(cwd, jsonFile))) return;
  const stem = jsonFile.slice(0, -".json".length);
  logger.warning(
    `--json-file ${jsonFile} writes ${jsonFile}.json: the .json is added, as Locust adds it (--json-file ${stem} writes ${stem}.json)`,
  );
}
