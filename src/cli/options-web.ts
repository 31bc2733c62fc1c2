/**
 * The web UI's options (Locust's "Web UI options"), appended to OPTION_TABLE, and their
 * checks. Each also reads `CICADA_<FLAG>` and the `cicada.conf` key of the same name.
 */
import { UsageError } from "../shared/errors.js";
import { normaliseBasePath } from "../web/base-path.js";
import type { OptionSpec } from "./option-table.js";
import type { CliOptions } from "./options.js";

const web = "Web UI options";

export const WEB_OPTIONS: OptionSpec[] = [
  {
    flags: "--web-host <host>",
    key: "webHost",
    kind: "string",
    group: web,
    description:
      "Interface the web UI listens on (default 127.0.0.1: this machine only). 0.0.0.0 or :: listen everywhere; then protect it with --web-login",
  },
  {
    flags: "-P, --web-port <port>",
    key: "webPort",
    kind: "int",
    group: web,
    description: "Port of the web UI (default 8089; 0 picks a free one, and the URL is printed)",
  },
  {
    flags: "--web-base-path <path>",
    key: "webBasePath",
    kind: "string",
    group: web,
    description: "Serve the UI and the API under this path, e.g. /cicada (behind a reverse proxy)",
  },
  {
    flags: "--autostart",
    key: "autostart",
    kind: "boolean",
    group: web,
    description:
      "Start the test at once with -u, -r and -t instead of waiting for the form (the UI still runs)",
  },
  {
    flags: "--autoquit <seconds>",
    key: "autoquit",
    kind: "int",
    group: web,
    description:
      "Quit this many seconds after the test ends (needs --autostart; default: keep the UI running)",
  },
  {
    flags: "--class-picker",
    key: "classPicker",
    kind: "boolean",
    group: web,
    description:
      "Let the start form choose which user classes run (checkboxes) and which load shape, if any; lifts the one-LoadTestShape limit",
  },
  {
    flags: "--web-login <user:password>",
    key: "webLogin",
    kind: "string",
    group: web,
    description: "Require this user name and password (HTTP Basic) for the UI and the API",
  },
  {
    flags: "--web-token <token>",
    key: "webToken",
    kind: "string",
    group: web,
    description:
      "Require this token (Authorization: Bearer, or as the password of the browser's login prompt). Prefer the env var CICADA_WEB_TOKEN, which other users of the machine cannot see in ps",
  },
];

/** The web options of a run, checked. */
export interface WebOptions {
  host: string;
  port: number;
  basePath: string;
  autostart: boolean;
  /** Seconds, or undefined for never. */
  autoquit: number | undefined;
  /** --class-picker: the start form (and POST /swarm) choose the user classes and the shape. */
  classPicker: boolean;
  login: { username: string; password: string } | undefined;
  token: string | undefined;
}

/** Reads and checks the web options; every problem is reported at once. */
export function readWebOptions(options: CliOptions): WebOptions {
  const problems: string[] = [];
  const host = (options.webHost as string | undefined) ?? "127.0.0.1";
  if (host === "") problems.push("✖ --web-host must not be empty (e.g. 127.0.0.1)");
  const port = (options.webPort as number | undefined) ?? 8089;
  if (port < 0 || port > 65535) problems.push(`✖ --web-port must be 0 to 65535, got '${port}'`);
  let basePath = "";
  try {
    basePath = normaliseBasePath(options.webBasePath as string | undefined);
  } catch (error) {
    problems.push(`✖ --web-base-path: ${(error as Error).message}`);
  }
  const autostart = options.autostart === true;
  const autoquit = options.autoquit as number | undefined;
  if (autoquit !== undefined && autoquit < 0) {
    problems.push(`✖ --autoquit must be a number of seconds ≥ 0, got '${autoquit}'`);
  }
  if (autoquit !== undefined && !autostart) {
    problems.push("✖ --autoquit is only meaningful in combination with --autostart");
  }
  let login: WebOptions["login"];
  const rawLogin = options.webLogin as string | undefined;
  if (rawLogin !== undefined) {
    const colon = rawLogin.indexOf(":");
    if (colon <= 0 || colon === rawLogin.length - 1) {
      problems.push("✖ --web-login must be user:password, both parts non-empty");
    } else {
      login = { username: rawLogin.slice(0, colon), password: rawLogin.slice(colon + 1) };
    }
  }
  const token = options.webToken as string | undefined;
  if (token !== undefined && token.length < 8) {
    problems.push("✖ --web-token (CICADA_WEB_TOKEN) must be at least 8 characters long");
  }
  if (problems.length > 0) {
    throw new UsageError("CICADA_ERR_OPTIONS", `invalid options:\n${problems.join("\n")}`, {
      hint: "Run cicada --help for the web UI options",
    });
  }
  return {
    host,
    port,
    basePath,
    autostart,
    autoquit,
    classPicker: options.classPicker === true,
    login,
    token: token || undefined,
  };
}
