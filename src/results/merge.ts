/**
 * `perf-baseline merge`: joins the results of the shards of one serving run (--shard I/N,
 * src/measure/shard.ts) into one result. As inference-perf's design discussion (#797) states, exact
 * percentiles over several clients need their raw per-request samples, not their summaries: every
 * per-request figure (TTFT, TPOT, ITL from the chunk gaps, end-to-end latency, per-request throughput) is
 * summarised again over the union of the shards' samples, so each percentile is the one a single client
 * sending every request would have computed from the same samples. Counts are summed; rates are over the
 * merged wall time (the earliest shard's start to the latest shard's end). The client's own figures
 * (overhead, capacity, connections' set-up, machine load) are not per request: each shard is its own client,
 * and the merged result keeps the worst shard's. `itl_per_token_ms` is not kept (its per-gap values are not
 * in the samples). Shards of different runs, a missing shard index or a duplicated one are refused.
 */
import { ResultFileError } from "../util/errors.js";
import { embeddingFigures, generationFigures, summaryOrNull } from "./build.js";
import { parseResult } from "./io.js";
import type { BenchmarkResult, EmbeddingResult, GenerationResult } from "./schema.js";

/** A shard's result and where it came from (a file name, for messages). */
export interface ShardInput {
  result: BenchmarkResult;
  source: string;
}

type Serving = NonNullable<BenchmarkResult["serving"]>;
type Shard = NonNullable<Serving["shard"]>;
type Summary = NonNullable<Serving["client_overhead"]["chunk_handling_ms"]>;

/** The shard block of each input, checked: one run, indexes 0..N-1 each once. @throws ResultFileError */
function checkShards(inputs: readonly ShardInput[]): Shard[] {
  if (inputs.length === 0) throw new ResultFileError("merge", "no shard result given");
  const shards = inputs.map(({ result, source }) => {
    const sh = result.serving?.shard;
    if (!sh)
      throw new ResultFileError(
        source,
        "not a shard's result (no serving.shard block: run with --shard I/N)",
      );
    if (sh.index === null) throw new ResultFileError(source, "already a merged result");
    return sh;
  });
  const first = shards[0] as Shard;
  shards.forEach((sh, i) => {
    const src = (inputs[i] as ShardInput).source;
    if (sh.run_id !== first.run_id || sh.count !== first.count)
      throw new ResultFileError(
        src,
        `a shard of another run (run ${sh.run_id.slice(0, 12)} of ${sh.count} shards; ${(inputs[0] as ShardInput).source} is of run ${first.run_id.slice(0, 12)} of ${first.count})`,
      );
  });
  const seen = new Map<number, string>();
  shards.forEach((sh, i) => {
    const src = (inputs[i] as ShardInput).source;
    const other = seen.get(sh.index as number);
    if (other !== undefined)
      throw new ResultFileError(src, `shard ${sh.index}/${sh.count} given twice (also ${other})`);
    seen.set(sh.index as number, src);
  });
  const missing = Array.from({ length: first.count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0)
    throw new ResultFileError(
      "merge",
      `run ${first.run_id.slice(0, 12)} has ${first.count} shards; missing ${missing.map((i) => `${i}/${first.count}`).join(", ")}`,
    );
  return shards;
}

/** The summary with the greatest p99 (the worst client), or null when none has one. */
function worst(xs: ReadonlyArray<Summary | null | undefined>): Summary | null {
  let w: Summary | null = null;
  for (const x of xs) if (x && (w === null || x.p99 > w.p99)) w = x;
  return w;
}

/** The greatest of the numbers that are there, or null. */
function maxOf(xs: ReadonlyArray<number | null | undefined>): number | null {
  const v = xs.filter((x): x is number => typeof x === "number");
  return v.length ? Math.max(...v) : null;
}

/** The merged wall time: the earliest shard's start, the latest shard's end (s), and each shard's offset. */
function wallTime(results: readonly BenchmarkResult[]) {
  const starts = results.map((r) => Date.parse(r.started_at));
  const t0 = Math.min(...starts);
  const ends = results.map((r, i) => (starts[i] as number) + (r.serving?.duration_s ?? 0) * 1000);
  const t1 = Math.max(...ends);
  return {
    duration_s: Math.max(0, (t1 - t0) / 1000),
    offsets_s: starts.map((s) => (s - t0) / 1000),
    started_at: new Date(t0).toISOString(),
    finished_at: results
      .map((r) => r.finished_at)
      .sort()
      .at(-1) as string,
  };
}

/** Failure groups summed by cause, most frequent first (the first shard's example kept). */
function mergeFailures(servings: readonly Serving[]): Serving["failures"] {
  const by = new Map<string, Serving["failures"][number]>();
  for (const s of servings)
    for (const f of s.failures) {
      const g = by.get(f.cause);
      if (g) g.count += f.count;
      else by.set(f.cause, { ...f });
    }
  return [...by.values()].sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause));
}

/** What every serving block shares, merged: requests, connections, failures, client figures. */
function commonServing(servings: readonly Serving[], duration: number, completed: number, shard: Shard) {
  const total = (f: (s: Serving) => number | undefined) => servings.reduce((a, s) => a + (f(s) ?? 0), 0);
  const retried = total((s) => s.requests.retried);
  const capacities = servings.map((s) => s.client_capacity).filter((c) => c !== undefined);
  const lags = capacities.map((c) => c.schedule_lag_ms).filter((l) => l !== null);
  const fractions = capacities.map((c) => c.achieved_rate_fraction).filter((x) => x !== null);
  const first = servings[0] as Serving;
  return {
    requests: {
      planned: first.requests.planned,
      sent: total((s) => s.requests.sent),
      completed,
      failed: total((s) => s.requests.failed),
      interrupted: total((s) => s.requests.interrupted),
      ...(retried > 0 ? { retried } : {}),
    },
    connections: {
      ready_ahead: total((s) => s.connections?.ready_ahead),
      opened: total((s) => s.connections?.opened),
      tls_handshakes: total((s) => s.connections?.tls_handshakes),
      setup_ms: worst(servings.map((s) => s.connections?.setup_ms)),
    },
    failures: mergeFailures(servings),
    duration_s: duration,
    requests_per_second: duration > 0 ? completed / duration : 0,
    client_overhead: {
      chunk_handling_ms: worst(servings.map((s) => s.client_overhead.chunk_handling_ms)),
      event_loop_delay_ms:
        servings
          .map((s) => s.client_overhead.event_loop_delay_ms)
          .filter((h) => h !== null)
          .sort((a, b) => b.p99 - a.p99)[0] ?? null,
      scheduling_delay_ms: worst(servings.map((s) => s.client_overhead.scheduling_delay_ms)),
      queue_wait_ms: worst(servings.map((s) => s.client_overhead.queue_wait_ms)),
    },
    ...(capacities.length
      ? {
          client_capacity: {
            schedule_lag_ms: lags.length ? (lags.sort((a, b) => b.p99 - a.p99)[0] ?? null) : null,
            achieved_rate_fraction: fractions.length ? Math.min(...fractions) : null,
            client_cores: maxOf(capacities.map((c) => c.client_cores)),
            saturated_by: capacities.flatMap((c) => c.saturated_by),
          },
        }
      : {}),
    timeouts_ms: first.timeouts_ms,
    shard: {
      ...shard,
      index: null,
      start_lag_ms: maxOf(servings.map((s) => s.shard?.start_lag_ms)),
    },
  };
}

/** The shards' samples in request order, each `sent_at_s` moved to the merged start. */
function unionSamples<S extends { round: number; sent_at_s?: number }>(
  per: ReadonlyArray<readonly S[]>,
  offsets: readonly number[],
): S[] {
  return per
    .flatMap((samples, i) =>
      samples.map((s) =>
        s.sent_at_s === undefined ? s : { ...s, sent_at_s: s.sent_at_s + (offsets[i] as number) },
      ),
    )
    .sort((a, b) => a.round - b.round);
}

/** Top-level fields of the merged result: the first shard's identity, the union's counts and times. */
function topFields(
  results: readonly BenchmarkResult[],
  wall: ReturnType<typeof wallTime>,
  completed: number,
) {
  const first = results[0] as BenchmarkResult;
  const seen = new Set<string>();
  const warnings = results
    .flatMap((r) => r.warnings)
    .filter((w) => {
      const k = `${w.code}\u0000${w.text}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  const loads = results.map((r) => r.machine_load).filter((m) => m !== undefined);
  const busiest = loads.sort((a, b) => (b.other_cores ?? 0) - (a.other_cores ?? 0))[0];
  return {
    elapsed_s: wall.duration_s,
    calls_per_second: wall.duration_s > 0 ? completed / wall.duration_s : 0,
    started_at: wall.started_at,
    finished_at: wall.finished_at,
    complete: results.every((r) => r.complete),
    warnings,
    ...(busiest ? { machine_load: busiest } : {}),
    output: {
      digest: first.output.digest,
      consistent: results.every((r) => r.output.consistent && r.output.digest === first.output.digest),
    },
  };
}

function mergeGeneration(results: readonly GenerationResult[], shard: Shard): GenerationResult {
  const wall = wallTime(results);
  const samples = unionSamples(
    results.map((r) => r.samples),
    wall.offsets_s,
  );
  const servings = results.map((r) => r.serving as NonNullable<GenerationResult["serving"]>);
  const d = wall.duration_s;
  const totalIn = servings.reduce((a, s) => a + s.total_input_tokens, 0);
  const totalOut = servings.reduce((a, s) => a + s.total_output_tokens, 0);
  const chunks = servings.reduce(
    (a, s) => a + (s.tokens_per_chunk ? s.total_output_tokens / s.tokens_per_chunk : 0),
    0,
  );
  const lengths = servings.map((s) => s.output_length);
  const sources = new Set(lengths.map((l) => l.counted_from));
  const { itl_per_token_ms: _dropped, ...firstServing } = servings[0] as (typeof servings)[number];
  return {
    ...(results[0] as GenerationResult),
    ...topFields(results, wall, samples.length),
    tokens_per_second: d > 0 ? totalOut / d : 0,
    samples,
    statistics: servingStatistics(samples),
    serving: {
      ...firstServing,
      ...commonServing(servings, d, samples.length, shard),
      total_input_tokens: totalIn,
      total_output_tokens: totalOut,
      output_tokens_per_second: d > 0 ? totalOut / d : 0,
      total_tokens_per_second: d > 0 ? (totalIn + totalOut) / d : 0,
      output_length: {
        requested: lengths[0]?.requested ?? 0,
        fixed: lengths.every((l) => l.fixed),
        min: Math.min(...lengths.map((l) => l.min)),
        max: Math.max(...lengths.map((l) => l.max)),
        counted_from: sources.size === 1 ? ([...sources][0] ?? "usage") : "mixed",
      },
      ttft_ms: summaryOrNull(samples.map((s) => s.ttft_ms)),
      tpot_ms: summaryOrNull(samples.map((s) => s.tpot_ms ?? null)),
      itl_ms: summaryOrNull(samples.flatMap((s) => s.chunk_gaps_ms ?? [])),
      tokens_per_chunk: chunks > 0 ? totalOut / chunks : null,
      e2e_latency_ms: generationE2e(samples),
    },
  };
}

/** End-to-end latency of each completed request, ms, summarised (as the serving builder does). */
function generationE2e(samples: GenerationResult["samples"]) {
  const s = summaryOrNull(samples.map((x) => x.elapsed_s * 1000));
  if (s === null) throw new ResultFileError("merge", "the shards hold no completed request");
  return s;
}

function mergeEmbedding(results: readonly EmbeddingResult[], shard: Shard): EmbeddingResult {
  const wall = wallTime(results);
  const samples = unionSamples(
    results.map((r) => r.samples),
    wall.offsets_s,
  );
  const servings = results.map((r) => r.serving as NonNullable<EmbeddingResult["serving"]>);
  const d = wall.duration_s;
  const inputs = samples.reduce((a, s) => a + s.inputs, 0);
  const tokens = samples.reduce((a, s) => a + s.input_tokens, 0);
  const tokensKnown = servings.every((s) => s.tokens_per_second !== null);
  const latency = summaryOrNull(samples.map((s) => s.elapsed_s * 1000));
  if (latency === null) throw new ResultFileError("merge", "the shards hold no completed request");
  return {
    ...(results[0] as EmbeddingResult),
    ...topFields(results, wall, samples.length),
    tokens_per_second: d > 0 ? tokens / d : 0,
    samples,
    statistics: embeddingFigures(samples).statistics,
    serving: {
      ...(servings[0] as (typeof servings)[number]),
      ...commonServing(servings, d, samples.length, shard),
      inputs_per_second: d > 0 ? inputs / d : 0,
      tokens_per_second: tokensKnown && d > 0 ? tokens / d : null,
      latency_ms: latency,
    },
  };
}

/**
 * Merges the results of the N shards of one serving run into one result (see the module comment), validated
 * with the reader's schema.
 * @throws ResultFileError naming the file for a result that is not a shard's, a shard of another run, a
 *   duplicated or missing shard index, mixed modes, or shards with no completed request.
 */
export function mergeShards(inputs: readonly ShardInput[]): BenchmarkResult {
  const shards = checkShards(inputs);
  const results = inputs.map((i) => i.result);
  const mode = results[0]?.mode;
  const bad = inputs.find((i) => i.result.mode !== mode);
  if (bad) throw new ResultFileError(bad.source, `a ${bad.result.mode} result among ${mode} shards`);
  const shard = shards[0] as Shard;
  const merged =
    mode === "generation"
      ? mergeGeneration(results as GenerationResult[], shard)
      : mergeEmbedding(results as EmbeddingResult[], shard);
  return parseResult(merged, "the merged result (not written)");
}

/** A serving run's per-request summaries: a local run's, without the harness figure serving runs never carry. */
function servingStatistics(samples: GenerationResult["samples"]) {
  const { harness_us_per_token: _none, ...statistics } = generationFigures(samples).statistics;
  return statistics;
}
