import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import {
  locustBucket,
  locustErrorKey,
  parseLocustVersion,
  pythonRepr,
  pythonRoundToMultiple,
} from "../../../src/distributed/index.js";
import { pythonUnrepr } from "../../../src/distributed/python-compat.js";
import { PYTHON } from "../../helpers/locust.js";

/** Runs a Python snippet that reads JSON on stdin and prints JSON; skips when python3 is missing. */
function python(code: string, input: unknown): unknown {
  const result = spawnSync(PYTHON, ["-c", code], { input: JSON.stringify(input), encoding: "utf8" });
  if (result.error) return undefined;
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

const TRICKY = [
  "boom",
  "it's",
  'say "hi"',
  `both ' and "`,
  "back\\slash",
  "tab\there\nnewline\rreturn",
  "\u0000\u0007\u001b\u007f",
  "é ü 中文 😀",
  "\u00a0nbsp\u00ad soft hyphen",
  "\u2028line sep\u2029",
  "zero\u200bwidth",
  "HTTPError: 500 Internal Server Error",
  "CatchResponseError('commute not recorded')",
  "\ud800 lone surrogate",
  "",
];

test("pythonRepr matches Python's repr() on tricky strings", (t) => {
  // Lone surrogates cannot cross JSON into Python's str cleanly; compare those with a literal.
  const plain = TRICKY.filter((s) => !/[\ud800-\udfff]/.test(s.replace(/\ud83d\ude00/g, "")));
  const expected = python(
    "import json,sys; print(json.dumps([repr(s) for s in json.load(sys.stdin)]))",
    plain,
  );
  if (expected === undefined) return t.skip("python3 is not installed");
  assert.deepEqual(
    plain.map((s) => pythonRepr(s)),
    expected,
  );
  assert.equal(pythonRepr("\ud800 lone surrogate"), "'\\ud800 lone surrogate'");
});

test("pythonRepr: fixed cases", () => {
  assert.equal(pythonRepr("boom"), "'boom'");
  assert.equal(pythonRepr("it's"), `"it's"`);
  assert.equal(pythonRepr(`both ' and "`), `'both \\' and "'`);
  assert.equal(pythonRepr("a\nb"), "'a\\nb'");
});

test("pythonUnrepr reads back what Python's repr() wrote, and nothing repr() would not write", (t) => {
  const plain = TRICKY.filter((s) => !/[\ud800-\udfff]/.test(s.replace(/\ud83d\ude00/g, "")));
  const reprs = python(
    "import json,sys; print(json.dumps([repr(s) for s in json.load(sys.stdin)]))",
    plain,
  ) as string[] | undefined;
  if (reprs === undefined) return t.skip("python3 is not installed");
  assert.deepEqual(
    reprs.map((literal) => pythonUnrepr(literal)),
    plain,
  );
  assert.equal(pythonUnrepr("'\\ud800 lone surrogate'"), "\ud800 lone surrogate");
  for (const notRepr of [
    '"plain"', // repr uses double quotes only for a text with a single quote and no double quote
    "'it's'", // an unescaped quote
    "'\\x41'", // repr writes A as itself
    "'\\q'",
    "'\\x4'",
    "'open",
    "'",
    "",
    "plain",
  ]) {
    assert.equal(pythonUnrepr(notRepr), undefined, notRepr);
  }
});

test("locustErrorKey equals Locust's StatsError.create_key for an exception whose repr is the error", (t) => {
  const cases = [
    ["GET", "/fail", "boom"],
    ["POST", "/login/", "it's broken"],
    ["GET", "/x", 'he said "no"'],
  ];
  const expected = python(
    [
      "import json,sys",
      "from locust.stats import StatsError",
      "out=[]",
      "for m,n,msg in json.load(sys.stdin):",
      "    e=Exception(msg)",
      "    out.append([repr(e), StatsError.create_key(m,n,e)])",
      "print(json.dumps(out))",
    ].join("\n"),
    cases,
  ) as Array<[string, string]> | undefined;
  if (expected === undefined) return t.skip("python3 is not installed");
  cases.forEach(([method, name], i) => {
    const [error, key] = expected[i]!;
    assert.equal(locustErrorKey(method!, name!, error), key, `${method} ${name} ${error}`);
  });
  // The value protocol.md quotes for FakeError('boom') on GET /fake/b is not needed: the live check above is the reference.
});

test("pythonRoundToMultiple rounds halves to even, like Python's round()", () => {
  assert.equal(pythonRoundToMultiple(145, 10), 140);
  assert.equal(pythonRoundToMultiple(155, 10), 160);
  assert.equal(pythonRoundToMultiple(2.5, 1), 2);
  assert.equal(pythonRoundToMultiple(3.5, 1), 4);
  assert.equal(pythonRoundToMultiple(145.0001, 10), 150);
  assert.equal(pythonRoundToMultiple(1250, 100), 1200);
  assert.equal(pythonRoundToMultiple(1350, 100), 1400);
});

test("locustBucket matches Locust's bucketing (stats.py) on thousands of values", (t) => {
  const values: number[] = [];
  for (let i = 0; i < 3000; i++) values.push(i / 2, i * 5, i * 5 + 0.5, i * 50, i * 500);
  for (let i = 0; i < 2000; i++) values.push(Math.round(Math.random() * 1e8) / 1000);
  const code = [
    "import json,sys",
    "def b(rt):",
    "    if rt < 100: return round(rt)",
    "    if rt < 1000: return round(rt, -1)",
    "    if rt < 10000: return round(rt, -2)",
    "    return round(rt, -3)",
    "print(json.dumps([b(v) for v in json.load(sys.stdin)]))",
  ].join("\n");
  const expected = python(code, values) as number[] | undefined;
  if (expected === undefined) return t.skip("python3 is not installed");
  const mismatches = values.filter((v, i) => locustBucket(v) !== expected[i]);
  assert.deepEqual(mismatches.slice(0, 10), []);
});

test("parseLocustVersion reads major.minor and rejects Debian's empty string", () => {
  assert.deepEqual(parseLocustVersion("2.12.1"), [2, 12]);
  assert.deepEqual(parseLocustVersion("2.46.3.dev23"), [2, 46]);
  assert.equal(parseLocustVersion(""), undefined);
  assert.equal(parseLocustVersion(-1), undefined);
  assert.equal(parseLocustVersion("cicada-0.1.0"), undefined);
});
