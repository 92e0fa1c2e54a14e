/**
 * TEST DEVICE, not a product feature: wraps an Engine and makes every round slower by a given proportion, by
 * busy-waiting after the round (a real slowdown burns CPU too, so it meets the machine's noise as a slower
 * runtime would). Used only by bench/gate-accuracy.ts and the tests, to give the gate a known regression.
 *
 * A slowdown s (0.25 = 25 %) lowers throughput by s: a round that took `elapsed` is stretched to
 * elapsed / (1 - s), so tokens/s (or calls/s) becomes (1 - s) times what the inner engine delivered. The
 * identity is the inner engine's (so the gate compares it with a baseline as a regression of the same
 * runtime) with `details.test_slowdown` recording what was done.
 */
import type { EmbeddingRound, Engine, GenerationRound } from "./types.js";

/** The slowdown of a round: a constant, or a function of the round index (0-based, warmup included). */
export type SlowdownSchedule = number | ((round: number) => number);

const now = () => process.hrtime.bigint();

function busyWaitUntil(deadline: bigint): bigint {
  let t = now();
  while (t < deadline) t = now();
  return t;
}

function stretch(startNs: bigint, endNs: bigint, s: number): bigint {
  if (!(s >= 0 && s < 1)) throw new RangeError(`slowdown must be in [0, 1), got ${s}`);
  if (s === 0) return endNs;
  const elapsed = Number(endNs - startNs);
  const extra = BigInt(Math.round((elapsed * s) / (1 - s)));
  busyWaitUntil(endNs + extra);
  return endNs + extra;
}

/**
 * Wraps `inner` so that each round's throughput drops by the scheduled proportion.
 * @param schedule the slowdown as a fraction in [0, 1), or a function of the round index.
 */
export function withSlowdownForTests(inner: Engine, schedule: SlowdownSchedule): Engine {
  let round = 0;
  const next = () => (typeof schedule === "number" ? schedule : schedule(round++));
  return {
    identity: {
      ...inner.identity,
      details: {
        ...inner.identity.details,
        test_slowdown: typeof schedule === "number" ? schedule : "schedule",
      },
    },
    settings: inner.settings,
    countTokens: (text) => inner.countTokens(text),
    async generate(prompt, maxNewTokens): Promise<GenerationRound> {
      const r = await inner.generate(prompt, maxNewTokens);
      const end = stretch(r.start_ns, r.end_ns, next());
      return { ...r, end_ns: end };
    },
    async embed(texts): Promise<EmbeddingRound> {
      const r = await inner.embed(texts);
      const end = stretch(r.start_ns, r.end_ns, next());
      return { ...r, end_ns: end };
    },
    dispose: () => inner.dispose(),
  };
}
