/**
 * Renders docs/options.md from the option table, so the documented flags are the real
 * ones (`npm run docs:options` rewrites the file; a test fails when it is stale).
 */
import { envName, OPTION_TABLE } from "./option-table.js";

export function renderOptionsDoc(): string {
  const groups = new Map<string, typeof OPTION_TABLE>();
  for (const spec of OPTION_TABLE) {
    if (spec.hidden) continue;
    groups.set(spec.group, [...(groups.get(spec.group) ?? []), spec]);
  }
  const lines = [
    "# Command-line options",
    "",
    "<!-- Generated from src/cli/option-table.ts by `npm run docs:options`. Do not edit by hand. -->",
    "",
    "`cicada [options] [UserClass ...]`: flags follow Locust's names. Every option except those marked",
    "*flag only* can also be set as an environment variable (`CICADA_<FLAG>`) or as a `key = value`",
    "line in a config file (`~/.cicada.conf`, `./cicada.conf`, then `--config FILE`), where the key is",
    "the long flag without dashes (`spawn-rate = 5`; `spawn_rate` works too). Precedence: config",
    "files < environment < command line. Positional arguments name the user classes to run (default: all).",
    "",
    "A list (`--tags`, `--percentiles`, ...) is given as separate words or commas on the command line",
    "(`-T browse search`, `-T browse,search`), and with commas in a variable or a config file",
    "(`CICADA_TAGS=browse,search`, `tags = [browse, search]` or `tags = browse, search`): there a",
    "space does not separate items. Cicada does not read Locust's `LOCUST_*` variables or `locust.conf`;",
    "it warns when it finds them, and names Cicada's way for Locust's old flags (`--hatch-rate`, `--no-web`).",
    "",
  ];
  for (const [group, specs] of groups) {
    lines.push(
      `## ${group}`,
      "",
      "| flag | environment | default | description |",
      "| --- | --- | --- | --- |",
    );
    for (const spec of specs) {
      const flags = spec.flags.replaceAll("|", "\\|");
      // --config cannot be a key of the file it names, but CICADA_CONFIG is read.
      const env =
        spec.key === "config" ? "`CICADA_CONFIG`" : spec.cliOnly ? "*flag only*" : `\`${envName(spec)}\``;
      // An option whose default is applied later (so that leaving it out can be told from
      // giving it) says its default at the end of its description: that fills the column too.
      const stated = spec.description.split("(default ").length === 2;
      const fallback =
        spec.defaultValue ?? (stated ? /\(default ([^):;]+)\)$/.exec(spec.description)?.[1] : undefined);
      const defaultCell = fallback === undefined ? "" : `\`${String(fallback)}\``;
      lines.push(`| \`${flags}\` | ${env} | ${defaultCell} | ${spec.description.replaceAll("|", "\\|")} |`);
    }
    lines.push("");
  }
  lines.push(
    "## Custom arguments (from the locustfile)",
    "",
    "A locustfile adds options of its own with `events.initCommandLineParser` and `parser.addArgument`",
    "(Locust's `init_command_line_parser`): `cicada -f locustfile.ts --help` lists them in this group.",
    "Each is also `CICADA_<FLAG>` (and its own `envVar`, if given) and a `cicada.conf` key; a required",
    "one must have a value when the run starts at once. See [api.md](api.md#custom-command-line-arguments).",
    "",
    "`-h, --help` prints this list; `-V, --version` prints the version.",
    "",
  );
  return lines.join("\n");
}
