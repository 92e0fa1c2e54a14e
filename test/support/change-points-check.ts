/**
 * TEST RIG, not a product feature: synthetic series for checking the change-point detector
 * (src/stats/change-points.ts), and the detector's false-alarm and detection rates on them (issue 13's
 * acceptance figures): flat series of `n` points with relative Gaussian noise, and the same with one step.
 * Pure and seeded; used by bench/change-points.ts (prints the figures), bench/history-store.ts, the unit test
 * (checks them on fixed seeds) and ./history-fixtures.ts.
 */
import { type ChangePointOptions, eDivisiveMeans } from "../../src/stats/change-points.js";
import { mulberry32, type Rng, randomInt } from "../../src/util/prng.js";

/** A standard normal draw from two uniforms (Box-Muller), for synthetic series. */
export function gaussian(rng: Rng): number {
  const u = Math.max(rng(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * A synthetic series for checking the detector: `n` points around `level` with Gaussian noise of relative
 * size `noise` (0.03 = 3 %), and optionally a step by `step` (0.10 = +10 %, -0.10 = -10 %) from index `at` on.
 */
export function syntheticSeries(
  seed: number,
  n: number,
  noise: number,
  step?: { at: number; by: number },
  level = 100,
): number[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const base = step && i >= step.at ? level * (1 + step.by) : level;
    return base * (1 + noise * gaussian(rng));
  });
}

/** What {@link detectorRates} measures. */
export interface DetectorRates {
  series: number;
  /** flat series in which no change point was found */
  flat_clean: number;
  /** step series with a change point within `tolerance` points of the step */
  step_found: number;
  /** step series with a change point farther than `tolerance` from the step (false extras) */
  step_extra: number;
  tolerance: number;
}

/**
 * Runs the detector on `series` flat and `series` step series.
 * @param opts n points per series (default 50), noise fraction (default 0.03), step fraction (default -0.10,
 *   a 10 % drop; its place is drawn uniformly from [10, n - 10]), tolerance in points (default 2), seed (default 1).
 */
export function detectorRates(
  opts: {
    series?: number;
    n?: number;
    noise?: number;
    step?: number;
    tolerance?: number;
    seed?: number;
    detector?: ChangePointOptions;
  } = {},
): DetectorRates {
  const series = opts.series ?? 100;
  const n = opts.n ?? 50;
  const noise = opts.noise ?? 0.03;
  const step = opts.step ?? -0.1;
  const tolerance = opts.tolerance ?? 2;
  const seed = opts.seed ?? 1;
  const places = mulberry32(seed ^ 0x5eed);
  let flatClean = 0;
  let stepFound = 0;
  let stepExtra = 0;
  for (let s = 0; s < series; s++) {
    const flat = syntheticSeries(seed * 100_003 + 2 * s, n, noise);
    if (eDivisiveMeans(flat, opts.detector).length === 0) flatClean++;
    const at = 10 + randomInt(places, n - 19);
    const stepped = syntheticSeries(seed * 100_003 + 2 * s + 1, n, noise, { at, by: step });
    const found = eDivisiveMeans(stepped, opts.detector);
    if (found.some((c) => Math.abs(c.index - at) <= tolerance)) stepFound++;
    if (found.some((c) => Math.abs(c.index - at) > tolerance)) stepExtra++;
  }
  return { series, flat_clean: flatClean, step_found: stepFound, step_extra: stepExtra, tolerance };
}
