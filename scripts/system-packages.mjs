// The system packages the test suite needs (.ci/debian-packages, the one list), checked
// before `npm test` (its pretest step) and by .ci/run. All present: nothing happens.
// Some missing on Debian or Ubuntu: they are installed with apt-get, as root or with
// passwordless sudo, without questions; otherwise it stops at once with the one command
// to run. CICADA_NO_SYSTEM_INSTALL=1 only reports.
//
//   node scripts/system-packages.mjs
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";

const root = join(import.meta.dirname, "..");
export const PACKAGE_LIST = join(root, ".ci", "debian-packages");
const SBIN = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/** The list: `{ pkg, command }` per line of .ci/debian-packages (comments and blanks skipped). */
export function readPackageList(text) {
  return text
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line !== "")
    .map((line) => {
      const [pkg, command, extra] = line.split(/\s+/);
      if (!pkg || !command || extra)
        throw new Error(`.ci/debian-packages: expected 'package command', got '${line}'`);
      return { pkg, command };
    });
}

/**
 * Where commands are looked up: PATH, plus the sbin folders for a user whose PATH lacks
 * them (Debian leaves them out of non-root PATHs; the test runner adds them too).
 */
export function commandDirs(env, uid) {
  const dirs = (env.PATH ?? "").split(delimiter).filter(Boolean);
  return uid === 0 ? dirs : [...dirs, ...SBIN.filter((dir) => !dirs.includes(dir))];
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The entries whose command cannot be found (Chromium: CHROMIUM_PATH when set, as the tests use it). */
export function missingPackages(list, env, uid, exists = isExecutable) {
  const dirs = commandDirs(env, uid);
  return list.filter(({ pkg, command }) => {
    if (pkg === "chromium" && env.CHROMIUM_PATH) return !exists(env.CHROMIUM_PATH);
    return !dirs.some((dir) => exists(join(dir, command)));
  });
}

/**
 * What to do about `missing`: nothing; install them (as root, or with sudo); or stop with
 * the one command to run. `system` says what this machine has.
 */
export function plan(missing, system) {
  if (missing.length === 0) return { kind: "ok" };
  const pkgs = missing.map((m) => m.pkg);
  const install = ["apt-get", "install", "-y", "--no-install-recommends", ...pkgs];
  const command = `sudo apt-get update && sudo ${install.join(" ")}`;
  const need = `the tests need ${pkgs.join(", ")} (${missing.map((m) => m.command).join(", ")} not found)`;
  if (!system.apt) {
    return {
      kind: "stop",
      message: `${need}, and this is not a Debian or Ubuntu machine: install the equivalent packages, or run the tests with .ci/run in a Debian container`,
    };
  }
  if (system.noInstall) return { kind: "stop", message: `${need}. Run:\n  ${command}` };
  if (system.uid === 0) return { kind: "install", prefix: [], install, pkgs };
  // sudo resets the environment: DEBIAN_FRONTEND goes on the command line.
  const sudo = ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"];
  if (system.sudo) return { kind: "install", prefix: sudo, install, pkgs };
  return {
    kind: "stop",
    message: `${need}, and installing them needs root. Run once, then npm test again:\n  ${command}`,
  };
}

function succeeds(command, args) {
  return spawnSync(command, args, { stdio: "ignore" }).status === 0;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
const DPKG_FORMAT = "${Package} ${Status}\n";

function installedPackages(pkgs) {
  const query = spawnSync("dpkg-query", ["-W", "-f", DPKG_FORMAT, ...pkgs], {
    encoding: "utf8",
  });
  return new Set(
    (query.stdout ?? "")
      .split("\n")
      .filter((line) => line.endsWith(" install ok installed"))
      .map((line) => line.split(" ")[0]),
  );
}

function main() {
  const uid = process.getuid?.() ?? -1;
  const list = readPackageList(readFileSync(PACKAGE_LIST, "utf8"));
  const missing = missingPackages(list, process.env, uid);
  const next = plan(missing, {
    uid,
    apt: process.platform === "linux" && succeeds("sh", ["-c", "command -v apt-get"]),
    sudo: uid !== 0 && succeeds("sudo", ["-n", "true"]),
    noInstall: process.env.CICADA_NO_SYSTEM_INSTALL === "1",
  });
  if (next.kind === "ok") return 0;
  if (next.kind === "stop") {
    process.stderr.write(`system packages: ${next.message}\n`);
    return 1;
  }
  process.stderr.write(`system packages: installing ${next.pkgs.join(", ")} (apt-get, non-interactive)\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args) => {
    const argv = [...next.prefix, ...args];
    return spawnSync(argv[0], argv.slice(1), { stdio: "inherit", env }).status;
  };
  if (apt(["apt-get", "update"]) !== 0 || apt(next.install) !== 0) {
    process.stderr.write("system packages: apt-get failed (see above)\n");
    return 1;
  }
  const installed = installedPackages(next.pkgs);
  const absent = next.pkgs.filter((pkg) => !installed.has(pkg));
  if (absent.length > 0) {
    process.stderr.write(`system packages: still not installed: ${absent.join(", ")}\n`);
    return 1;
  }
  const stillMissing = missingPackages(list, process.env, uid).map((m) => m.command);
  if (stillMissing.length > 0) {
    process.stderr.write(`system packages: installed, but not on PATH here: ${stillMissing.join(", ")}\n`);
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.exit(main());
