/**
 * TEST DEVICES, not a product feature (they live in test/support, never in src/): engine wrappers that give
 * the gate a known regression. The engine process imports this module (bundled to plain JavaScript by
 * ./engine-devices.ts, which makes the EngineDevice values a test hands to runBenchmark) and calls
 * {@link wrapEngine} on the engine it loaded (src/execute/device.ts).
 *
 * Slowdown: wraps an Engine so that every round delivers a given proportion less throughput, as a slower
 * runtime would. Used by bench/gate-accuracy.ts, bench/ab-accuracy.ts and the tests.
 *
 * Generation: the round really computes more. On its first call the wrapper times the inner engine on the
 * round's prompt at n and 2n new tokens (three times each, medians; not part of any round) to learn the cost of
 * a decoded token d and of the fixed part P (prefill, set-up). For a slowdown s, each round then generates
 * e = round(s / (1 - s) x (P / d + n)) extra tokens and reports only the first n over the whole round's time,
 * so tokens/s falls by about s (the extra time e x d is s of the new round time). The tokens reported are the
 * same as without the wrapper (greedy decoding): the output digest does not change.
 * Embedding (a round is only a couple of calls, too coarse for whole extra calls): one extra call, its result
 * discarded, on a prefix of the round's text of s / (1 - s) of its characters (real work: instruction counts
 * rise by about that share), then the round is stretched to elapsed / (1 - s) by waiting where the extra call
 * fell short of it (sleeping, then spinning the last 2 ms to the deadline).
 * Waiting was tried for generation too: the pause let the engine's threads go idle and slowed its next round,
 * so a "25 %" wait dropped tokens/s by about 30 % on this machine; extra decoded tokens do not have that bias
 * (and extra tokens alone, without counting the fixed part, dropped it by only 17 %).
 * The identity is the inner engine's (so the gate compares it with a baseline as the same runtime, slower),
 * with `details.test_slowdown` recording what was done.
 */

import type { EmbeddingRound, Engine, GenerationRound } from "../../src/measure/engine-contract.js";
import { nowNs } from "../../src/util/clock.js";

/** The slowdown of a round: a constant, or a function of the round index (0-based, warmup included). */
export type SlowdownSchedule = number | ((round: number) => number);

function check(s: number): number {
  if (!(s >= 0 && s < 1)) throw new RangeError(`slowdown must be in [0, 1), got ${s}`);
  return s;
}

/** Extra tokens that lower tokens/s by about s, given the fixed cost of a round in decoded tokens (P / d). */
export function extraTokensFor(maxNewTokens: number, s: number, fixedInTokens: number): number {
  return Math.round((check(s) / (1 - s)) * (Math.max(0, fixedInTokens) + maxNewTokens));
}

function medianOf(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  return v[v.length >> 1] ?? 0;
}

/** P / d of the inner engine for this prompt and round length, from timed calls at n and 2n tokens. */
async function calibrate(inner: Engine, prompt: string, n: number): Promise<number> {
  const time = async (k: number) => {
    const r = await inner.generate(prompt, k);
    return Number(r.end_ns - r.start_ns);
  };
  const t1: number[] = [];
  const t2: number[] = [];
  for (let i = 0; i < 3; i++) {
    t1.push(await time(n));
    t2.push(await time(2 * n));
  }
  const d = (medianOf(t2) - medianOf(t1)) / n;
  return d > 0 ? (medianOf(t1) - n * d) / d : 0;
}

/**
 * The text of the extra embedding call of slowdown s: the first s / (1 - s) of the round's characters
 * (the texts joined by spaces), at least one character.
 */
export function extraTextFor(texts: readonly string[], s: number): string {
  const all = texts.join(" ");
  const share = check(s) / (1 - s);
  if (share === 0 || all === "") return "";
  return all.slice(0, Math.max(1, Math.round(all.length * share)));
}

/** Sleeps until 2 ms before `deadline`, then spins to it. */
async function waitUntil(deadline: bigint): Promise<void> {
  const coarseMs = Number(deadline - nowNs()) / 1e6 - 2;
  if (coarseMs > 0) await new Promise((resolve) => setTimeout(resolve, coarseMs));
  while (nowNs() < deadline) {
    // spin the last moment for an exact deadline
  }
}

/**
 * Wraps `inner` so that each round's throughput drops by the scheduled proportion.
 * @param schedule the slowdown as a fraction in [0, 1), or a function of the round index.
 */
export function withSlowdownForTests(inner: Engine, schedule: SlowdownSchedule): Engine {
  let round = 0;
  let fixed: { key: string; tokens: number } | null = null;
  const next = () => check(typeof schedule === "number" ? schedule : schedule(round++));
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
      const s = next();
      if (s === 0) return inner.generate(prompt, maxNewTokens);
      const key = `${maxNewTokens}:${prompt}`;
      if (fixed?.key !== key) fixed = { key, tokens: await calibrate(inner, prompt, maxNewTokens) };
      const extra = extraTokensFor(maxNewTokens, s, fixed.tokens);
      const r = await inner.generate(prompt, maxNewTokens + extra);
      if (extra === 0) return r;
      return firstTokensOf(r, maxNewTokens);
    },
    async embed(texts): Promise<EmbeddingRound> {
      const s = next();
      const r = await inner.embed(texts);
      if (s === 0) return r;
      // real extra work: one more embedding call, discarded, on a prefix of the round's text holding
      // s / (1 - s) of its characters (about that share of its tokens and instructions)
      const extraText = extraTextFor(texts, s);
      if (extraText !== "") await inner.embed([extraText]);
      // then, for wall time, the round is stretched to elapsed / (1 - s) where the extra call fell short
      const deadline = r.end_ns + BigInt(Math.round((Number(r.end_ns - r.start_ns) * s) / (1 - s)));
      await waitUntil(deadline);
      const end = nowNs();
      return { ...r, end_ns: end > deadline ? end : deadline };
    },
    dispose: () => inner.dispose(),
  };
}

/** A round that decoded extra tokens, reported as its first `n` tokens over the whole round's time. */
function firstTokensOf(r: GenerationRound, n: number): GenerationRound {
  return {
    ...r,
    output_tokens: Math.min(r.output_tokens, n),
    token_ids: r.token_ids?.slice(0, n) ?? null,
    chunk_times_ns: r.chunk_times_ns.slice(0, n),
  };
}

/**
 * TEST DEVICE: a fixed share `w` more real work per reported token or call, with no timing in it (so that
 * instruction counts rise by about w, the same in every process). Generation decodes ceil(w x n) extra
 * tokens per round of n and reports the first n; embedding lengthens the round's last text by
 * max(1, round(w x the round's input tokens)) tokens (a repeated word), so each round evaluates that many
 * more tokens in the same calls: an extra call would cost llama.cpp's fixed per-call work too (measured: a call
 * on 3 % of the text added 8 % of the instructions). The vectors are the lengthened text's, so the output
 * digest differs from the unchanged engine's. The rise is whole tokens: about 3.9 % for w = 0.03 on 16 new
 * tokens, 3.5 % on the workload's two texts (notes/gate-accuracy.md). Used by bench/instruction-accuracy.ts.
 * @param w the extra work, a fraction in [0, 1)
 */
export function withExtraWorkForTests(inner: Engine, w: number): Engine {
  if (!(w >= 0 && w < 1)) throw new RangeError(`extra work must be in [0, 1), got ${w}`);
  return {
    identity: {
      ...inner.identity,
      details: { ...inner.identity.details, test_extra_work: w },
    },
    settings: inner.settings,
    countTokens: (text) => inner.countTokens(text),
    async generate(prompt, maxNewTokens): Promise<GenerationRound> {
      const extra = Math.ceil(w * maxNewTokens);
      const r = await inner.generate(prompt, maxNewTokens + extra);
      if (extra === 0) return r;
      return firstTokensOf(r, maxNewTokens);
    },
    async embed(texts): Promise<EmbeddingRound> {
      const last = texts.at(-1);
      if (last === undefined || w === 0) return inner.embed(texts);
      const tokens = texts.reduce((a, t) => a + inner.countTokens(t), 0);
      const extra = Math.max(1, Math.round(w * tokens));
      const base = inner.countTokens(last);
      let longer = last;
      for (let i = 0; i < 4 * extra && inner.countTokens(longer) - base < extra; i++) longer += " more";
      return inner.embed([...texts.slice(0, -1), longer]);
    },
    dispose: () => inner.dispose(),
  };
}

/** The phase of a generation round a phase slowdown slows. */
export type Phase = "prefill" | "decode";

/**
 * TEST DEVICE: only one phase of every generation round `s` slower, the other's rate unchanged (issue 22: the
 * gate per metric must see a prompt-processing or a decoding regression the blended tokens/s hides).
 * Prefill: the round's prompt is first processed once more (a prompt-only call, real work), then the round
 * is reported as starting ttft / (1 - s) before its first token, inside that extra prefill, so its prefill
 * rate falls by s and its decode (first token to end) is untouched. Decode: the round decodes
 * e = ceil(s / (1 - s) x (n - 1)) extra tokens and reports its first n over the time to the end of all of
 * them, so the decode rate falls by about s and the time to the first token is untouched. A prompt-only round
 * (n = 0) has no decode to slow. Embedding rounds are not changed.
 * @param s the slowdown, a fraction in [0, 1)
 */
export function withPhaseSlowdownForTests(inner: Engine, phase: Phase, s: number): Engine {
  check(s);
  return {
    ...inner,
    identity: {
      ...inner.identity,
      details: { ...inner.identity.details, test_phase_slowdown: `${phase} ${s}` },
    },
    countTokens: (text) => inner.countTokens(text),
    async generate(prompt, maxNewTokens, shape): Promise<GenerationRound> {
      if (s === 0) return inner.generate(prompt, maxNewTokens, shape);
      if (phase === "prefill") {
        const extraStart = nowNs();
        await inner.generate(prompt, 0, shape);
        const r = await inner.generate(prompt, maxNewTokens, shape);
        const mark = r.first_token_ns ?? r.end_ns;
        const stretched = mark - BigInt(Math.round(Number(mark - r.start_ns) / (1 - s)));
        return { ...r, start_ns: stretched > extraStart ? stretched : extraStart };
      }
      const extra = maxNewTokens > 1 ? Math.ceil((s / (1 - s)) * (maxNewTokens - 1)) : 0;
      const r = await inner.generate(prompt, maxNewTokens + extra, shape);
      return extra === 0 ? r : firstTokensOf(r, maxNewTokens);
    },
    embed: (texts, synthetic) => inner.embed(texts, synthetic),
    dispose: () => inner.dispose(),
  };
}

/** What a device does, as plain data (it crosses to the engine process). */
export type DeviceConfig =
  /** every round `slowdown` (a fraction in [0, 1)) slower */
  | { kind: "slowdown"; slowdown: number }
  /** every other round `alternate` slower, the others unchanged (a noisy capture) */
  | { kind: "alternate"; alternate: number }
  /** a share `work` more real work per reported token or call (instruction counts rise by about it) */
  | { kind: "extra-work"; work: number }
  /** only one phase of every generation round `slowdown` slower */
  | { kind: "phase-slowdown"; phase: Phase; slowdown: number };

/**
 * The device's entry point (src/execute/device.ts calls it in the process that runs the engine).
 * @throws RangeError for a fraction outside [0, 1); Error for an unknown kind.
 */
export function wrapEngine(engine: Engine, config: DeviceConfig): Engine {
  switch (config.kind) {
    case "slowdown":
      return withSlowdownForTests(engine, config.slowdown);
    case "alternate":
      return withSlowdownForTests(engine, (round) => (round % 2 === 0 ? 0 : config.alternate));
    case "extra-work":
      return withExtraWorkForTests(engine, config.work);
    case "phase-slowdown":
      return withPhaseSlowdownForTests(engine, config.phase, config.slowdown);
    default:
      throw new Error(`unknown engine device ${JSON.stringify(config)}`);
  }
}
