import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ArgumentParser, HttpUser, task } from "../../../src/user/index.js";
import { waitFor } from "../../helpers/env.js";
import { makeWebRun, startTarget, type Target } from "./helpers.js";

let target: Target;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

/** Requests the path named by its custom argument, so the target shows what users saw. */
class PathUser extends HttpUser {
  @task async visit() {
    await this.client.get(`/${String(this.environment.parsedOptions.my_path)}`);
  }
}

function customArguments() {
  const parser = new ArgumentParser();
  parser.addArgument("--my-path", { default: "start", help: "Path to request" });
  parser.addArgument("--api-key", { isSecret: true, isRequired: true });
  parser.addArgument("--env", { choices: ["dev", "staging"], default: "dev" });
  parser.addArgument("--regions", { choices: ["eu", "us"], isMultiple: true, default: ["eu"] });
  parser.addArgument("--trace", { type: "boolean" });
  parser.addArgument("--hidden", { includeInWebUi: false, default: "h" });
  return parser.arguments;
}

async function customRun(parsedOptions: Record<string, unknown>) {
  return makeWebRun({
    userClasses: [PathUser],
    host: target.url,
    customArguments: customArguments(),
    parsedOptions,
  });
}

const defaults = {
  myPath: "start",
  my_path: "start",
  env: "dev",
  regions: ["eu"],
  trace: false,
  hidden: "h",
  apiKey: "s3cret",
  api_key: "s3cret",
};

describe("custom parameters in the web UI", () => {
  it("the start form gets every visible one with its kind and value, never a secret's value", async () => {
    const run = await customRun({ ...defaults });
    try {
      const meta = run.feed.fullUpdate().meta;
      assert.deepEqual(
        meta.customParameters.map((p) => [p.name, p.kind, p.value, p.required]),
        [
          ["my_path", "text", "start", false],
          ["api_key", "secret", "", true],
          ["env", "select", "dev", false],
          ["regions", "multiselect", ["eu"], false],
          ["trace", "boolean", false, false],
        ],
      );
      assert.equal(meta.customParameters[1]!.hasValue, true);
      assert.deepEqual(meta.customParameters[2]!.choices, ["dev", "staging"]);
    } finally {
      await run.close();
    }
  });

  it("POST /swarm sets them for the test, by Locust's dest names, and users see them", async () => {
    const run = await customRun({ ...defaults });
    try {
      const started = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload:
          "user_count=1&spawn_rate=10&my_path=from-the-form&env=staging&regions=eu&regions=us&trace=on&api_key=",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      assert.equal(started.statusCode, 200, started.body);
      const options = run.environment.parsedOptions;
      assert.equal(options.myPath, "from-the-form");
      assert.equal(options.my_path, "from-the-form");
      assert.equal(options.env, "staging");
      assert.deepEqual(options.regions, ["eu", "us"]);
      assert.equal(options.trace, true);
      assert.equal(options.apiKey, "s3cret", "an empty secret field keeps the value");
      assert.ok(await waitFor(() => target.paths.includes("/from-the-form"), 5000), target.paths.join());
      const logged = run.logs.since().find((l) => l.message.startsWith("Custom parameters"));
      assert.ok(logged, "the values are logged");
      assert.doesNotMatch(logged.message, /s3cret/);
    } finally {
      await run.close();
    }
  });

  it("refuses a bad choice and a required one left empty, naming the fields; hidden ones are ignored", async () => {
    const run = await customRun({ ...defaults, apiKey: undefined, api_key: undefined });
    try {
      const refused = await run.app.inject({
        method: "POST",
        url: "/swarm",
        payload: { user_count: 1, spawn_rate: 1, env: "prod", regions: ["eu", "mars"], hidden: "changed" },
      });
      assert.equal(refused.statusCode, 400, refused.body);
      const errors = refused.json().errors as Array<{ field: string; message: string }>;
      assert.deepEqual(
        errors.map((e) => e.field),
        ["api_key", "env", "regions"],
      );
      assert.match(errors[1]!.message, /^env must be one of 'dev', 'staging', got 'prod'$/);
      assert.match(errors[0]!.message, /api_key is required/);
      assert.equal(run.runner.state, "ready");
      assert.equal(run.environment.parsedOptions.env, "dev");
      assert.equal(run.environment.parsedOptions.hidden, "h");
    } finally {
      await run.close();
    }
  });
});
