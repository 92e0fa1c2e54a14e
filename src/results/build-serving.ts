import { createHash } from "node:crypto";
import type { z } from "zod";
import type { EventLoopDelayMs } from "../measure/event-loop-delay.js";
import type { LoadRecord } from "../measure/load.js";
import type {
  ConnectionSetup,
  EmbeddingSuccess,
  GenerationSuccess,
  RequestFailure,
} from "../measure/requests.js";
import { summarize } from "../stats/index.js";
import type { WorkloadSpec } from "../workload/workload.js";
import { commonResultFields, type RunIdentity, summaryOrNull } from "./build.js";
import { parseResult } from "./io.js";
import type { EmbeddingResult, GenerationResult, loadSchema } from "./schema.js";
import { type Warning, warningRecord } from "./warnings.js";

/**
 * Builds serving results (`--engine openai`) from the load generator's records: one sample per completed
 * request, with its own throughput (output tokens / end-to-end time, or calls / time for embedding) as the
 * gated per-sample figure, and the run-level serving metrics (vLLM's benchmark_serving set) beside them.
 *
 * Definitions (vLLM benchmarks/benchmark_serving.py, AIPerf's metrics reference), per completed request:
 * - TTFT: request sent (or, when it opened a connection, that connection ready: connect and TLS are not the
 *   server's latency) to the first chunk that carried output text.
 * - TPOT: (last read - first chunk) / (output tokens - tokens of the first chunk), which is
 *   (E2E latency - TTFT) / (...) for a request that opened no connection. vLLM divides by
 *   (output tokens - 1), which assumes the first chunk holds one token; a server that sends several tokens
 *   per chunk generated all of the first chunk's tokens before TTFT, so they are not counted after it.
 *   With one token per chunk both are the same.
 * - decode tokens/s: (output tokens - tokens of the first chunk) / (last read - first chunk).
 * - ITL (`itl_ms`): vLLM's: the gap between two consecutive chunks that carried output text, whatever
 *   the tokens in them (AIPerf calls it inter-chunk latency). Where chunks carry several tokens,
 *   `itl_per_token_ms` divides each gap by the tokens of the chunk that ended it.
 * - tokens of a chunk: the server's usage.completion_tokens shared among the text chunks, one each and the
 *   rest in proportion to their characters (the stream does not say how many tokens a chunk holds).
 * - output tokens: usage.completion_tokens, unless it is missing or fewer than the text chunks (a usage
 *   that contradicts the stream: each text chunk holds at least one token); then the text chunks are counted.
 */

/** A latency a goodput objective bounds (src/engines/openai/options.ts GOODPUT_METRICS). */
export type GoodputMetric = "ttft_ms" | "tpot_ms" | "itl_ms" | "e2e_latency_ms";

/** The load settings block of a result. */
export type LoadSettings = z.infer<typeof loadSchema>;

/** Everything a serving result records besides the requests. */
export interface ServingContext extends RunIdentity {
  workload: WorkloadSpec;
  workload_digest: string;
  load: LoadSettings;
  warmup_requests: number;
  timeouts_ms: { connect: number; first_byte: number; idle: number; total: number };
  /** what the client cost during the measured phase */
  chunk_handling_ns: readonly number[];
  /** keep-alive connections ready when the measured phase began (opened ahead of it). Defaults to 0. */
  connections_ready_ahead?: number;
  event_loop_delay_ms: EventLoopDelayMs | null;
  /**
   * the warnings only the built result can tell (output lengths, usage, determinism), added after the
   * builder's own and before the result is validated. Defaults to none.
   */
  lateWarnings?: (result: GenerationResult | EmbeddingResult) => Warning[];
  /**
   * removes secrets (the API key) from a text; every string of the built result goes through it. Defaults
   * to none (nothing to remove).
   */
  redact?: (text: string) => string;
  /**
   * generation with planned requests (src/engines/openai/request-plan.ts): measured request i's prompt,
   * its counted tokens and max_tokens; output lengths and determinism are checked per request against it.
   * Defaults to every request being the workload's.
   */
  planned?: (index: number) => { prompt: string; prompt_tokens: number | null; max_tokens: number };
  /** goodput objectives, ms by metric (`--goodput`); absent: no goodput figure */
  goodput?: Partial<Record<GoodputMetric, number>>;
  /** who counted the planned prompts' tokens, when they were counted */
  prompt_token_count_source?: "server" | "tokenizer" | "approximate";
}

/** The measured phase as the load generator returned it. */
export interface ServingRun<T> {
  records: LoadRecord<T | RequestFailure>[];
  start_ns: bigint;
  end_ns: bigint;
  complete: boolean;
}

const ms = (ns: bigint) => Number(ns) / 1e6;
const sec = (ns: bigint) => Number(ns) / 1e9;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Failed requests grouped by cause, most frequent first, each with its first detail as the example. */
export function groupFailures(failures: readonly RequestFailure[]) {
  const groups = new Map<string, { cause: string; count: number; example: string }>();
  for (const f of failures) {
    const g = groups.get(f.cause);
    if (g) g.count++;
    else groups.set(f.cause, { cause: f.cause, count: 1, example: f.detail });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause));
}

function split<T extends { ok: true; retries?: number }>(run: ServingRun<T>) {
  const ok: Array<{ record: LoadRecord<T | RequestFailure>; outcome: T }> = [];
  const failed: RequestFailure[] = [];
  let interrupted = 0;
  for (const record of run.records) {
    const o = record.outcome;
    if (o === null || (!o.ok && o.cause === "aborted")) interrupted++;
    else if (o.ok) ok.push({ record, outcome: o as T });
    else failed.push(o);
  }
  ok.sort((a, b) => a.record.index - b.record.index);
  return { ok, failed, interrupted };
}

/** The connections the measured requests opened, and the warning TLS handshakes among them call for. */
function connectionParts(ctx: ServingContext, run: ServingRun<{ ok: true; connection?: ConnectionSetup }>) {
  const setups: number[] = [];
  let opened = 0;
  let tlsHandshakes = 0;
  for (const r of run.records) {
    const c = r.outcome?.connection;
    if (!c?.opened) continue;
    opened++;
    if (c.tls) tlsHandshakes++;
    if (c.setup_ns !== null) setups.push(ms(c.setup_ns));
  }
  const setupMs = summaryOrNull(setups);
  const warnings: Warning[] =
    tlsHandshakes > 0
      ? [
          {
            code: "tls_handshakes_measured",
            handshakes: tlsHandshakes,
            sent: run.records.length,
            setup_ms_median: setupMs?.median ?? 0,
          },
        ]
      : [];
  return {
    connections: {
      ready_ahead: ctx.connections_ready_ahead ?? 0,
      opened,
      tls_handshakes: tlsHandshakes,
      setup_ms: setupMs,
    },
    warnings,
  };
}

function commonParts<T extends { ok: true; retries: number }>(
  ctx: ServingContext,
  run: ServingRun<T>,
  completed: number,
) {
  const { failed, interrupted } = split(run);
  const duration = sec(run.end_ns - run.start_ns);
  const sent = run.records.length;
  const planned = ctx.load.num_requests;
  const handling = ctx.chunk_handling_ns.map((x) => x / 1e6);
  const scheduling = run.records.map((r) => ms(r.scheduling_delay_ns));
  const queueWait = ctx.load.request_rate === null ? [] : run.records.map((r) => ms(r.queue_wait_ns));
  const retried = run.records.filter((r) => (r.outcome?.retries ?? 0) > 0).length;
  const conn = connectionParts(ctx, run);
  return {
    warnings: conn.warnings,
    top: {
      ...commonResultFields(ctx, {
        rounds: planned ?? Math.max(1, sent),
        warmup_rounds: ctx.warmup_requests,
        elapsed_s: duration,
        calls: completed,
        complete: run.complete,
      }),
      load: ctx.load,
    },
    serving: {
      requests: {
        planned,
        sent,
        completed,
        failed: failed.length,
        interrupted,
        ...(retried > 0 ? { retried } : {}),
      },
      connections: conn.connections,
      failures: groupFailures(failed),
      duration_s: duration,
      requests_per_second: duration > 0 ? completed / duration : 0,
      client_overhead: {
        chunk_handling_ms: summaryOrNull(handling),
        event_loop_delay_ms: ctx.event_loop_delay_ms,
        scheduling_delay_ms: summaryOrNull(scheduling),
        queue_wait_ms: summaryOrNull(queueWait),
      },
      timeouts_ms: ctx.timeouts_ms,
    },
    duration,
  };
}

/**
 * The output tokens of a completed request: the server's usage when it sent one that the stream does not
 * contradict, else its text chunks (each holds at least one token). `contradicted` is true when usage said
 * fewer tokens than there were text chunks (e.g. completion_tokens 0 after 8 text chunks).
 */
export function outputTokensOf(o: GenerationSuccess): {
  tokens: number;
  source: "usage" | "chunks";
  contradicted: boolean;
} {
  const chunks = o.chunk_times_ns.length;
  if (o.usage && o.usage.completion_tokens >= chunks)
    return { tokens: o.usage.completion_tokens, source: "usage", contradicted: false };
  return { tokens: chunks, source: "chunks", contradicted: o.usage !== null };
}

/**
 * The tokens each text chunk carried, estimated: one each, and the tokens beyond one per chunk shared in
 * proportion to the chunks' characters (all equal when no chunk has characters). Sums to `tokens`.
 * @param chars characters of output text of each chunk; `tokens` >= chars.length.
 */
export function chunkTokens(chars: readonly number[], tokens: number): number[] {
  const n = chars.length;
  const extra = Math.max(0, tokens - n);
  if (extra === 0) return chars.map(() => 1);
  const total = sum(chars);
  return chars.map((c) => 1 + (total > 0 ? (extra * c) / total : extra / n));
}

/** Replaces, in place, every string of a JSON-like value by redact(string). */
function redactStrings(value: unknown, redact: (text: string) => string): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v === "string") value[i] = redact(v);
      else redactStrings(v, redact);
    }
  } else if (typeof value === "object" && value !== null) {
    const rec = value as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      const v = rec[k];
      if (typeof v === "string") rec[k] = redact(v);
      else redactStrings(v, redact);
    }
  }
}

/**
 * The last step of both builders: add the late warnings (`ctx.lateWarnings`), redact every string, then
 * validate the result with the reader's own schema, so that the tool never prints or writes a result that it
 * would refuse to read.
 * @throws ResultFileError naming the first bad field.
 */
function finish<R extends GenerationResult | EmbeddingResult>(ctx: ServingContext, result: R): R {
  if (ctx.lateWarnings) result.warnings.push(...ctx.lateWarnings(result).map(warningRecord));
  if (ctx.redact) redactStrings(result, ctx.redact);
  parseResult(result, "the serving result (not written)");
  return result;
}

/** One sample of a serving generation result. */
type GenerationSample = GenerationResult["samples"][number];

/** One completed generation request measured: its sample, and what the run-level figures take from it. */
interface MeasuredGeneration {
  sample: GenerationSample;
  source: "usage" | "chunks";
  /** usage said fewer tokens than the text chunks */
  contradicted: boolean;
  /** text chunks */
  chunks: number;
  /** more output tokens than text chunks */
  multiToken: boolean;
  /** its text chunks all arrived at once (bufferedStream): no TTFT, TPOT or ITL */
  buffered: boolean;
  /** the gaps between text chunks, ms */
  gaps: number[];
  /** each gap divided by the tokens of the chunk that ended it, ms */
  perToken: number[];
  tpot: number | null;
  e2eMs: number;
}

/** A request's stream timing: TTFT and decode time (s), and the gaps between text chunks (ms). */
interface StreamTiming {
  ttft: number | null;
  decode: number | null;
  gaps: number[];
  /** each gap divided by the tokens of the chunk that ended it, ms */
  perToken: number[];
}

/**
 * The stream timing of a request; none (nulls, no gaps) for a buffered stream (bufferedStream), whose arrival
 * times say when the buffer was let go, not when the tokens were generated.
 */
function streamTiming(o: GenerationSuccess, perChunk: readonly number[], buffered: boolean): StreamTiming {
  if (buffered) return { ttft: null, decode: null, gaps: [], perToken: [] };
  const first = o.first_token_ns;
  const c = o.connection;
  // a new connection's set-up (connect, TLS) is kept out of TTFT: the request could be sent once it was ready
  const sendable = c?.opened && c.ready_ns !== null && c.ready_ns > o.start_ns ? c.ready_ns : o.start_ns;
  const gaps: number[] = [];
  const perToken: number[] = [];
  for (let i = 1; i < o.chunk_times_ns.length; i++) {
    const gap = ms((o.chunk_times_ns[i] as bigint) - (o.chunk_times_ns[i - 1] as bigint));
    gaps.push(gap);
    perToken.push(gap / (perChunk[i] ?? 1));
  }
  return {
    ttft: first === null ? null : sec(first - sendable),
    decode: first === null ? null : sec(o.end_ns - first),
    gaps,
    perToken,
  };
}

/**
 * Measures one completed generation request: tokens, TTFT, TPOT, decode rate and chunk gaps (see the module
 * comment for the definitions). `runStart` is the run's start, for the sample's `sent_at_s`. A buffered
 * stream keeps its tokens and end-to-end time; its TTFT, TPOT, ITL, chunk gaps and prefill and decode rates
 * are null (never 0).
 */
function measureGeneration(
  record: Pick<LoadRecord<unknown>, "index" | "sent_ns">,
  o: GenerationSuccess,
  runStart: bigint,
): MeasuredGeneration {
  const { tokens, source, contradicted } = outputTokensOf(o);
  const chunks = o.chunk_times_ns.length;
  const perChunk = chunkTokens(o.chunk_chars, tokens);
  // the first chunk's tokens were generated before TTFT: TPOT and decode count the ones after it
  const afterFirst = tokens - (perChunk[0] ?? 1);
  const prompt = o.usage?.prompt_tokens ?? 0;
  const elapsed = sec(o.end_ns - o.start_ns);
  const buffered = bufferedStream(o);
  const { ttft, decode, gaps, perToken } = streamTiming(o, perChunk, buffered);
  const tpot = decode !== null && afterFirst > 0 ? (decode * 1000) / afterFirst : null;
  const sample: GenerationSample = {
    round: record.index,
    elapsed_s: elapsed,
    ttft_ms: ttft === null ? null : ttft * 1000,
    prompt_tokens: prompt,
    output_tokens: tokens,
    tokens_per_second: elapsed > 0 ? tokens / elapsed : 0,
    prefill_tokens_per_second: ttft && ttft > 0 && prompt > 0 ? prompt / ttft : null,
    decode_tokens_per_second: decode && decode > 0 && afterFirst > 0 ? afterFirst / decode : null,
    itl_ms: gaps.length ? sum(gaps) / gaps.length : null,
    ...(tokens > chunks
      ? { itl_per_token_ms: perToken.length ? sum(perToken) / perToken.length : null }
      : {}),
    tpot_ms: tpot,
    chunk_gaps_ms: gaps,
    sent_at_s: sec(record.sent_ns - runStart),
    output_tokens_source: source,
    ...connectionMs(o),
    ...(buffered ? { buffered: true } : {}),
  };
  const multiToken = tokens > chunks;
  return {
    sample,
    source,
    contradicted,
    chunks,
    multiToken,
    buffered,
    gaps,
    perToken,
    tpot,
    e2eMs: elapsed * 1000,
  };
}

/** A sample's `connection_ms` when its request opened a connection that got ready, else nothing. */
function connectionMs(o: { connection?: { opened: boolean; setup_ns: bigint | null } }) {
  const c = o.connection;
  return c?.opened && c.setup_ns !== null ? { connection_ms: ms(c.setup_ns) } : {};
}

/**
 * The window within which a request's text chunks all arrived for its stream to count as buffered, in ns
 * (1 ms): a server streams tokens as it generates them, milliseconds apart; chunks that all come in one read,
 * or within this window, were held on the way (a proxy, compression, the server's flush policy).
 */
export const BUFFERED_WINDOW_NS = 1_000_000n;

/** Whether a request's stream was buffered: two text chunks or more, all within BUFFERED_WINDOW_NS. */
export function bufferedStream(o: GenerationSuccess): boolean {
  const t = o.chunk_times_ns;
  if (t.length < 2) return false;
  return (t[t.length - 1] as bigint) - (t[0] as bigint) <= BUFFERED_WINDOW_NS;
}

/** The run-level sums and pools of the measured requests, in request order. */
function generationTotals(measured: readonly MeasuredGeneration[]) {
  const totals = {
    sources: new Set<"usage" | "chunks">(),
    gapsAll: [] as number[],
    perTokenAll: [] as number[],
    contradicted: 0,
    buffered: 0,
    multiToken: false,
    totalChunks: 0,
    tpots: [] as number[],
    e2e: [] as number[],
    totalIn: 0,
    totalOut: 0,
  };
  for (const m of measured) {
    if (m.contradicted) totals.contradicted++;
    if (m.buffered) totals.buffered++;
    totals.sources.add(m.source);
    totals.totalChunks += m.chunks;
    if (m.multiToken) totals.multiToken = true;
    totals.totalIn += m.sample.prompt_tokens;
    totals.totalOut += m.sample.output_tokens;
    totals.e2e.push(m.e2eMs);
    totals.gapsAll.push(...m.gaps);
    totals.perTokenAll.push(...m.perToken);
    if (m.tpot !== null) totals.tpots.push(m.tpot);
  }
  return totals;
}
type GenerationTotals = ReturnType<typeof generationTotals>;

const nonNull = (xs: Array<number | null>) => xs.filter((x): x is number => x !== null);

/** The serving block's generation figures (after the common ones): tokens, output length, latencies. */
function generationServing(
  samples: readonly GenerationSample[],
  t: GenerationTotals,
  requested: number,
  duration: number,
  plannedTokens: ((index: number) => number) | null,
) {
  const counts = samples.map((s) => s.output_tokens);
  const asked = (s: GenerationSample) => (plannedTokens ? plannedTokens(s.round) : requested);
  return {
    total_input_tokens: t.totalIn,
    total_output_tokens: t.totalOut,
    output_tokens_per_second: duration > 0 ? t.totalOut / duration : 0,
    total_tokens_per_second: duration > 0 ? (t.totalIn + t.totalOut) / duration : 0,
    output_length: {
      requested,
      fixed: samples.every((s) => s.output_tokens === asked(s)),
      min: Math.min(...counts),
      max: Math.max(...counts),
      counted_from: t.sources.size === 2 ? "mixed" : t.sources.has("usage") ? "usage" : "chunks",
    } as const,
    ttft_ms: summaryOrNull(nonNull(samples.map((s) => s.ttft_ms))),
    tpot_ms: summaryOrNull(t.tpots),
    itl_ms: summaryOrNull(t.gapsAll),
    ...(t.multiToken ? { itl_per_token_ms: summaryOrNull(t.perTokenAll) } : {}),
    tokens_per_chunk: t.totalChunks > 0 ? t.totalOut / t.totalChunks : null,
    e2e_latency_ms: summarize(t.e2e),
  };
}

/**
 * The warnings a generation run's chunks call for: usage that contradicts the stream, buffered streams,
 * chunks that are not tokens.
 */
function generationWarnings(t: GenerationTotals, completed: number): Warning[] {
  const warnings: Warning[] = [];
  const tokensPerChunk = t.totalChunks > 0 ? t.totalOut / t.totalChunks : null;
  if (t.contradicted > 0)
    warnings.push({ code: "usage_contradicts_stream", contradicted: t.contradicted, completed });
  if (t.buffered > 0)
    warnings.push({
      code: "stream_buffered",
      buffered: t.buffered,
      completed,
      window_ms: Number(BUFFERED_WINDOW_NS) / 1e6,
    });
  if (t.multiToken && tokensPerChunk !== null)
    warnings.push({ code: "chunks_not_tokens", tokens_per_chunk: tokensPerChunk });
  return warnings;
}

/** A sample's value of a goodput metric, ms; null when unknown (a buffered stream's TTFT). */
function goodputValue(s: GenerationSample, m: GoodputMetric): number | null {
  if (m === "e2e_latency_ms") return s.elapsed_s * 1000;
  const v = s[m];
  // vLLM counts TPOT as 0 for a request of one output token: there is no gap to measure
  if (v === null && (m === "tpot_ms" || m === "itl_ms") && s.output_tokens <= 1 && !s.buffered) return 0;
  return v ?? null;
}

/** Whether a request met every objective (each value at most its bound; an unknown value meets none). */
export function meetsObjectives(
  s: GenerationSample,
  objectives: Partial<Record<GoodputMetric, number>>,
): boolean {
  const bounds = Object.entries(objectives) as Array<[GoodputMetric, number]>;
  return bounds.every(([m, bound]) => {
    const v = goodputValue(s, m);
    return v !== null && v <= bound;
  });
}

/**
 * Goodput as vLLM's benchmark_serving.py and AIPerf define it: a request counts when it completed and met
 * every objective (each value at most its bound; an unknown value meets none). Its share is of the requests
 * that completed or failed (interrupted ones are not counted), its rate over the measured duration.
 */
export function goodputOf(
  samples: readonly GenerationSample[],
  objectives: Partial<Record<GoodputMetric, number>>,
  settled: number,
  durationS: number,
) {
  const good = samples.filter((s) => meetsObjectives(s, objectives)).length;
  return {
    objectives: { ...objectives },
    good_requests: good,
    share: settled > 0 ? good / settled : 0,
    requests_per_second: durationS > 0 ? good / durationS : 0,
  };
}

/** A planned request's identity: requests with the same prompt and max_tokens must generate the same text. */
function requestKey(p: { prompt: string; max_tokens: number }): string {
  return `${p.max_tokens}\u0000${p.prompt}`;
}

/** True when every pair [key, text] agrees with the first text of its key (greedy: same request, same text). */
function samePerRequest(pairs: ReadonlyArray<readonly [string, string]>): boolean {
  const seen = new Map<string, string>();
  for (const [key, text] of pairs) {
    const first = seen.get(key);
    if (first === undefined) seen.set(key, text);
    else if (first !== text) return false;
  }
  return true;
}

/**
 * Builds a generation result from a serving run with at least one completed request.
 * @throws RangeError when no request completed (the caller reports the failures instead).
 */
export function buildServingGenerationResult(
  ctx: ServingContext,
  run: ServingRun<GenerationSuccess>,
): GenerationResult {
  const { ok } = split(run);
  if (ok.length === 0) throw new RangeError("no completed request to build a result from");
  const measured = ok.map(({ record, outcome }) => measureGeneration(record, outcome, run.start_ns));
  const objectives = ctx.goodput;
  // each request's `good` flag (the per-request value src/gate/goodput.ts compares), with objectives only
  const samples = measured.map((m) =>
    objectives ? { ...m.sample, good: meetsObjectives(m.sample, objectives) } : m.sample,
  );
  const totals = generationTotals(measured);
  const parts = commonParts(ctx, run, ok.length);
  const requested = ctx.workload.max_new_tokens ?? 0;
  const texts = ok.map(({ outcome }) => outcome.text);
  const first = texts[0] as string;
  const planned = ctx.planned;
  const result: GenerationResult = {
    ...parts.top,
    mode: "generation",
    max_new_tokens: requested,
    tokens_per_second: parts.duration > 0 ? totals.totalOut / parts.duration : 0,
    workload: {
      version: ctx.workload.version,
      digest: ctx.workload_digest,
      prompt_tokens: samples[0]?.prompt_tokens || null,
      input_tokens: null,
      seed: ctx.workload.seed,
      sampling: ctx.workload.sampling,
    },
    output: {
      digest: createHash("sha256").update(first).digest("hex"),
      consistent: planned
        ? samePerRequest(ok.map(({ record, outcome }) => [requestKey(planned(record.index)), outcome.text]))
        : texts.every((t) => t === first),
    },
    samples,
    statistics: {
      tokens_per_second: summarize(samples.map((s) => s.tokens_per_second)),
      decode_tokens_per_second: summaryOrNull(nonNull(samples.map((s) => s.decode_tokens_per_second))),
      prefill_tokens_per_second: summaryOrNull(nonNull(samples.map((s) => s.prefill_tokens_per_second))),
      ttft_ms: summaryOrNull(nonNull(samples.map((s) => s.ttft_ms))),
      itl_ms: summaryOrNull(nonNull(samples.map((s) => s.itl_ms))),
    },
    serving: {
      ...parts.serving,
      ...generationServing(
        samples,
        totals,
        requested,
        parts.duration,
        planned ? (i) => planned(i).max_tokens : null,
      ),
      ...(ctx.prompt_token_count_source ? { prompt_token_count_source: ctx.prompt_token_count_source } : {}),
      ...(ctx.goodput
        ? {
            goodput: goodputOf(
              samples,
              ctx.goodput,
              parts.serving.requests.completed + parts.serving.requests.failed,
              parts.duration,
            ),
          }
        : {}),
    },
  };
  result.warnings.push(...[...parts.warnings, ...generationWarnings(totals, ok.length)].map(warningRecord));
  return finish(ctx, result);
}

/**
 * Builds an embedding result from a serving run with at least one completed request: each sample is one
 * request (one call of `inputs_per_request` inputs), its calls_per_second 1 / its latency.
 * @throws RangeError when no request completed.
 */
export function buildServingEmbeddingResult(
  ctx: ServingContext,
  run: ServingRun<EmbeddingSuccess>,
  inputsPerRequest: number,
): EmbeddingResult {
  const { ok } = split(run);
  if (ok.length === 0) throw new RangeError("no completed request to build a result from");
  let tokensKnown = true;
  let totalTokens = 0;
  let totalInputs = 0;
  const samples = ok.map(({ record, outcome: o }) => {
    const elapsed = sec(o.end_ns - o.start_ns);
    const tokens = o.prompt_tokens ?? 0;
    if (o.prompt_tokens === null) tokensKnown = false;
    totalTokens += tokens;
    totalInputs += o.inputs;
    return {
      round: record.index,
      elapsed_s: elapsed,
      calls: 1,
      inputs: o.inputs,
      input_tokens: tokens,
      calls_per_second: elapsed > 0 ? 1 / elapsed : 0,
      tokens_per_second: elapsed > 0 ? tokens / elapsed : 0,
      call_latency_ms: [elapsed * 1000],
      sent_at_s: sec(record.sent_ns - run.start_ns),
    };
  });
  const parts = commonParts(ctx, run, ok.length);
  const digests = ok.map(({ outcome }) => outcome.digest);
  const d = parts.duration;
  const result: EmbeddingResult = {
    ...parts.top,
    mode: "embedding",
    input_texts: inputsPerRequest,
    tokens_per_second: d > 0 ? totalTokens / d : 0,
    workload: {
      version: ctx.workload.version,
      digest: ctx.workload_digest,
      prompt_tokens: null,
      input_tokens: tokensKnown ? (samples[0]?.input_tokens ?? null) : null,
      seed: ctx.workload.seed,
      sampling: ctx.workload.sampling,
    },
    output: { digest: digests[0] ?? null, consistent: digests.every((x) => x === digests[0]) },
    samples,
    statistics: {
      calls_per_second: summarize(samples.map((s) => s.calls_per_second)),
      tokens_per_second: summarize(samples.map((s) => s.tokens_per_second)),
      call_latency_ms: summarize(samples.map((s) => s.elapsed_s * 1000)),
    },
    serving: {
      ...parts.serving,
      inputs_per_request: inputsPerRequest,
      inputs_per_second: d > 0 ? totalInputs / d : 0,
      tokens_per_second: tokensKnown && d > 0 ? totalTokens / d : null,
      latency_ms: summarize(samples.map((s) => s.elapsed_s * 1000)),
    },
  };
  result.warnings.push(...parts.warnings.map(warningRecord));
  return finish(ctx, result);
}
