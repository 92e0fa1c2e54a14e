import { describe, expect, it } from "vitest";
import {
  bootstrapRatioCi,
  mad,
  mannWhitneyU,
  mean,
  median,
  normalCdf,
  percentile,
  robustCv,
  stddev,
  summarize,
} from "../../src/stats/index.js";
import { mulberry32, randomInt } from "../../src/util/prng.js";

/** Relative closeness, for tail probabilities far below toBeCloseTo's absolute precision. */
function expectRelClose(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * rel);
}

describe("descriptive statistics", () => {
  it("median of odd and even counts, unsorted input, not mutated", () => {
    const odd = Object.freeze([3, 1, 2]);
    const even = Object.freeze([4, 1, 3, 2]);
    expect(median(odd)).toBe(2);
    expect(median(even)).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([-5, 10])).toBe(2.5);
    expect(odd).toEqual([3, 1, 2]);
    expect(even).toEqual([4, 1, 3, 2]);
  });

  it("mean and sample stddev (n-1)", () => {
    // mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; variance 32/7.
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    expect(stddev(xs)).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(stddev(xs)).toBeCloseTo(2.1380899353, 9);
    expect(stddev([42])).toBe(0);
    expect(stddev([3, 3, 3])).toBe(0);
  });

  it("MAD of a known set (raw, no 1.4826 factor)", () => {
    // median 2; |x-2| = 1,1,0,0,2,4,7 -> sorted 0,0,1,1,2,4,7 -> median 1.
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
    // median 30; |x-30| = 20,10,0,10,20 -> median 10.
    expect(mad([50, 10, 40, 20, 30])).toBe(10);
    // even count: median 2.5; |x-2.5| = 1.5,0.5,0.5,1.5 -> median 1.
    expect(mad([1, 2, 3, 4])).toBe(1);
    expect(mad([5])).toBe(0);
  });

  it("robust CV = 1.4826 * mad / median, with the zero-median cases", () => {
    expect(robustCv([1, 1, 2, 2, 4, 6, 9])).toBeCloseTo((1.4826 * 1) / 2, 12); // 0.7413
    expect(robustCv([10, 20, 30, 40, 50])).toBeCloseTo(14.826 / 30, 12);
    expect(robustCv([5, 5, 5])).toBe(0);
    expect(robustCv([0, 0, 0])).toBe(0);
    expect(robustCv([-1, 0, 1])).toBe(Number.POSITIVE_INFINITY);
    expect(robustCv([-10, -20, -30])).toBeCloseTo(14.826 / 20, 12); // non-negative for negative data
  });

  it("percentile matches numpy's linear method (worked by hand)", () => {
    const xs = Object.freeze([4, 1, 3, 2]);
    // index = (n-1) * p / 100 = 3p/100 into [1,2,3,4]
    expect(percentile(xs, 90)).toBeCloseTo(3.7, 12); // index 2.7: 3 + 0.7
    expect(percentile(xs, 25)).toBeCloseTo(1.75, 12); // index 0.75
    expect(percentile(xs, 50)).toBe(2.5); // index 1.5
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile(xs, 100)).toBe(4);
    expect(xs).toEqual([4, 1, 3, 2]);
    const ys = [50, 10, 40, 20, 30];
    // index = 4p/100 into [10,20,30,40,50]
    expect(percentile(ys, 10)).toBeCloseTo(14, 12); // index 0.4
    expect(percentile(ys, 90)).toBeCloseTo(46, 12); // index 3.6
    expect(percentile(ys, 99)).toBeCloseTo(49.6, 12); // index 3.96
    expect(percentile(ys, 75)).toBe(40); // index 3 exactly
    expect(percentile([7], 37)).toBe(7);
  });

  it("summarize gives every field, with snake_case keys", () => {
    const xs = [50, 10, 40, 20, 30];
    const s = summarize(xs);
    expect(Object.keys(s).sort()).toEqual(
      ["n", "min", "max", "mean", "median", "mad", "robust_cv", "stddev", "p10", "p90", "p99"].sort(),
    );
    expect(s.n).toBe(5);
    expect(s.min).toBe(10);
    expect(s.max).toBe(50);
    expect(s.mean).toBe(30);
    expect(s.median).toBe(30);
    expect(s.mad).toBe(10);
    expect(s.robust_cv).toBeCloseTo(14.826 / 30, 12);
    expect(s.stddev).toBeCloseTo(Math.sqrt(250), 12); // (400+100+0+100+400)/4
    expect(s.p10).toBeCloseTo(14, 12);
    expect(s.p90).toBeCloseTo(46, 12);
    expect(s.p99).toBeCloseTo(49.6, 12);
    expect(xs).toEqual([50, 10, 40, 20, 30]);

    const one = summarize([3]);
    expect(one).toEqual({
      n: 1,
      min: 3,
      max: 3,
      mean: 3,
      median: 3,
      mad: 0,
      robust_cv: 0,
      stddev: 0,
      p10: 3,
      p90: 3,
      p99: 3,
    });
  });

  it("throws RangeError on empty input, NaN, or p out of range", () => {
    for (const f of [median, mean, stddev, mad, robustCv, summarize]) {
      expect(() => f([])).toThrow(RangeError);
      expect(() => f([1, Number.NaN])).toThrow(RangeError);
    }
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1, 2], -1)).toThrow(RangeError);
    expect(() => percentile([1, 2], 100.5)).toThrow(RangeError);
    expect(() => percentile([1, 2], Number.NaN)).toThrow(RangeError);
  });
});

describe("normalCdf", () => {
  it("matches known values of the standard normal CDF", () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 12);
    expect(normalCdf(-1.96)).toBeCloseTo(0.0249978951482204, 12);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 12);
    expect(normalCdf(3)).toBeCloseTo(0.9986501019683699, 12);
    expectRelClose(normalCdf(-5), 2.866515718791939e-7, 1e-9);
    expectRelClose(normalCdf(-8), 6.22096057427178e-16, 1e-9);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
  });

  it("is symmetric: Phi(z) + Phi(-z) = 1", () => {
    for (let z = -6; z <= 6; z += 0.37) {
      expect(normalCdf(z) + normalCdf(-z)).toBeCloseTo(1, 14);
    }
  });
});

/** Brute force: U of x by pair counting (x_i > y_j counts 1, ties 0.5). */
function pairU(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  return u;
}

/** Brute force: the exact p-values by enumerating every way to split the pooled values into |x| and |y|. */
function bruteForceP(x: readonly number[], y: readonly number[]) {
  const pooled = [...x, ...y];
  const n1 = x.length;
  const n2 = y.length;
  const uObs = pairU(x, y);
  const uMax = Math.max(uObs, n1 * n2 - uObs);
  let total = 0;
  let le = 0;
  let ge = 0;
  let geMax = 0;
  for (let mask = 0; mask < 1 << pooled.length; mask++) {
    let bits = 0;
    for (let m = mask; m; m &= m - 1) bits++;
    if (bits !== n1) continue;
    const xs = pooled.filter((_, i) => mask & (1 << i));
    const ys = pooled.filter((_, i) => !(mask & (1 << i)));
    const u = pairU(xs, ys);
    total++;
    if (u <= uObs) le++;
    if (u >= uObs) ge++;
    if (u >= uMax) geMax++;
  }
  return { less: le / total, greater: ge / total, twoSided: Math.min(1, (2 * geMax) / total) };
}

describe("mannWhitneyU", () => {
  it("exact: fully separated samples of 5 give p = 1/C(10,5) = 1/252", () => {
    const x = [1, 2, 3, 4, 5];
    const y = [6, 7, 8, 9, 10];
    const less = mannWhitneyU(x, y, "less");
    expect(less.exact).toBe(true);
    expect(less.u).toBe(0);
    expect(less.p_value).toBeCloseTo(1 / 252, 15);
    expect(less.p_value).toBeCloseTo(0.003968, 6);
    expect(mannWhitneyU(x, y, "two-sided").p_value).toBeCloseTo(2 / 252, 15);
    expect(mannWhitneyU(x, y, "greater").p_value).toBe(1);
    const greater = mannWhitneyU(y, x, "greater");
    expect(greater.u).toBe(25);
    expect(greater.p_value).toBeCloseTo(1 / 252, 15);
  });

  it("exact at the largest size (20 vs 20): p = 1/C(40,20)", () => {
    const x = Array.from({ length: 20 }, (_, i) => i + 1);
    const y = Array.from({ length: 20 }, (_, i) => i + 21);
    const r = mannWhitneyU(x, y, "less");
    expect(r.exact).toBe(true);
    expectRelClose(r.p_value, 1 / 137846528820, 1e-12);
  });

  it("exact path agrees with brute-force enumeration of all splits", () => {
    const rng = mulberry32(7);
    const sizes: Array<[number, number]> = [
      [1, 1],
      [1, 4],
      [3, 6],
      [6, 3],
      [4, 5],
      [5, 5],
      [7, 4],
      [2, 9],
    ];
    for (const [n1, n2] of sizes) {
      for (let rep = 0; rep < 3; rep++) {
        const shift = rep - 1; // no shift, or a shift either way
        const x = Array.from({ length: n1 }, () => rng() * 4 + shift);
        const y = Array.from({ length: n2 }, () => rng() * 4);
        const bf = bruteForceP(x, y);
        const less = mannWhitneyU(x, y, "less");
        const greater = mannWhitneyU(x, y, "greater");
        const two = mannWhitneyU(x, y, "two-sided");
        expect(less.exact && greater.exact && two.exact).toBe(true);
        expect(less.u).toBe(pairU(x, y));
        expect(less.p_value).toBeCloseTo(bf.less, 12);
        expect(greater.p_value).toBeCloseTo(bf.greater, 12);
        expect(two.p_value).toBeCloseTo(bf.twoSided, 12);
      }
    }
  });

  it("ties use the asymptotic path with tie and continuity corrections (worked by hand)", () => {
    // pooled sorted: 1x 2x 2x 2y 3x 3y 4y 4y 5y; midranks 1, 3,3,3, 5.5,5.5, 7.5,7.5, 9
    // R1 = 1 + 3 + 3 + 5.5 = 12.5; U1 = 12.5 - 4*5/2 = 2.5 (pairs: 0 + 0.5 + 0.5 + 1.5)
    // mu = 10; tie groups t = 3, 2, 2: sum(t^3 - t) = 24 + 6 + 6 = 36; n(n-1) = 72
    // sigma = sqrt(20/12 * (10 - 36/72)) = sqrt(190/12) = 3.9791121287711073
    // less:    z = (2.5 - 10 + 0.5)/sigma = -1.7591864148; p = Phi(z)       = 0.0392729254756
    // greater: z = (2.5 - 10 - 0.5)/sigma = -2.0104987598; p = 1 - Phi(z)   = 0.9778107863273
    // two:     |z| = (7.5 - 0.5)/sigma    =  1.7591864148; p = 2 Phi(-|z|) = 0.0785458509512
    const x = [1, 2, 2, 3];
    const y = [2, 3, 4, 4, 5];
    const less = mannWhitneyU(x, y, "less");
    expect(less.exact).toBe(false);
    expect(less.u).toBe(2.5);
    expect(less.z).toBeCloseTo(-7 / Math.sqrt(190 / 12), 12);
    expect(less.z).toBeCloseTo(-1.759186414825121, 10);
    expect(less.p_value).toBeCloseTo(0.0392729254756, 11);
    const greater = mannWhitneyU(x, y, "greater");
    expect(greater.z).toBeCloseTo(-2.0104987598001385, 10);
    expect(greater.p_value).toBeCloseTo(0.9778107863273, 11);
    const two = mannWhitneyU(x, y, "two-sided");
    expect(two.z).toBeCloseTo(-1.759186414825121, 10);
    expect(two.p_value).toBeCloseTo(0.0785458509512, 11);
  });

  it("samples over 20 use the asymptotic path even without ties", () => {
    // U = 0, mu = 312.5, sigma = sqrt(625/12 * 51) = 51.538820320; z = -312/sigma = -6.0536892009
    const x = Array.from({ length: 25 }, (_, i) => i + 1);
    const y = Array.from({ length: 25 }, (_, i) => i + 26);
    const r = mannWhitneyU(x, y, "less");
    expect(r.exact).toBe(false);
    expect(r.u).toBe(0);
    expect(r.z).toBeCloseTo(-312 / Math.sqrt((625 / 12) * 51), 12);
    expectRelClose(r.p_value, 7.078281124247817e-10, 1e-8);
  });

  it("identical samples: two-sided p = 1 and the one-sided halves agree", () => {
    // U = mu = 12.5; each one-sided p = Phi(0.5/sigma) with sigma = sqrt(25/12 * (11 - 30/90))
    const xs = [1, 2, 3, 4, 5];
    const less = mannWhitneyU(xs, [...xs], "less");
    const greater = mannWhitneyU(xs, [...xs], "greater");
    const two = mannWhitneyU(xs, [...xs], "two-sided");
    expect(less.u).toBe(12.5);
    expect(two.p_value).toBe(1);
    expect(less.p_value).toBeCloseTo(greater.p_value, 15);
    expect(less.p_value).toBeCloseTo(0.5422350133116141, 12);
    expect(less.p_value).toBeGreaterThan(0.5);

    for (const alt of ["less", "greater", "two-sided"] as const) {
      const r = mannWhitneyU([3, 3, 3], [3, 3], alt); // every value tied: sigma = 0
      expect(r).toEqual({ u: 3, z: 0, p_value: 1, exact: false });
    }
  });

  it("swapping the samples mirrors U and the one-sided alternatives; inputs are not mutated", () => {
    const x = Object.freeze([5.1, 3.3, 8.2, 1.4, 9.9, 2.2, 7.7]);
    const y = Object.freeze([4.4, 6.6, 3.9, 10.5, 11.2, 6.1]);
    const a = mannWhitneyU(x, y, "less");
    const b = mannWhitneyU(y, x, "greater");
    expect(a.u + b.u).toBe(x.length * y.length);
    expect(a.p_value).toBeCloseTo(b.p_value, 15);
    expect(x).toEqual([5.1, 3.3, 8.2, 1.4, 9.9, 2.2, 7.7]);
    expect(y).toEqual([4.4, 6.6, 3.9, 10.5, 11.2, 6.1]);
  });

  it("validates its arguments", () => {
    expect(() => mannWhitneyU([], [1, 2], "less")).toThrow(RangeError);
    expect(() => mannWhitneyU([1, 2], [], "less")).toThrow(RangeError);
    expect(() => mannWhitneyU([1, Number.NaN], [1, 2], "less")).toThrow(RangeError);
    expect(() => mannWhitneyU([1], [2], "both" as "less")).toThrow(RangeError);
  });
});

describe("bootstrapRatioCi", () => {
  /** n values of level * (1 + spread * u), u uniform in [-1, 1), from its own seeded stream. */
  function noisy(n: number, level: number, spread: number, seed: number): number[] {
    const rng = mulberry32(seed);
    return Array.from({ length: n }, () => level * (1 + spread * (2 * rng() - 1)));
  }

  it("is deterministic for a seed, reports its settings and defaults", () => {
    const base = noisy(30, 100, 0.1, 11);
    const cand = noisy(30, 103, 0.1, 12);
    const a = bootstrapRatioCi(base, cand);
    const b = bootstrapRatioCi(base, cand);
    expect(a).toEqual(b);
    expect(a.seed).toBe(1);
    expect(a.iterations).toBe(2000);
    expect(a.confidence).toBe(0.95);
    expect(bootstrapRatioCi(base, cand, { seed: 1, iterations: 2000, confidence: 0.95 })).toEqual(a);
    const other = bootstrapRatioCi(base, cand, { seed: 2 });
    expect(other.seed).toBe(2);
    expect(other.ratio).toBe(a.ratio);
    expect([other.low, other.high]).not.toEqual([a.low, a.high]);
  });

  it("ratio is median(candidate)/median(baseline) and the CI contains it", () => {
    const base = noisy(41, 100, 0.1, 21);
    const cand = noisy(41, 102, 0.1, 22);
    const r = bootstrapRatioCi(base, cand, { seed: 5 });
    expect(r.ratio).toBe(median(cand) / median(base));
    expect(r.low).toBeLessThanOrEqual(r.ratio);
    expect(r.high).toBeGreaterThanOrEqual(r.ratio);
    expect(r.low).toBeLessThan(r.high);
    // a narrower confidence gives a nested interval from the same resamples
    const r80 = bootstrapRatioCi(base, cand, { seed: 5, confidence: 0.8 });
    expect(r80.low).toBeGreaterThanOrEqual(r.low);
    expect(r80.high).toBeLessThanOrEqual(r.high);
  });

  it("constant samples give a degenerate interval at the exact ratio", () => {
    const r = bootstrapRatioCi([10, 10, 10, 10], [12, 12, 12], { iterations: 50 });
    expect(r.ratio).toBeCloseTo(1.2, 15);
    expect(r.low).toBeCloseTo(1.2, 15);
    expect(r.high).toBeCloseTo(1.2, 15);
  });

  it("one iteration replays mulberry32(seed): baseline indices first, then candidate", () => {
    const base = [10, 20, 30, 40];
    const cand = [15, 25, 35];
    const rng = mulberry32(9);
    const b = base.map(() => base[randomInt(rng, base.length)] as number);
    const c = cand.map(() => cand[randomInt(rng, cand.length)] as number);
    const expected = median(c) / median(b);
    const r = bootstrapRatioCi(base, cand, { seed: 9, iterations: 1 });
    expect(r.low).toBe(expected);
    expect(r.high).toBe(expected);
  });

  it("a clear 25% slowdown has a CI above 1; no change has a CI around 1", () => {
    const base = noisy(30, 100, 0.05, 31);
    const slow = noisy(30, 125, 0.05, 32);
    const r = bootstrapRatioCi(base, slow);
    expect(r.ratio).toBeGreaterThan(1.2);
    expect(r.ratio).toBeLessThan(1.3);
    expect(r.low).toBeGreaterThan(1);
    expect(r.low).toBeGreaterThan(1.15);

    const same = noisy(30, 100, 0.05, 33);
    const s = bootstrapRatioCi(base, same);
    expect(s.low).toBeLessThan(1);
    expect(s.high).toBeGreaterThan(1);
  });

  it("does not mutate its inputs", () => {
    const base = Object.freeze([3, 1, 2, 5, 4]);
    const cand = Object.freeze([6, 2, 4]);
    bootstrapRatioCi(base, cand, { iterations: 10 });
    expect(base).toEqual([3, 1, 2, 5, 4]);
    expect(cand).toEqual([6, 2, 4]);
  });

  it("validates its arguments", () => {
    const ok = [1, 2, 3];
    expect(() => bootstrapRatioCi([], ok)).toThrow(RangeError);
    expect(() => bootstrapRatioCi(ok, [])).toThrow(RangeError);
    expect(() => bootstrapRatioCi([1, 0, 2], ok)).toThrow(RangeError);
    expect(() => bootstrapRatioCi([1, -2, 3], ok)).toThrow(RangeError);
    expect(() => bootstrapRatioCi([1, Number.NaN], ok)).toThrow(RangeError);
    expect(() => bootstrapRatioCi(ok, [1, Number.POSITIVE_INFINITY])).toThrow(RangeError);
    expect(() => bootstrapRatioCi(ok, ok, { iterations: 0 })).toThrow(RangeError);
    expect(() => bootstrapRatioCi(ok, ok, { iterations: 1.5 })).toThrow(RangeError);
    expect(() => bootstrapRatioCi(ok, ok, { confidence: 0 })).toThrow(RangeError);
    expect(() => bootstrapRatioCi(ok, ok, { confidence: 1 })).toThrow(RangeError);
    expect(() => bootstrapRatioCi(ok, ok, { confidence: 95 })).toThrow(RangeError);
    expect(() => bootstrapRatioCi(ok, ok, { seed: 1.5 })).toThrow(RangeError);
    expect(() => bootstrapRatioCi(ok, ok, { seed: Number.NaN })).toThrow(RangeError);
  });
});
