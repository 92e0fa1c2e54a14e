/**
 * A result of this tool must not contradict itself: its summaries are derived from its samples
 * (results/build.ts generationFigures, embeddingFigures; build-serving.ts for serving runs), so reading one
 * recomputes them and refuses a file whose summary says otherwise. Tolerance: relative 1e-6 of the larger
 * value (the computation is exact; this covers writers that round a little), counts (`n`) exact.
 */
import { mean, median } from "../stats/index.js";
import type { BenchmarkResult } from "./schema.js";

/** Relative tolerance of a recomputed figure (see the module comment). */
export const CONSISTENCY_TOLERANCE = 1e-6;

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= CONSISTENCY_TOLERANCE * Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

type Summary = { median: number; mean: number; n: number } | null;

/** The first field whose summary contradicts its values, e.g. "statistics.tokens_per_second.median: 179 vs 100". */
function summaryProblem(field: string, s: Summary, values: readonly (number | null)[]): string | null {
  const xs = values.filter((x): x is number => x !== null);
  if (s === null) return xs.length === 0 ? null : `${field}: null but the samples have ${xs.length} values`;
  if (s.n !== xs.length) return `${field}.n: ${s.n} but the samples have ${xs.length} values`;
  if (!close(s.median, median(xs))) return `${field}.median: ${s.median} but the samples' is ${median(xs)}`;
  if (!close(s.mean, mean(xs))) return `${field}.mean: ${s.mean} but the samples' is ${mean(xs)}`;
  return null;
}

/** The check of an optional per-round figure, where the result summarises it (absent in older results). */
function optionalCheck<K extends string>(
  field: string,
  summary: Summary | null | undefined,
  samples: readonly Partial<Record<K, number | null>>[],
  key: K,
): [string, Summary, (number | null)[]][] {
  if (summary === undefined) return [];
  return [[field, summary as Summary, samples.map((s) => s[key] ?? null)]];
}

/**
 * The first summary of `r` that contradicts its samples, as "field: what it says but what the samples say",
 * or null when all agree. Serving runs' top-level figures come from their requests and are not checked here.
 */
export function consistencyProblem(r: BenchmarkResult): string | null {
  const checks: [string, Summary, (number | null)[]][] =
    r.mode === "generation"
      ? [
          [
            "statistics.tokens_per_second",
            r.statistics.tokens_per_second,
            r.samples.map((s) => s.tokens_per_second),
          ],
          [
            "statistics.decode_tokens_per_second",
            r.statistics.decode_tokens_per_second,
            r.samples.map((s) => s.decode_tokens_per_second),
          ],
          [
            "statistics.prefill_tokens_per_second",
            r.statistics.prefill_tokens_per_second,
            r.samples.map((s) => s.prefill_tokens_per_second),
          ],
          ["statistics.ttft_ms", r.statistics.ttft_ms, r.samples.map((s) => s.ttft_ms)],
          ["statistics.itl_ms", r.statistics.itl_ms, r.samples.map((s) => s.itl_ms)],
          ...optionalCheck("statistics.itl_p99_ms", r.statistics.itl_p99_ms, r.samples, "itl_p99_ms"),
          ...(r.statistics.harness_us_per_token !== undefined
            ? [
                [
                  "statistics.harness_us_per_token",
                  r.statistics.harness_us_per_token,
                  r.samples.flatMap((s) => s.harness_us ?? []),
                ] as [string, Summary, number[]],
              ]
            : []),
        ]
      : [
          [
            "statistics.calls_per_second",
            r.statistics.calls_per_second,
            r.samples.map((s) => s.calls_per_second),
          ],
          [
            "statistics.tokens_per_second",
            r.statistics.tokens_per_second,
            r.samples.map((s) => s.tokens_per_second),
          ],
        ];
  for (const [field, s, values] of checks) {
    const p = summaryProblem(field, s, values);
    if (p) return p;
  }
  if (r.serving) return null;
  const elapsed = r.samples.reduce((a, s) => a + s.elapsed_s, 0);
  const units =
    r.mode === "generation"
      ? r.samples.reduce((a, s) => a + s.output_tokens, 0)
      : r.samples.reduce((a, s) => a + s.input_tokens, 0);
  const tps = elapsed > 0 ? units / elapsed : 0;
  if (!close(r.tokens_per_second, tps))
    return `tokens_per_second: ${r.tokens_per_second} but the samples' is ${tps}`;
  return null;
}
