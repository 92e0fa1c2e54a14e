/**
 * Issue 8, fault 5: the gate's statistics in their fast forms give the same answers. Mann-Whitney U from one
 * sort per sample equals the pair count; the bootstrap's order-statistic draw of a resampled median has the
 * distribution of value-by-value resampling; a million samples per side are analysed (speed is measured in
 * bench/gate-scaling.ts, not asserted here: the machine is shared).
 */
import { describe, expect, it } from "vitest";
import { parseGateConfig } from "../../src/config/gate-config.js";
import {
  bootstrapMedianSampler,
  bootstrapRatioCi,
  DIRECT_RESAMPLE_MAX_N,
  mad,
  mannWhitneyU,
  median,
  percentile,
  robustCv,
} from "../../src/stats/index.js";
import { ConfigFileError } from "../../src/util/errors.js";
import { mulberry32 } from "../../src/util/prng.js";

function sample(n: number, seed: number, round = false): number[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const v = 100 * (1 + 0.1 * (2 * rng() - 1)) + (rng() < 0.05 ? 40 * rng() : 0); // a few outliers
    return round ? Math.round(v) : v;
  });
}

describe("Mann-Whitney U in O(n log n)", () => {
  it("U equals the count of pairs x > y plus half the ties, on heavily tied samples", () => {
    const x = sample(700, 1, true);
    const y = sample(450, 2, true);
    let pairs = 0;
    for (const a of x) for (const b of y) pairs += a > b ? 1 : a === b ? 0.5 : 0;
    const r = mannWhitneyU(x, y, "two-sided");
    expect(r.u).toBe(pairs);
    expect(r.exact).toBe(false);
  });
});

describe("median, MAD and robust CV by selection equal those of a full sort", () => {
  it("odd and even sizes, ties, negative values", () => {
    for (const [n, seed] of [
      [1, 3],
      [2, 4],
      [999, 5],
      [1000, 6],
      [4097, 7],
    ] as const) {
      const xs = sample(n, seed, seed % 2 === 0).map((v, i) => (i % 7 === 0 ? -v : v));
      const sorted = [...xs].sort((a, b) => a - b);
      const mid = n >> 1;
      const expected =
        n % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
      expect(median(xs)).toBe(expected);
      expect(median(xs)).toBe(percentile(xs, 50));
      const dev = xs.map((v) => Math.abs(v - expected)).sort((a, b) => a - b);
      const madExpected =
        n % 2 ? (dev[mid] as number) : ((dev[mid - 1] as number) + (dev[mid] as number)) / 2;
      expect(mad(xs)).toBe(madExpected);
      expect(robustCv(xs)).toBe((1.4826 * madExpected) / Math.abs(expected));
    }
  });
});

describe("the bootstrap's order-statistic draw of a resampled median", () => {
  /** Quantiles 2.5, 25, 50, 75, 97.5 % and the mean of `draws` resampled medians. */
  function distribution(src: number[], method: "direct" | "order-statistic", draws: number, seed: number) {
    const next = bootstrapMedianSampler(src, method);
    const rng = mulberry32(seed);
    const ms = Array.from({ length: draws }, () => next(rng));
    return {
      q: [2.5, 25, 50, 75, 97.5].map((p) => percentile(ms, p)),
      mean: ms.reduce((a, b) => a + b, 0) / draws,
      distinct: new Set(ms).size,
    };
  }

  for (const n of [1001, 1002]) {
    it(`has the distribution of value-by-value resampling (n = ${n}, ${n % 2 ? "odd" : "even"})`, () => {
      const src = sample(n, n);
      const draws = 20_000;
      const direct = distribution(src, "direct", draws, 11);
      const fast = distribution(src, "order-statistic", draws, 12);
      // the resampled median's spread: about 1.25 sd / sqrt(n); quantiles of 20 000 draws agree to a few %
      const spread = (direct.q[4] as number) - (direct.q[0] as number);
      expect(spread).toBeGreaterThan(0);
      for (let i = 0; i < 5; i++) {
        expect(Math.abs((fast.q[i] as number) - (direct.q[i] as number))).toBeLessThan(0.05 * spread);
      }
      expect(Math.abs(fast.mean - direct.mean)).toBeLessThan(0.02 * spread);
      // it lands on the sample's own values (or midpoints of two), many of them
      expect(fast.distinct).toBeGreaterThan(50);
      if (n % 2 === 1) for (const v of fast.q) expect(src).toContain(v);
    });
  }

  it("the tolerance above can tell distributions apart: upper half 2 % higher moves the upper quantile", () => {
    const src = sample(1001, 1001);
    const pushed = src.map((v) => (v > median(src) ? v * 1.02 : v));
    const a = distribution(src, "order-statistic", 20_000, 12);
    const b = distribution(pushed, "order-statistic", 20_000, 12);
    const spread = (a.q[4] as number) - (a.q[0] as number);
    expect(Math.abs((b.q[4] as number) - (a.q[4] as number))).toBeGreaterThan(0.05 * spread);
  });

  it("is used above DIRECT_RESAMPLE_MAX_N, with a CI that agrees with value-by-value resampling", () => {
    const n = DIRECT_RESAMPLE_MAX_N + 500;
    const base = sample(n, 21);
    const cand = sample(n + 1, 22).map((v) => v * 0.97);
    const fast = bootstrapRatioCi(base, cand, { seed: 3 });
    // the same interval by value-by-value resampling, written out here
    const rng = mulberry32(4);
    const db = bootstrapMedianSampler(base, "direct");
    const dc = bootstrapMedianSampler(cand, "direct");
    const ratios = Array.from({ length: 2000 }, () => {
      const b = db(rng);
      return dc(rng) / b;
    });
    const low = percentile(ratios, 2.5);
    const high = percentile(ratios, 97.5);
    const width = high - low;
    expect(Math.abs(fast.low - low)).toBeLessThan(0.1 * width);
    expect(Math.abs(fast.high - high)).toBeLessThan(0.1 * width);
    expect(fast.ratio).toBe(median(cand) / median(base));
  });

  it("a million samples per side: deterministic, and the interval brackets the ratio", () => {
    const n = 1_000_000;
    const base = sample(n, 31);
    const cand = sample(n, 32).map((v) => v * 0.9);
    const a = bootstrapRatioCi(base, cand, { seed: 1 });
    const b = bootstrapRatioCi(base, cand, { seed: 1 });
    expect(a).toEqual(b);
    expect(a.low).toBeLessThan(a.ratio);
    expect(a.high).toBeGreaterThan(a.ratio);
    expect(a.high - a.low).toBeLessThan(0.01); // the median of 10^6 values is known to a fraction of a per cent
    expect(mannWhitneyU(cand, base, "less").p_value).toBeLessThan(1e-12);
  });
});

describe("the bootstrap's cost has a bound in the configuration", () => {
  it("bootstrap.iterations above 100 000 is refused with the field named", () => {
    expect(() => parseGateConfig({ bootstrap: { iterations: 1e9 } }, "cfg.json")).toThrow(ConfigFileError);
    expect(() => parseGateConfig({ bootstrap: { iterations: 1e9 } }, "cfg.json")).toThrow(
      /bootstrap\.iterations/,
    );
    expect(parseGateConfig({ bootstrap: { iterations: 100_000 } }, "cfg.json").bootstrap.iterations).toBe(
      100_000,
    );
  });
});
