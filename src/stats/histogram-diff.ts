import { highestEquivalentValue, lowestEquivalentValue } from "./hdr-layout.js";
import { Histogram } from "./histogram.js";

/**
 * The values recorded into `later` since it was equal to `earlier` (a copy taken before):
 * counts subtracted slot by slot, exact. Min and max are the bounds of the first and last
 * non-empty slots (within 0.1 % of the true ones): a window of a run, from two cumulative
 * histograms, for thresholds that judge every window.
 */
export function histogramDifference(later: Histogram, earlier: Histogram | undefined): Histogram {
  const indices: number[] = [];
  const counts: number[] = [];
  later.forEachIndex((index, count) => {
    const difference = count - (earlier?.countAtIndex(index) ?? 0);
    if (difference > 0) {
      indices.push(index);
      counts.push(difference);
    }
  });
  const out = new Histogram();
  if (indices.length > 0) {
    out.addSparse(
      Int32Array.from(indices),
      Float64Array.from(counts),
      indices.length,
      lowestEquivalentValue(indices[0]!),
      highestEquivalentValue(indices[indices.length - 1]!),
    );
  }
  return out;
}
