import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  hasSemiSpaceSize,
  SEMI_SPACE_FLAG,
  SignalEchoes,
  shouldRelaunch,
} from "../../../src/cli/launcher.js";

describe("the launcher's decision", () => {
  it("relaunches a plain `cicada` on Linux and macOS", () => {
    assert.equal(shouldRelaunch([], {}, "linux"), true);
    assert.equal(
      shouldRelaunch(["--enable-source-maps"], { NODE_OPTIONS: "--trace-warnings" }, "darwin"),
      true,
    );
    assert.equal(SEMI_SPACE_FLAG, "--max-semi-space-size=32");
  });

  it("never relaunches the relaunched child, nor when switched off, nor on Windows", () => {
    assert.equal(shouldRelaunch([], { CICADA_RELAUNCHED: "1" }, "linux"), false);
    assert.equal(shouldRelaunch([], { CICADA_RELAUNCH: "0" }, "linux"), false);
    assert.equal(shouldRelaunch([], {}, "win32"), false);
  });

  it("stays in the process a debugger is attached to", () => {
    assert.equal(shouldRelaunch(["--inspect"], {}, "linux"), false);
    assert.equal(shouldRelaunch(["--inspect-brk=9230"], {}, "linux"), false);
    assert.equal(shouldRelaunch([], { NODE_OPTIONS: "--inspect-wait" }, "linux"), false);
    assert.equal(shouldRelaunch(["--inspector-thing"], {}, "linux"), true);
  });

  it("leaves a semi-space size the user gave to node alone, in either spelling", () => {
    assert.equal(shouldRelaunch(["--max-semi-space-size=64"], {}, "linux"), false);
    assert.equal(shouldRelaunch(["--max_semi_space_size", "8"], {}, "linux"), false);
    assert.equal(shouldRelaunch([], { NODE_OPTIONS: "--inspect --max-semi-space-size=16" }, "linux"), false);
    assert.equal(hasSemiSpaceSize([], "--max-old-space-size=4096"), false);
    assert.equal(hasSemiSpaceSize(["--max-semi-space-sizes=1"], undefined), false);
  });
});

describe("signal echoes under the launcher", () => {
  it("a repeat of the same signal within 300 ms is an echo; later, or another signal, is not", () => {
    const echoes = new SignalEchoes(true);
    assert.equal(echoes.isEcho("SIGINT", 1000), false);
    assert.equal(echoes.isEcho("SIGINT", 1005), true);
    assert.equal(echoes.isEcho("SIGINT", 1299), true);
    assert.equal(echoes.isEcho("SIGINT", 1400), false, "a second key press");
    assert.equal(echoes.isEcho("SIGTERM", 1401), false);
  });

  it("without the launcher nothing is an echo", () => {
    const echoes = new SignalEchoes(false);
    assert.equal(echoes.isEcho("SIGINT", 1000), false);
    assert.equal(echoes.isEcho("SIGINT", 1001), false);
  });
});
