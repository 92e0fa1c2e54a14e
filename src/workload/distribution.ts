import { UsageError } from "../util/errors.js";
import { mulberry32, type Rng } from "../util/prng.js";

/**
 * Token-length distributions of serving workloads (`--prompt-tokens`, `--max-new-tokens` with `--engine
 * openai`), spelled as vLLM's `bench serve` and GuideLLM take them: a fixed count `N`, `uniform:MIN:MAX`,
 * `normal:MEAN:SD` or `lognormal:MEDIAN:SIGMA`. Draws are seeded (the same lengths on every machine and run),
 * rounded to whole tokens and clamped to the flag's range.
 */
export type LengthDistribution =
  | { kind: "fixed"; value: number }
  | { kind: "uniform"; min: number; max: number }
  | { kind: "normal"; mean: number; sd: number }
  | { kind: "lognormal"; median: number; sigma: number };

/** The whole-token range a flag allows (inclusive). */
export interface LengthBounds {
  min: number;
  max: number;
}

const KINDS = ["uniform", "normal", "lognormal"] as const;

/** The largest spread parameter accepted: sd in tokens for normal, sigma (log scale) for lognormal. */
const MAX_SIGMA = 10;

function numberPart(flag: string, raw: string, part: string | undefined, what: string): number {
  const v = part === undefined || part.trim() === "" ? Number.NaN : Number(part);
  if (!Number.isFinite(v))
    throw new UsageError(`${flag} ${raw}: ${what} must be a number, got "${part ?? ""}"`);
  return v;
}

function inBounds(flag: string, raw: string, what: string, v: number, b: LengthBounds): void {
  if (!Number.isInteger(v) || v < b.min || v > b.max)
    throw new UsageError(
      `${flag} ${raw}: ${what} must be a whole number from ${b.min} to ${b.max}, got ${v}`,
    );
}

/** Whether `raw` is spelled as a distribution (`uniform:`, `normal:` or `lognormal:` and its parameters), not a count. */
export function isDistributionText(raw: string): boolean {
  const text = raw.trim();
  return KINDS.some((kind) => text.startsWith(`${kind}:`));
}

/**
 * Parses a length: `N`, `uniform:MIN:MAX`, `normal:MEAN:SD` or `lognormal:MEDIAN:SIGMA`.
 * @param flag the flag's name for messages, e.g. "--prompt-tokens".
 * @param bounds whole tokens allowed; a fixed value, MIN and MAX, MEAN and MEDIAN must lie in them.
 * @throws UsageError naming the flag, the value and what is wrong (unknown kind, MIN above MAX, a negative SD,
 *   a value out of range).
 */
export function parseLengthDistribution(flag: string, raw: string, bounds: LengthBounds): LengthDistribution {
  const text = raw.trim();
  const parts = text.split(":");
  if (parts.length === 1) {
    const v = numberPart(flag, raw, parts[0], "a token count");
    inBounds(flag, raw, "the count", v, bounds);
    return { kind: "fixed", value: v };
  }
  const kind = parts[0] as (typeof KINDS)[number];
  if (!KINDS.includes(kind) || parts.length !== 3)
    throw new UsageError(
      `${flag} ${raw}: expected N, uniform:MIN:MAX, normal:MEAN:SD or lognormal:MEDIAN:SIGMA`,
    );
  const a = numberPart(
    flag,
    raw,
    parts[1],
    kind === "uniform" ? "MIN" : kind === "normal" ? "MEAN" : "MEDIAN",
  );
  const b = numberPart(flag, raw, parts[2], kind === "uniform" ? "MAX" : kind === "normal" ? "SD" : "SIGMA");
  if (kind === "uniform") {
    inBounds(flag, raw, "MIN", a, bounds);
    inBounds(flag, raw, "MAX", b, bounds);
    if (a > b) throw new UsageError(`${flag} ${raw}: MIN ${a} is above MAX ${b}`);
    return { kind, min: a, max: b };
  }
  if (a < bounds.min || a > bounds.max)
    throw new UsageError(
      `${flag} ${raw}: ${kind === "normal" ? "MEAN" : "MEDIAN"} must be from ${bounds.min} to ${bounds.max}, got ${a}`,
    );
  const spreadMax = kind === "normal" ? bounds.max : MAX_SIGMA;
  if (b < 0 || b > spreadMax)
    throw new UsageError(
      `${flag} ${raw}: ${kind === "normal" ? "SD" : "SIGMA"} must be from 0 to ${spreadMax}, got ${b}`,
    );
  return kind === "normal" ? { kind, mean: a, sd: b } : { kind, median: a, sigma: b };
}

/** The distribution as the flag spells it (canonical: `uniform:128:512`), for argv, digests and results. */
export function distributionText(d: LengthDistribution): string {
  switch (d.kind) {
    case "fixed":
      return String(d.value);
    case "uniform":
      return `uniform:${d.min}:${d.max}`;
    case "normal":
      return `normal:${d.mean}:${d.sd}`;
    case "lognormal":
      return `lognormal:${d.median}:${d.sigma}`;
  }
}

/** A standard normal draw (Box-Muller on two uniforms of `rng`). */
function standardNormal(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: log is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * `count` lengths drawn from `d` with `seed`: whole tokens clamped to `bounds` (a fixed value repeats).
 * @param seed any integer (its low 32 bits); the same seed gives the same lengths.
 */
export function sampleLengths(
  d: LengthDistribution,
  count: number,
  seed: number,
  bounds: LengthBounds,
): number[] {
  const rng = mulberry32(seed);
  const clamp = (x: number) => Math.min(bounds.max, Math.max(bounds.min, Math.round(x)));
  const draw = (): number => {
    if (d.kind === "fixed") return d.value;
    if (d.kind === "uniform") return d.min + Math.floor(rng() * (d.max - d.min + 1));
    if (d.kind === "normal") return clamp(d.mean + d.sd * standardNormal(rng));
    return clamp(d.median * Math.exp(d.sigma * standardNormal(rng)));
  };
  return Array.from({ length: count }, draw);
}

/** The largest length `d` can give within `bounds` (for context checks before a run). */
export function largestLength(d: LengthDistribution, bounds: LengthBounds): number {
  if (d.kind === "fixed") return d.value;
  if (d.kind === "uniform") return d.max;
  return bounds.max;
}

/** The length a distribution is named by (a result's `max_new_tokens`): the count, MAX, MEAN or MEDIAN. */
export function nominalLength(d: LengthDistribution): number {
  if (d.kind === "fixed") return d.value;
  if (d.kind === "uniform") return d.max;
  return Math.round(d.kind === "normal" ? d.mean : d.median);
}
