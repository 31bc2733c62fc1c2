/**
 * The parser's differential fuzz, for as long as you like (npm test runs it for 2.5 s):
 * generated responses through Node's own client (llhttp) and through Cicada's parser,
 * cut at random places and byte by byte; stops at the first disagreement.
 *
 *   npm run fuzz:http -- [--seconds 300] [--seed 12345]
 */
import { parseArgs } from "node:util";
import { cicadaVerdict, comparable, show, startOracle } from "../unit/http/llhttp-oracle.js";
import { generateResponse, random } from "../unit/http/response-generator.js";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "300" }, seed: { type: "string" } },
});
const seed = Number(values.seed ?? Date.now() % 2 ** 31);
const seconds = Number(values.seconds);
const rng = random(seed);
const oracle = await startOracle();
const started = performance.now();
let cases = 0;
let accepted = 0;
let lastReport = started;
console.log(`fuzzing the HTTP/1.x response parser against llhttp for ${seconds} s, seed ${seed}`);
try {
  while (performance.now() - started < seconds * 1000) {
    const batch = Array.from({ length: 32 }, () => generateResponse(rng));
    const verdicts = await Promise.all(batch.map(({ bytes, method }) => oracle.verdict(bytes, method)));
    for (let i = 0; i < batch.length; i++) {
      const { bytes, method } = batch[i]!;
      const node = comparable(verdicts[i]!);
      if (verdicts[i]!.accepted) accepted++;
      const cuts = Array.from({ length: 3 }, () => Math.floor(rng() * bytes.length)).sort((a, b) => a - b);
      const tries: Array<[string, number[], boolean]> = [
        ["whole", [], false],
        [`cut at ${cuts.join(",")}`, cuts, true],
        ["byte by byte", Array.from({ length: bytes.length }, (_, k) => k), true],
      ];
      for (const [how, at, transient] of tries) {
        const cicada = cicadaVerdict(bytes, method, at, transient);
        if (JSON.stringify(comparable(cicada)) !== JSON.stringify(node)) {
          console.error(`DISAGREEMENT (seed ${seed}, case ${cases + i}, ${how}), ${method} ${show(bytes)}`);
          console.error(`  node:   ${JSON.stringify(verdicts[i])}`);
          console.error(`  cicada: ${JSON.stringify(cicada)}`);
          process.exitCode = 1;
          throw new Error("stop");
        }
      }
    }
    cases += batch.length;
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      console.log(`  ${cases} cases, ${accepted} accepted by both, no disagreement`);
    }
  }
  console.log(`done: ${cases} cases (${accepted} accepted by both) in ${seconds} s, no disagreement`);
} catch (error) {
  if ((error as Error).message !== "stop") throw error;
} finally {
  await oracle.close();
}
