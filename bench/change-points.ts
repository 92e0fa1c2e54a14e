/**
 * Change-point detector figures (issue 13): E-Divisive means with a permutation test
 * (src/stats/change-points.ts) on synthetic series of 50 points with 3 % Gaussian noise: how many of 100 flat
 * series give no change point, and how many of 100 series with a 10 % step (a drop, placed uniformly in
 * [10, 40]) give one within 2 points of the step. Several seeds, so the spread of the figures shows.
 *
 * Usage: npx tsx bench/change-points.ts [--seeds 5] [--series 100] [--n 50] [--noise 0.03] [--step -0.10]
 * Prints one JSON document on stdout and a table on stderr.
 */
import { decimalOpt, intOpt, parseScript } from "./lib/args.js";
import { detectorRates } from "./lib/synthetic.js";

const { values } = parseScript(
  {
    name: "bench/change-points.ts",
    summary: "The change-point detector's false-alarm and detection rates on synthetic series (issue 13).",
    usage: "npx tsx bench/change-points.ts [options]",
  },
  {
    seeds: intOpt("seeds 1..N, one row each", 5),
    series: intOpt("flat and step series per seed", 100),
    n: intOpt("points per series (the step lies in [10, n - 10])", 50, { min: 20, max: 100_000 }),
    noise: decimalOpt("relative Gaussian noise of each point", 0.03, 0, 1),
    step: decimalOpt("the step, a fraction of the level (-0.10: a 10 % drop)", -0.1, -0.99, 1),
  },
);
const opts = { series: values.series, n: values.n, noise: values.noise, step: values.step, tolerance: 2 };
const rows = [];
for (let seed = 1; seed <= values.seeds; seed++) {
  const t0 = process.hrtime.bigint();
  const r = detectorRates({ ...opts, seed });
  const elapsed_s = Number(process.hrtime.bigint() - t0) / 1e9;
  rows.push({ seed, ...r, elapsed_s });
  process.stderr.write(
    `seed ${seed}: flat series without a change point ${r.flat_clean}/${r.series}; ${Math.abs(opts.step * 100)} % step found within ${r.tolerance} points ${r.step_found}/${r.series} (series with an extra change point ${r.step_extra}); ${elapsed_s.toFixed(2)} s\n`,
  );
}
process.stdout.write(
  `${JSON.stringify({ method: "e-divisive means, permutation test (alpha 0.01, 199 permutations, min segment 3)", ...opts, rows }, null, 2)}\n`,
);
