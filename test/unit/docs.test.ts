import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { longName, OPTION_TABLE } from "../../src/cli/option-table.js";
import { renderOptionsDoc } from "../../src/cli/options-doc.js";
import { ExitCode } from "../../src/shared/errors.js";

const root = join(import.meta.dirname, "..", "..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

it("every CICADA_ERR_* code and every exit code is documented in docs/exit-codes.md", () => {
  const doc = readFileSync(join(root, "docs", "exit-codes.md"), "utf8");
  const codes = new Set(
    sources(join(root, "src")).flatMap((f) => readFileSync(f, "utf8").match(/CICADA_ERR_[A-Z_]+/g) ?? []),
  );
  for (const code of codes)
    assert.ok(doc.includes(`\`${code}\``), `${code} is missing from docs/exit-codes.md`);
  for (const value of Object.values(ExitCode))
    assert.match(doc, new RegExp(`^\\| ${value} \\|`, "m"), `exit ${value}`);
});

it("docs/options.md is generated from the option table (run `npm run docs:options` after adding a flag)", () => {
  const doc = readFileSync(join(root, "docs", "options.md"), "utf8");
  assert.equal(doc, renderOptionsDoc());
  for (const spec of OPTION_TABLE) {
    if (!spec.hidden) assert.ok(doc.includes(`--${longName(spec)}`));
  }
});
