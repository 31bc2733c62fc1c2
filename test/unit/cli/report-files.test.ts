// Report paths are written, never replaced: a symlink keeps pointing at its file, a FIFO,
// a device or stdout is written in place. (Reports used to be written to a temporary file
// renamed over the path, which replaced whatever the path named, device nodes included.)
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  createReadStream,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { unwritableReason } from "../../../src/cli/output-paths.js";
import { writeReportFile, writeReportFileAsync } from "../../../src/cli/report-files.js";

function scratch(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "cicada-report-files-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A character device node like /dev/null or /dev/full, in `dir` (needs root; undefined otherwise). */
function deviceNode(dir: string, name: string, minor: number): string | undefined {
  const path = join(dir, name);
  try {
    execFileSync("mknod", [path, "c", "1", String(minor)], { stdio: "ignore" });
    return path;
  } catch {
    return undefined;
  }
}

describe("writing report files", () => {
  for (const [label, write] of [
    ["sync", writeReportFile],
    ["async", writeReportFileAsync],
  ] as const) {
    it(`a symlink to a regular file: the file is replaced, the link stays (${label})`, async (t) => {
      const dir = scratch(t);
      writeFileSync(join(dir, "real.html"), "old");
      symlinkSync("real.html", join(dir, "link.html"));
      await write(join(dir, "link.html"), "new");
      assert.ok(lstatSync(join(dir, "link.html")).isSymbolicLink());
      assert.equal(readFileSync(join(dir, "real.html"), "utf8"), "new");
      // A link to a file that does not exist yet creates the file.
      symlinkSync("later.json", join(dir, "dangling.json"));
      await write(join(dir, "dangling.json"), "{}");
      assert.ok(lstatSync(join(dir, "dangling.json")).isSymbolicLink());
      assert.equal(readFileSync(join(dir, "later.json"), "utf8"), "{}");
    });
  }

  it("a FIFO is written in place and stays a FIFO", async (t) => {
    const dir = scratch(t);
    const fifo = join(dir, "report.fifo");
    execFileSync("mkfifo", [fifo]);
    const chunks: Buffer[] = [];
    const reader = createReadStream(fifo);
    reader.on("data", (chunk) => chunks.push(chunk as Buffer));
    const ended = new Promise<void>((resolve) => reader.on("end", () => resolve()));
    await writeReportFileAsync(fifo, "through the pipe");
    await ended;
    assert.equal(Buffer.concat(chunks).toString(), "through the pipe");
    assert.ok(statSync(fifo).isFIFO());
    assert.equal(unwritableReason(fifo), undefined);
  });

  it("a device is written in place, never replaced: /dev/null-like accepts, /dev/full-like fails", (t) => {
    const dir = scratch(t);
    const nul = deviceNode(dir, "null", 3);
    const full = deviceNode(dir, "full", 7);
    if (nul === undefined || full === undefined) return t.skip("mknod needs root");
    writeReportFile(nul, "gone");
    assert.ok(statSync(nul).isCharacterDevice());
    assert.throws(() => writeReportFile(full, "no room"), /ENOSPC/);
    assert.ok(statSync(full).isCharacterDevice(), "the device node is still there");
  });

  it("a link to /proc/self/fd/1 (what /dev/stdout is) writes to the CLI's stdout, even a socket", (t) => {
    const dir = scratch(t);
    const link = join(dir, "stdout");
    symlinkSync("/proc/self/fd/1", link);
    const script = `import { writeReportFile } from ${JSON.stringify(new URL("../../../src/cli/report-files.ts", import.meta.url).href)};
writeReportFile(${JSON.stringify(link)}, "report on stdout\\n", process);`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    assert.equal(child.stderr, "");
    assert.equal(child.stdout, "report on stdout\n");
    assert.ok(lstatSync(link).isSymbolicLink(), "the link was not replaced");
    assert.equal(unwritableReason(link), undefined);
  });
});
