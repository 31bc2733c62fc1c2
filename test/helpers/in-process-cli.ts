/** Runs the CLI's `run()` in this process, with no environment, output captured together. */
import type { CliIO } from "../../src/cli/io.js";
import { run } from "../../src/cli/main.js";

export async function runInProcess(argv: string[], cwd: string): Promise<{ code: number; output: string }> {
  let output = "";
  const io: CliIO = {
    argv,
    env: {},
    cwd,
    stdout: { write: (text: string) => (output += text) },
    stderr: { write: (text: string) => (output += text) },
    onSignal: () => () => {},
    cpuUsageMicros: () => 0,
    memoryBytes: () => 0,
    cpuCount: () => 2,
  };
  return { code: await run(io), output };
}
