import assert from "node:assert/strict";
import { it } from "node:test";
import { ExpositionError, parseExposition } from "../../../src/monitor/index.js";
import { modes, nodeText } from "./fixtures.js";

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ' \n\t{}",=\\#_:.+-eE0123456789aInfNa';

it("bounded fuzz: any mangled exposition parses or fails with an ExpositionError, never anything else", () => {
  const base = `${nodeText({ cpu: [modes(1, 2, 3)], memTotal: 10, memAvailable: 5, load: [1, 2, 3] })}x{a="b\\"c",d="e\\\\f"} +Inf\ny NaN\n`;
  const next = random(20261204);
  let parsed = 0;
  let refused = 0;
  const deadline = performance.now() + 5000;
  for (let i = 0; i < 3000 && performance.now() < deadline; i++) {
    const chars = [...base];
    const edits = 1 + Math.floor(next() * 6);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * chars.length);
      const what = next();
      const c = ALPHABET[Math.floor(next() * ALPHABET.length)]!;
      if (what < 0.4) chars[at] = c;
      else if (what < 0.7) chars.splice(at, 1);
      else chars.splice(at, 0, c);
    }
    const text = chars.join("");
    try {
      const exposition = parseExposition(text);
      for (const [name, samples] of exposition) {
        assert.match(name, /^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
        for (const s of samples) assert.equal(typeof s.value, "number", `${name} in ${JSON.stringify(text)}`);
      }
      parsed++;
    } catch (error) {
      assert.ok(error instanceof ExpositionError, `${String(error)} for ${JSON.stringify(text)}`);
      refused++;
    }
  }
  assert.ok(parsed > 100 && refused > 100, `parsed ${parsed}, refused ${refused}`);
});
