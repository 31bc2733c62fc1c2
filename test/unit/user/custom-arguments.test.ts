import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ArgumentParser,
  collectCustomArguments,
  convertArgumentValue,
  defaultArgumentValue,
  Events,
  setArgumentValue,
} from "../../../src/user/index.js";

function define(add: (parser: ArgumentParser) => void) {
  const parser = new ArgumentParser();
  add(parser);
  return parser;
}

describe("ArgumentParser.addArgument", () => {
  it("names an argument three ways: flag, Locust's dest and camelCase", () => {
    const parser = define((p) => p.addArgument("-m, --My-Argument", { default: "x", help: "It's working" }));
    assert.deepEqual(parser.problems, []);
    const [argument] = parser.arguments;
    assert.equal(argument!.name, "my-argument");
    assert.equal(argument!.short, "m");
    assert.equal(argument!.dest, "my_argument");
    assert.equal(argument!.key, "myArgument");
    assert.equal(argument!.includeInWebUi, true);
    const target: Record<string, unknown> = {};
    setArgumentValue(target, argument!, "v");
    assert.deepEqual(target, { myArgument: "v", my_argument: "v" });
  });

  it("collects every mistake instead of throwing", () => {
    const parser = define((p) => {
      p.addArgument("my-argument");
      p.addArgument("--ok");
      p.addArgument("--ok");
      p.addArgument("--many", { isMultiple: true });
      p.addArgument("--env", { choices: ["dev"], default: "prod" });
      p.addArgument("--flag", { type: "boolean", choices: ["a"] });
      p.addArgument("--count", { type: "number", default: "ten" as unknown as number });
      p.addArgument("--var", { envVar: "NOT A NAME" });
    });
    assert.deepEqual(
      parser.arguments.map((a) => a.name),
      ["ok"],
    );
    assert.equal(parser.problems.length, 7, parser.problems.join("\n"));
    assert.match(parser.problems[0]!, /must look like "--my-option"/);
    assert.match(parser.problems[1]!, /--ok is already defined/);
    assert.match(parser.problems[2]!, /isMultiple needs choices/);
    assert.match(parser.problems[3]!, /default does not fit: --env must be one of 'dev', got 'prod'/);
    assert.match(parser.problems[5]!, /--count must be a number, got 'ten'/);
  });

  it("reports a listener that throws, and fires every listener", () => {
    const events = new Events();
    events.initCommandLineParser.addListener((p) => p.addArgument("--first"));
    events.initCommandLineParser.addListener(() => {
      throw new Error("oops");
    });
    events.initCommandLineParser.addListener((p) => p.addArgument("--second"));
    const collected = collectCustomArguments(events.initCommandLineParser);
    assert.deepEqual(
      collected.arguments.map((a) => a.dest),
      ["first", "second"],
    );
    assert.deepEqual(collected.problems, ["an initCommandLineParser listener threw: oops"]);
  });
});

describe("convertArgumentValue", () => {
  const [text, number, flag, env, regions] = define((p) => {
    p.addArgument("--text");
    p.addArgument("--number", { type: "number" });
    p.addArgument("--flag", { type: "boolean" });
    p.addArgument("--env", { choices: ["dev", "staging"], default: "dev" });
    p.addArgument("--regions", { choices: ["eu", "us", "ap"], isMultiple: true });
  }).arguments;

  it("converts text from flags, env vars and forms, and typed values from JSON or the wire", () => {
    assert.equal(convertArgumentValue(text!, "  hello "), "hello");
    assert.equal(convertArgumentValue(number!, "2.5"), 2.5);
    assert.equal(convertArgumentValue(number!, 3), 3);
    assert.equal(convertArgumentValue(flag!, "yes"), true);
    assert.equal(convertArgumentValue(flag!, false), false);
    assert.equal(convertArgumentValue(env!, "staging"), "staging");
    assert.deepEqual(convertArgumentValue(regions!, "eu, us"), ["eu", "us"]);
    assert.deepEqual(convertArgumentValue(regions!, ["eu", "ap"]), ["eu", "ap"]);
    assert.deepEqual(convertArgumentValue(regions!, "[eu,us]"), ["eu", "us"]);
  });

  it("refuses a bad value, naming the flag (or the field), what it got and what it expects", () => {
    assert.throws(() => convertArgumentValue(number!, "ten"), /--number must be a number, got 'ten'/);
    assert.throws(() => convertArgumentValue(flag!, "maybe"), /--flag must be true or false, got 'maybe'/);
    assert.throws(
      () => convertArgumentValue(env!, "prod", "env"),
      /^Error: env must be one of 'dev', 'staging', got 'prod'$/,
    );
    assert.throws(
      () => convertArgumentValue(regions!, "eu,mars"),
      /--regions must be among 'eu', 'us', 'ap', got 'mars'/,
    );
  });

  it("defaults: the given default, false for a switch, [] for several, otherwise none", () => {
    assert.equal(defaultArgumentValue(env!), "dev");
    assert.equal(defaultArgumentValue(flag!), false);
    assert.deepEqual(defaultArgumentValue(regions!), []);
    assert.equal(defaultArgumentValue(text!), undefined);
  });
});
