/**
 * Seeded pseudo-random generators. Everything the project draws at random (dummy weights, bootstrap
 * resamples, arrival times) goes through these so that the same seed gives the same numbers everywhere.
 */

/** A generator of uniform floats in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: a small, fast 32-bit generator, good enough for weights and resampling (not for crypto).
 * @param seed any integer; only its low 32 bits are used.
 * @returns a function that returns a uniform float in [0, 1) on each call.
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A uniform integer in [0, n).
 * @param rng the generator to draw from.
 * @param n the exclusive upper bound, a positive integer.
 */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}
