/**
 * Reads `cicada.conf` files: `key = value` lines (Locust's locust.conf syntax), `#`
 * comments, lists as `[a, b]` or `a, b`. Keys are long flag names (`spawn-rate`), also
 * accepted with underscores (`spawn_rate`).
 */
import { readFileSync } from "node:fs";
import { UsageError } from "../shared/errors.js";

export interface ConfigEntry {
  key: string;
  value: string;
  /** "cicada.conf:3", for messages. */
  where: string;
}

export function parseConfigText(text: string, fileLabel: string): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";") || /^\[.*\]$/.test(line)) return;
    const where = `${fileLabel}:${index + 1}`;
    const match = /^([A-Za-z0-9_-]+)\s*[=:]\s*(.*)$/.exec(line);
    if (!match) {
      throw new UsageError("CICADA_ERR_CONFIG_SYNTAX", `${where}: expected 'key = value', got '${line}'`, {
        hint: "Write one option per line, e.g. 'users = 10' or 'headless = true'",
      });
    }
    entries.push({ key: match[1]!.replaceAll("_", "-").toLowerCase(), value: match[2]!.trim(), where });
  });
  return entries;
}

export function readConfigFile(path: string, label: string): ConfigEntry[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      "CICADA_ERR_CONFIG_UNREADABLE",
      `cannot read config file ${path}: ${(error as Error).message}`,
      {
        hint: "Check the path given with --config or CICADA_CONFIG",
        cause: error,
      },
    );
  }
  return parseConfigText(text, label);
}
