import { mulberry32, type Rng } from "../util/prng.js";

/**
 * Planned arrival times of requests under a target request rate, drawn from a seeded generator so that the
 * same seed gives the same schedule everywhere. As in vLLM's `benchmarks/serve.py`: gaps between arrivals
 * follow a gamma distribution with shape = burstiness and mean 1 / rate; burstiness 1 is a Poisson process
 * (exponential gaps), below 1 burstier, above 1 more even, and Infinity a constant rate.
 */

/** A standard normal draw (Box-Muller on two uniforms). */
function normal(rng: Rng): number {
  let u = rng();
  while (u <= Number.MIN_VALUE) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * A gamma(shape, scale) draw: Marsaglia and Tsang's method for shape >= 1, boosted by U^(1/shape) below 1.
 * @param rng uniform [0, 1) generator.
 * @param shape k > 0 (dimensionless).
 * @param scale theta > 0 (the unit of the result).
 * @returns a non-negative draw with mean shape * scale.
 */
export function gammaSample(rng: Rng, shape: number, scale: number): number {
  if (!(shape > 0) || !(scale > 0)) throw new RangeError(`gamma needs shape > 0 and scale > 0`);
  if (shape < 1) {
    let u = rng();
    while (u <= Number.MIN_VALUE) u = rng();
    return gammaSample(rng, shape + 1, scale) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng();
    if (u < 1 - 0.0331 * x ** 4) return d * v * scale;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}

/** How requests arrive. */
export interface ArrivalPlan {
  /** requests per second; null sends each request as soon as a concurrency slot is free */
  requestRate: number | null;
  /** gamma shape of the gaps: 1 is Poisson. Defaults to 1. */
  burstiness?: number;
  /** seed of the gap generator. Defaults to 0. */
  seed?: number;
}

/**
 * A generator of planned arrival offsets in seconds from the start of the run (the first request at 0),
 * or null offsets when there is no rate (send as fast as the concurrency allows).
 * With `count` known and a finite burstiness, the offsets are rescaled so that the last gap ends exactly at
 * count / rate, as vLLM does: the realised mean rate is then the target rate for every seed.
 * @param count how many arrivals will be drawn, when known (null for a run bounded by duration).
 */
export function arrivalOffsets(plan: ArrivalPlan, count: number | null): () => number | null {
  const rate = plan.requestRate;
  if (rate === null) return () => null;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`request rate must be > 0, got ${rate}`);
  const burstiness = plan.burstiness ?? 1;
  if (!(burstiness > 0)) throw new RangeError(`burstiness must be > 0, got ${burstiness}`);
  const rng = mulberry32(plan.seed ?? 0);
  const gap = () =>
    burstiness === Number.POSITIVE_INFINITY
      ? 1 / rate
      : gammaSample(rng, burstiness, 1 / (rate * burstiness));
  if (count !== null && count > 0 && burstiness !== Number.POSITIVE_INFINITY) {
    // gap i is drawn before arrival i (arrival 0 at 0); offsets are rescaled to end at count / rate
    const offsets: number[] = [0];
    let t = 0;
    for (let i = 1; i < count; i++) {
      t += gap();
      offsets.push(t);
    }
    const total = t + gap();
    const factor = total > 0 ? count / rate / total : 1;
    let i = 0;
    return () => {
      const o = offsets[i++];
      return o === undefined ? null : o * factor;
    };
  }
  let t = 0;
  let first = true;
  return () => {
    if (first) {
      first = false;
      return 0;
    }
    t += gap();
    return t;
  };
}
