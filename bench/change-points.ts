/**
 * Change-point detector figures (issue 13): E-Divisive means with a permutation test
 * (src/stats/change-points.ts) on synthetic series of 50 points with 3 % Gaussian noise: how many of 100 flat
 * series give no change point, and how many of 100 series with a 10 % step (a drop, placed uniformly in
 * [10, 40]) give one within 2 points of the step. Several seeds, so the spread of the figures shows.
 *
 * Usage: npx tsx bench/change-points.ts [--seeds 5] [--series 100] [--n 50] [--noise 0.03] [--step -0.10]
 * Prints one JSON document on stdout and a table on stderr.
 */
import { parseArgs } from "node:util";
import { detectorRates } from "../test/support/change-points-check.js";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "5" },
    series: { type: "string", default: "100" },
    n: { type: "string", default: "50" },
    noise: { type: "string", default: "0.03" },
    step: { type: "string", default: "-0.10" },
  },
});
const seeds = Number(values.seeds);
const opts = {
  series: Number(values.series),
  n: Number(values.n),
  noise: Number(values.noise),
  step: Number(values.step),
  tolerance: 2,
};
const rows = [];
for (let seed = 1; seed <= seeds; seed++) {
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
