// -T/-E leaving a user class without tasks: Locust's users of it fail ("No tasks defined");
// Cicada runs none of them and gives the users to the other classes, and says so.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { runInProcess } from "../../helpers/in-process-cli.js";

const LOCUSTFILE = `import { User, constant, tag, task } from "cicada-load";
const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
export class Shopper extends User {
  static weight = 3;
  waitTime = constant(0.05);
  @tag("browse") @task async browse() { await pause(); }
}
export class Admin extends User {
  waitTime = constant(0.05);
  @tag("admin") @task async report() { await pause(); }
}
`;

it("-T admin: Shopper runs no users, the users go to Admin, and the log says so", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "cicada-tags-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "locustfile.ts"), LOCUSTFILE);
  const { code, output } = await runInProcess(
    ["--headless", "-u", "4", "-r", "100", "-t", "1s", "-T", "admin"],
    dir,
  );
  assert.equal(code, 0, output);
  assert.match(
    output,
    /INFO\/cicada: Shopper has no task left by -T\/-E: it runs no users, and the users go to Admin$/m,
  );
  assert.match(output, /All users spawned: \{"Admin":4\} \(4 total users\)/);
});
