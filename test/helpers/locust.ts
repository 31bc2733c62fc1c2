/**
 * Finding Debian's Locust and the Python that has it (CI installs python3-locust; a
 * pyenv `python3` earlier in PATH would not see it).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

function locustPath(): string | undefined {
  for (const candidate of ["/usr/bin/locust", "/usr/local/bin/locust"]) {
    if (existsSync(candidate)) return candidate;
  }
  const which = spawnSync("sh", ["-c", "command -v locust"], { encoding: "utf8" });
  return which.status === 0 && which.stdout.trim() !== "" ? which.stdout.trim() : undefined;
}

/** The `locust` executable, if installed. */
export const LOCUST: string | undefined = locustPath();

/** The Python interpreter that runs `locust` (from its shebang), else python3. */
export const PYTHON: string = (() => {
  if (LOCUST) {
    const shebang = /^#!\s*(\S+)/.exec(readFileSync(LOCUST, "utf8").split("\n")[0] ?? "")?.[1];
    if (shebang && existsSync(shebang) && !shebang.endsWith("/env")) return shebang;
  }
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
})();
