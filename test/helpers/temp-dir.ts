/**
 * Temporary folders for tests, removed when the test process exits (also when the runner
 * force-exits it), so a full `npm test` leaves nothing in the system's temp folder. Set
 * CICADA_KEEP_TEST_DIRS=1 to keep them for a post-mortem.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const created: string[] = [];

process.on("exit", () => {
  if (process.env.CICADA_KEEP_TEST_DIRS === "1") return;
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder under the temp folder, named `<prefix>XXXXXX`. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}
