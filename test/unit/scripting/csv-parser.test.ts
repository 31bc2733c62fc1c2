import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { CsvParser, CsvSyntaxError } from "../../../src/data/index.js";

type Row = { fields: string[]; offset: number; line: number };

/** Parses `text` pushed in chunks cut at `cuts` (byte positions). */
function parse(bytes: Uint8Array, cuts: number[] = []): Row[] {
  const rows: Row[] = [];
  const parser = new CsvParser();
  const onRow = (fields: string[], offset: number, line: number) => rows.push({ fields, offset, line });
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    parser.push(bytes.subarray(start, cut), onRow);
    start = cut;
  }
  parser.end(onRow);
  return rows;
}

const enc = (text: string) => new TextEncoder().encode(text);
const fieldsOf = (text: string, cuts?: number[]) => parse(enc(text), cuts).map((r) => r.fields);

function syntaxError(text: string): CsvSyntaxError {
  try {
    parse(enc(text));
  } catch (error) {
    assert.ok(error instanceof CsvSyntaxError, String(error));
    return error;
  }
  assert.fail(`${JSON.stringify(text)} parsed`);
}

describe("the CSV parser", () => {
  it("reads RFC 4180: quotes, doubled quotes, commas and line breaks in quotes, CRLF, CR, BOM, blank lines", () => {
    assert.deepEqual(fieldsOf("a,b\n1,2\n"), [
      ["a", "b"],
      ["1", "2"],
    ]);
    assert.deepEqual(fieldsOf('a,b\r\n"x, y","say ""hi"""\r\n'), [
      ["a", "b"],
      ["x, y", 'say "hi"'],
    ]);
    assert.deepEqual(fieldsOf('a\n"two\nlines"\n'), [["a"], ["two\nlines"]]);
    assert.deepEqual(fieldsOf("a\r1\r2"), [["a"], ["1"], ["2"]]);
    assert.deepEqual(fieldsOf("\ufeffname\n\n\nbob\n\n"), [["name"], ["bob"]]);
    assert.deepEqual(fieldsOf('a,b\n1,\n,\n""\n'), [["a", "b"], ["1", ""], ["", ""], [""]]);
    assert.deepEqual(fieldsOf("é,ü\nñ,😀"), [
      ["é", "ü"],
      ["ñ", "😀"],
    ]);
  });

  it("gives every row's byte offset and first line (a large file is read at them)", () => {
    const bytes = enc('h\r\n"é\n1"\r\n\r\nx\n');
    const rows = parse(bytes);
    assert.deepEqual(
      rows.map((r) => [r.offset, r.line]),
      [
        [0, 1],
        [3, 2],
        [13, 5],
      ],
    );
    for (const row of rows) {
      const again = new CsvParser(row.offset);
      const out: string[][] = [];
      again.push(bytes.subarray(row.offset), (fields) => out.push(fields));
      again.end((fields) => out.push(fields));
      assert.deepEqual(out[0], row.fields);
    }
  });

  it("says where a malformed file goes wrong, by line and column", () => {
    const quoteInField = syntaxError('user,pass\nbob,se"cret\n');
    assert.deepEqual([quoteInField.line, quoteInField.column], [2, 7]);
    const afterQuote = syntaxError('a,b\n"x"y,1\n');
    assert.deepEqual([afterQuote.line, afterQuote.column], [2, 4]);
    const unclosed = syntaxError('a,b\n1,2\n3,"never closed\nstill\n');
    assert.deepEqual([unclosed.line, unclosed.column], [3, 3]);
    assert.match(unclosed.message, /line 3, column 3: a quoted field that is never closed/);
    const multibyte = syntaxError('é,"ü"x');
    assert.deepEqual([multibyte.line, multibyte.column], [1, 6], "columns count characters, not bytes");
  });

  it("parses the same whatever the chunks (every cut of every example)", () => {
    const examples = [
      'a,b\r\n"x, y","say ""hi"""\r\n',
      '\ufeffh\n"two\r\nlines",""\r\r\n\n',
      'q\n""""\n"""a"""\n"a""",b',
      "é,😀\n1,2",
    ];
    for (const text of examples) {
      const bytes = enc(text);
      const whole = parse(bytes);
      for (let cut = 0; cut <= bytes.length; cut++) {
        assert.deepEqual(parse(bytes, [cut]), whole, `${JSON.stringify(text)} cut at ${cut}`);
      }
      const everyByte = Array.from({ length: bytes.length }, (_, i) => i);
      assert.deepEqual(parse(bytes, everyByte), whole, `${JSON.stringify(text)} byte by byte`);
    }
  });

  it("agrees with Python's csv module on random files", () => {
    const alphabet = ["a", "b", "é", " ", ",", '"', "\n", "\r\n", "x😀"];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const files: string[] = [];
    for (let f = 0; f < 200; f++) {
      const rows: string[] = [];
      const width = 1 + random(4);
      for (let r = 0; r < 1 + random(6); r++) {
        const fields: string[] = [];
        for (let c = 0; c < width; c++) {
          let value = "";
          for (let k = 0; k < random(6); k++) value += alphabet[random(alphabet.length)];
          const quoted = /[",\r\n]/.test(value) || value === "" || random(3) === 0;
          fields.push(quoted ? `"${value.replaceAll('"', '""')}"` : value);
        }
        rows.push(fields.join(","));
      }
      files.push(rows.join(random(2) === 0 ? "\n" : "\r\n") + (random(2) === 0 ? "\n" : ""));
    }
    const python = spawnSync(
      "python3",
      [
        "-c",
        "import csv, io, json, sys\n" +
          "files = json.load(sys.stdin)\n" +
          "print(json.dumps([[row for row in csv.reader(io.StringIO(f, newline='')) if row] for f in files]))",
      ],
      { input: JSON.stringify(files), encoding: "utf8" },
    );
    assert.equal(python.status, 0, python.stderr);
    const expected = JSON.parse(python.stdout) as string[][][];
    files.forEach((file, i) => {
      assert.deepEqual(fieldsOf(file), expected[i], JSON.stringify(file));
    });
  });

  it("survives random bytes: rows or a CsvSyntaxError, the same whole or cut (bounded fuzz)", () => {
    const alphabet = [0x61, 0x2c, 0x22, 0x0d, 0x0a, 0xc3, 0xa9, 0xef, 0xbb, 0xbf];
    let seed = 99;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const outcome = (bytes: Uint8Array, cuts: number[]) => {
      try {
        return JSON.stringify(parse(bytes, cuts));
      } catch (error) {
        assert.ok(error instanceof CsvSyntaxError, String(error));
        return `error ${error.message}`;
      }
    };
    /** The structure alone (the scan of a large file): rows, their widths, offsets and errors. */
    const structure = (bytes: Uint8Array, decode: boolean, cuts: number[]) => {
      const parser = new CsvParser();
      parser.decodeFields = decode;
      const rows: string[] = [];
      const onRow = (fields: string[], offset: number, line: number) =>
        rows.push(`${fields.length}@${offset}:${line}`);
      try {
        let start = 0;
        for (const cut of [...cuts, bytes.length]) {
          parser.push(bytes.subarray(start, cut), onRow);
          start = cut;
        }
        parser.end(onRow);
        return rows.join(" ");
      } catch (error) {
        return `error ${(error as Error).message}`;
      }
    };
    for (let n = 0; n < 3000; n++) {
      const bytes = Uint8Array.from({ length: random(24) }, () => alphabet[random(alphabet.length)]!);
      const cut = random(bytes.length + 1);
      assert.equal(outcome(bytes, [cut]), outcome(bytes, []), Buffer.from(bytes).toString("hex"));
      assert.equal(
        structure(bytes, false, [cut]),
        structure(bytes, true, []),
        Buffer.from(bytes).toString("hex"),
      );
    }
  });
});
