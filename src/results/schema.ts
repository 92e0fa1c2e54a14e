import { z } from "zod";

/**
 * The result schema: the one versioned source of truth for every result file the tool writes and reads.
 * The specification's fields keep its names (mode, rounds, model_path, elapsed_s, calls_per_second,
 * input_texts, max_new_tokens, environment.platform/processor; environment.node for its python).
 * Everything else is an addition. Bump SCHEMA_VERSION on any change that old readers cannot take, with its
 * migration in ./migrations.ts (older files are migrated when read, never refused).
 */
export const SCHEMA_VERSION = 3 as const;

const num = z.number().finite();
const nonneg = num.nonnegative();
const count = z.number().int().nonnegative();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 hex digest");

export const summarySchema = z.object({
  n: count,
  min: num,
  max: num,
  mean: num,
  median: num,
  mad: nonneg,
  robust_cv: nonneg,
  stddev: nonneg,
  p10: num,
  p90: num,
  p99: num,
});

const hardwareSchema = z.object({
  cpu_model: z.string(),
  logical_cores: count,
  memory_gib: nonneg,
  gpu_model: z.string().nullable(),
  gpu_count: count,
  gpu_memory_mib: nonneg,
  os: z.string(),
  arch: z.string(),
});

const environmentSchema = z.object({
  node: z.string(),
  platform: z.string(),
  processor: z.string().min(1),
  os_release: z.string(),
  hostname_hash: z.string(),
  hardware: hardwareSchema,
  hardware_fingerprint: sha256,
  /** the CPU's identity (src/environment/cpu.ts); absent in results recorded before it, null where unknown */
  cpu: z
    .object({
      vendor: z.string().nullable(),
      family: z.string().nullable(),
      model: z.string().nullable(),
      stepping: z.string().nullable(),
      flags_sha256: sha256.nullable(),
      microcode: z.string().nullable(),
      cache_size: z.string().nullable(),
    })
    .nullable()
    .optional(),
});

const engineSchema = z.object({
  name: z.string(),
  versions: z.record(z.string(), z.string()),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

const settingsSchema = z.object({
  threads: count.nullable(),
  embedding_threads: count.nullable(),
  batch_size: count.nullable(),
  context_size: count.nullable(),
  gpu: z.string(),
  gpu_layers: count.nullable(),
  /** llama.cpp's n_ubatch as run, where `--ubatch-size` was given (llama-cpp engine) */
  ubatch_size: count.optional(),
  /** what the user asked for where the engine ran with something else (the fields above are as run) */
  requested: z
    .object({ context_size: count.optional(), batch_size: count.optional(), threads: count.optional() })
    .optional(),
});

const modelSchema = z.object({
  path: z.string(),
  sha256: sha256.nullable(),
  size_bytes: count.nullable(),
  architecture: z.string().nullable(),
  name: z.string().nullable(),
  parameter_count: count.nullable(),
  quantization: z.string().nullable(),
  dummy: z.boolean(),
  preset: z.string().nullable(),
  context_length: count.nullable(),
  embedding_length: count.nullable(),
  block_count: count.nullable(),
  vocab_size: count.nullable(),
});

const workloadSchema = z.object({
  version: z.string(),
  digest: sha256,
  prompt_tokens: count.nullable(),
  input_tokens: count.nullable(),
  seed: z.number().int(),
  sampling: z.literal("greedy"),
  /**
   * `--prompt-tokens`, where given: the prompt (generation) or each input (embedding) was this many synthetic
   * tokens of the model's vocabulary (src/workload/workload.ts syntheticTokens)
   */
  synthetic_tokens: count.optional(),
  /** `--depth`, where given: synthetic tokens in the context before each round's timing (generation) */
  depth: count.optional(),
  /**
   * `--parallel N`, where N > 1: N sequences of the prompt decoded together, one batch per step (generation,
   * llama-batched-bench's B); prompt_tokens is one sequence's
   */
  parallel: z.number().int().min(2).optional(),
});

const invocationSchema = z.object({
  command: z.string(),
  argv: z.array(z.string()),
  cwd: z.string(),
});

const generationSampleSchema = z.object({
  round: count,
  elapsed_s: nonneg,
  ttft_ms: nonneg.nullable(),
  prompt_tokens: count,
  output_tokens: count,
  tokens_per_second: nonneg,
  prefill_tokens_per_second: nonneg.nullable(),
  decode_tokens_per_second: nonneg.nullable(),
  itl_ms: nonneg.nullable(),
  /**
   * the round's own 99th percentile of its gaps between output chunks (token gaps; steps with --parallel),
   * in ms; absent in results recorded before it and in serving requests
   */
  itl_p99_ms: nonneg.nullable().optional(),
  /**
   * `--goodput` (openai serving) only: this request met every objective of serving.goodput (the per-request
   * value the gate's goodput_share compares, src/gate/goodput.ts); absent without objectives
   */
  good: z.boolean().optional(),
  /** `--parallel` only: one sequence's output tokens / round time */
  tokens_per_second_per_sequence: nonneg.optional(),
  /** `--parallel` only: one sequence's (output tokens - 1) / (end - first token) */
  decode_tokens_per_second_per_sequence: nonneg.nullable().optional(),
  /**
   * the engine's own time per token in this round, in us, one value per token but the last: from the return
   * of one llama_decode to the call of the next (llama-cpp engine); absent for other engines and older results
   */
  harness_us: z.array(nonneg).optional(),
  /** serving only: (end-to-end - ttft) / (output tokens - 1), in ms */
  tpot_ms: nonneg.nullable().optional(),
  /** serving only: every gap between two chunks that carried output text, in ms (raw ITL samples) */
  chunk_gaps_ms: z.array(nonneg).optional(),
  /** serving only: when the request was sent, in s after the measured phase began */
  sent_at_s: nonneg.optional(),
  /** serving only: where output_tokens came from: the server's usage, or a count of text chunks */
  output_tokens_source: z.enum(["usage", "chunks"]).optional(),
  /** serving only: when the request opened a new connection, how long its set-up took (kept out of TTFT), ms */
  connection_ms: nonneg.optional(),
  /** serving only, when true: all its text chunks arrived at once (a buffered stream): TTFT, TPOT, ITL null */
  buffered: z.boolean().optional(),
  /** serving only, where chunks carry several tokens: mean of each chunk gap / the tokens of its chunk, in ms */
  itl_per_token_ms: nonneg.nullable().optional(),
});

const embeddingSampleSchema = z.object({
  round: count,
  elapsed_s: nonneg,
  calls: count,
  inputs: count,
  input_tokens: count,
  calls_per_second: nonneg,
  tokens_per_second: nonneg,
  call_latency_ms: z.array(nonneg),
  /** serving only: when the request was sent, in s after the measured phase began */
  sent_at_s: nonneg.optional(),
});

/**
 * Serving runs (`--engine openai`): the load the server was put under. Settings only (nothing measured), so
 * that the gate can put the whole block into its comparability key.
 */
export const loadSchema = z.object({
  /** the OpenAI endpoint: completions, chat (chat/completions) or embeddings */
  endpoint: z.enum(["completions", "chat", "embeddings"]),
  /** most requests in flight at once */
  concurrency: z.number().int().positive(),
  /** planned arrivals per second; null sends each request as soon as a slot is free */
  request_rate: num.positive().nullable(),
  /** gamma shape of the arrival gaps: 1 is a Poisson process, below 1 burstier */
  burstiness: num.positive(),
  /** seed of the arrival gaps */
  arrival_seed: z.number().int(),
  /** measured requests planned; null when the run is bounded by duration only */
  num_requests: z.number().int().positive().nullable(),
  /** no request is sent after this many seconds; null when bounded by count only */
  duration_s: num.positive().nullable(),
  /** generation: fixed (max_tokens + ignore_eos + min_tokens) or natural (max_tokens only); null for embedding */
  output_length: z.enum(["fixed", "natural"]).nullable(),
  /** generation streams (SSE) */
  stream: z.boolean(),
  /** client processes that shared the schedule (--shard I/N), when more than one: each sends every N-th request */
  shards: z.number().int().min(2).optional(),
  /** optional request fields not sent (--omit-fields), when any; absent: all of them were sent */
  omitted_fields: z
    .array(z.enum(["temperature", "top_k", "stream_options", "ignore_eos", "min_tokens", "encoding_format"]))
    .optional(),
  /** what shapes each request (prompt lengths, drawn output lengths, seed, dataset), when anything does */
  requests: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

/** A distribution known only by its percentiles (event-loop delay histogram), in ms. */
const histogramSchema = z.object({
  min: nonneg,
  mean: nonneg,
  p50: nonneg,
  p90: nonneg,
  p99: nonneg,
  max: nonneg,
});

/** Failed requests of a serving run, grouped by cause (http_503, stream_cut, idle_timeout, ...). */
const failureGroupSchema = z.object({
  cause: z.string(),
  count: z.number().int().positive(),
  example: z.string(),
});

const servingRequestsSchema = z.object({
  /** measured requests planned; null for a run bounded by duration */
  planned: count.nullable(),
  sent: count,
  completed: count,
  failed: count,
  /** in flight when the run was interrupted: neither completed nor failed */
  interrupted: count,
  /** requests sent again once on a fresh connection after a reused keep-alive one failed before any answer */
  retried: count.optional(),
});

/** What the client itself cost, so that a client bottleneck shows: all in ms. */
const clientOverheadSchema = z.object({
  /** from a read's timestamp to the end of its handling (SSE parse, record), one per read */
  chunk_handling_ms: summarySchema.nullable(),
  /** event-loop delay during the measured phase: how late a chunk's timestamp can be after its arrival */
  event_loop_delay_ms: histogramSchema.nullable(),
  /** from the moment a request could be sent (planned time reached, slot free) to the moment it was */
  scheduling_delay_ms: summarySchema.nullable(),
  /** from the planned arrival to a free concurrency slot: waiting by design, not client overhead */
  queue_wait_ms: summarySchema.nullable(),
});

const timeoutsSchema = z.object({
  connect: z.number().positive(),
  first_byte: z.number().positive(),
  idle: z.number().positive(),
  total: z.number().positive(),
});

/**
 * The connections the measured requests opened (those opened ahead of the phase are not counted): plain
 * reconnects are normal (llama-server closes the connection after every streamed response); TLS handshakes
 * inside the measured phase are a cost of the client's side that the figures should not carry.
 */
const servingConnectionsSchema = z.object({
  /**
   * keep-alive connections ready when the measured phase began: opened ahead of it (at least --concurrency
   * are asked for), or left open by discovery and warmup
   */
  ready_ahead: count,
  /** measured requests that opened a new connection */
  opened: count,
  /** of those, the ones that made a TLS handshake */
  tls_handshakes: count,
  /** the set-up time of the new connections (DNS, connect, TLS), ms; null when none was opened */
  setup_ms: summarySchema.nullable(),
});

/** Whether the client kept up (src/measure/client-capacity.ts); figures in ms unless named otherwise. */
const clientCapacitySchema = z.object({
  /** the client's lateness: from the moment a request was due (planned arrival, slot free) to its send */
  schedule_lag_ms: z.object({ p50: nonneg, p99: nonneg }).nullable(),
  /** planned span of the sent requests over the span they took (1: the plan kept); null without a rate */
  achieved_rate_fraction: nonneg.nullable(),
  /** mean CPU cores the client process used during the measured phase; null when unknown */
  client_cores: nonneg.nullable(),
  /** the figures past their limits (CLIENT_LIMITS): the client may have been the bottleneck */
  saturated_by: z.array(z.object({ figure: z.string(), value: num, limit: num })),
});

/**
 * A shard of a run spread over client processes (--shard I/N, src/measure/shard.ts), or the result `merge`
 * joined from them (index null).
 */
const shardSchema = z.object({
  /** the run: a digest of its schedule and workload (src/results/shard.ts); shards of one run share it */
  run_id: z.string().regex(/^[0-9a-f]{64}$/),
  /** this shard's index I; null for a merged result */
  index: z.number().int().nonnegative().nullable(),
  /** N, the shards of the run */
  count: z.number().int().positive(),
  /** the common start asked for (--start-at), ISO-8601; null when none */
  planned_start: z.string().nullable(),
  /** how late the measured phase began after planned_start, ms (a merged result: the latest shard's) */
  start_lag_ms: nonneg.nullable(),
});

/**
 * Server-side figures from the server's Prometheus /metrics (`--server-metrics`), by series
 * (`name{label="v",...}`), in the server's units: src/measure/server-metrics.ts.
 */
const serverMetricsSchema = z.object({
  /** the metrics URL scraped (origin and path) */
  url: z.string(),
  /** scrapes tried: before, during (every --server-metrics-interval) and after the measured phase */
  scrapes: count,
  /** scrapes that failed (refused, timed out, too large, not Prometheus text) */
  failed_scrapes: count,
  /** counters: delta over the measured phase (the last value after a reset) */
  counters: z.record(z.string(), num),
  /** gauges (queue length, KV-cache use): mean and max over the scrapes during the measured phase */
  gauges: z.record(z.string(), z.object({ mean: num, max: num })),
  /** histograms and summaries: deltas of count and sum over the measured phase */
  histograms: z.record(z.string(), z.object({ count: num, sum: num })),
  /** series past the first 200, not kept */
  dropped_series: count,
});

const servingCommon = {
  requests: servingRequestsSchema,
  /** absent in results written before it was recorded */
  connections: servingConnectionsSchema.optional(),
  failures: z.array(failureGroupSchema),
  /** wall time of the measured phase: first request sent to last request settled */
  duration_s: nonneg,
  /** completed requests / duration_s */
  requests_per_second: nonneg,
  client_overhead: clientOverheadSchema,
  /** absent in results written before it was recorded */
  client_capacity: clientCapacitySchema.optional(),
  /** present when --server-metrics was given and the endpoint was found */
  server_metrics: serverMetricsSchema.optional(),
  /** present for a shard's result and a merged one */
  shard: shardSchema.optional(),
  /** present with --workers N > 1: each load worker thread's share (src/execute/load-workers.ts) */
  workers: z
    .array(
      z.object({
        worker: count,
        /** requests it sent */
        requests: count,
        /** output tokens of its completed requests per second of its own span */
        output_tokens_per_second: nonneg,
        /** its event-loop delay p99, ms; null when none was sampled */
        event_loop_delay_p99_ms: nonneg.nullable(),
        /** the share of its span its thread was busy (eventLoopUtilization), 0 to 1 */
        event_loop_utilization: nonneg.max(1),
      }),
    )
    .optional(),
  timeouts_ms: timeoutsSchema,
};

/** Serving metrics of a generation run, over the completed requests (vLLM's benchmark_serving figures). */
export const servingGenerationSchema = z.object({
  ...servingCommon,
  total_input_tokens: count,
  total_output_tokens: count,
  /** output tokens / duration_s */
  output_tokens_per_second: nonneg,
  /** (input + output tokens) / duration_s */
  total_tokens_per_second: nonneg,
  output_length: z.object({
    requested: count,
    /** true when every completed request produced exactly the requested tokens */
    fixed: z.boolean(),
    min: count,
    max: count,
    /** usage (the server's counts), chunks (text chunks counted: a chunk may hold several tokens) or mixed */
    counted_from: z.enum(["usage", "chunks", "mixed"]),
  }),
  ttft_ms: summarySchema.nullable(),
  tpot_ms: summarySchema.nullable(),
  /** all chunk gaps of all requests pooled: vLLM's ITL, the gap between chunks (not tokens) */
  itl_ms: summarySchema.nullable(),
  /** where chunks carry several tokens: each chunk gap / the tokens of its chunk, pooled, in ms */
  itl_per_token_ms: summarySchema.nullable().optional(),
  /** output tokens / text chunks over the completed requests: 1 when each chunk is one token */
  tokens_per_chunk: nonneg.nullable().optional(),
  e2e_latency_ms: summarySchema,
  /**
   * `--prompt-tokens` (openai): who counted each prompt's exact tokens: the server's /tokenize, the
   * --tokenizer file, or approximate (a word as a token); absent for the workload's fixed prompt
   */
  prompt_token_count_source: z.enum(["server", "tokenizer", "approximate"]).optional(),
  /**
   * `--goodput` (openai): the requests that met every latency objective (vLLM's and AIPerf's goodput), their
   * share of the requests sent (failed ones never meet them) and their rate over the measured duration
   */
  goodput: z
    .object({
      /** each metric's bound in ms: ttft_ms, tpot_ms, itl_ms (a request's mean), e2e_latency_ms */
      objectives: z.partialRecord(z.enum(["ttft_ms", "tpot_ms", "itl_ms", "e2e_latency_ms"]), num.positive()),
      good_requests: count,
      share: nonneg,
      requests_per_second: nonneg,
    })
    .optional(),
});

/** Serving metrics of an embedding run. */
export const servingEmbeddingSchema = z.object({
  ...servingCommon,
  inputs_per_request: z.number().int().positive(),
  /** inputs embedded / duration_s */
  inputs_per_second: nonneg,
  /** input tokens (the server's usage) / duration_s; null when the server reported no usage */
  tokens_per_second: nonneg.nullable(),
  latency_ms: summarySchema,
});

/**
 * Written by `perf-baseline baseline`: how the baseline was captured. A baseline of several captures holds the
 * pooled samples of all of them; this block keeps each capture's median and robust CV of the gated metric
 * and their spread (the between-capture noise). Absent in a plain result (the specification's redirect form).
 */
export const baselineBlockSchema = z.object({
  /**
   * the metric the captures' medians and spread are of: the result's default gated metric (src/gate/metrics.ts
   * defaultMetricOf): tokens_per_second (generation), calls_per_second (embedding), prefill_tokens_per_second
   * (a prompt-only test)
   */
  metric: z.enum(["tokens_per_second", "calls_per_second", "prefill_tokens_per_second"]),
  captures: z.number().int().positive(),
  rounds_per_capture: z.array(count),
  capture_medians: z.array(nonneg),
  capture_robust_cvs: z.array(nonneg),
  /** (max - min) / median of the capture medians; null for a single capture */
  between_capture_spread: nonneg.nullable(),
  capture_started_at: z.array(z.string()),
  /** the command that captured the baseline */
  command: z.string(),
});

/**
 * What else the machine did while the rounds ran (warmup included), measured by the process that ran them:
 * the CPU used by other processes (from /proc/stat, minus this process) and by this process, in cores on
 * average. The gate uses it to tell a slower runtime from a busier machine. Absent in older results.
 */
export const machineLoadSchema = z.object({
  /** mean CPU cores used by other processes during the run; null where the OS does not tell (not Linux) */
  other_cores: nonneg.nullable(),
  /** mean CPU cores used by this process during the run */
  process_cores: nonneg,
  /** the 1-minute load average at the end of the run */
  loadavg_1m: nonneg,
  /** the observed interval, seconds */
  wall_s: nonneg,
});

/**
 * Instructions counted under valgrind's callgrind (`--counter instructions`), with collection switched on
 * only inside the native functions that do the engine's work: deterministic where wall time drifts. Present
 * only in a counted run; the wall-time figures of such a run are not comparable (they ran under valgrind).
 */
export const instructionsSchema = z.object({
  counter: z.literal("callgrind"),
  valgrind_version: z.string(),
  /** the ggml CPU backend variant the counted process ran (valgrind hides AVX-512: e.g. "haswell") */
  cpu_backend_variant: z.string().nullable(),
  /** compute threads of the counted run (always 1: ggml's spin-waits of more threads would count) */
  threads: z.literal(1),
  /** the functions collection was switched on in (inclusive counts) */
  counted_functions: z.array(z.string()),
  /** measured rounds of the counted run (a baseline's counted run is shorter than its timed captures) */
  rounds: z.number().int().positive(),
  warmup_rounds: count,
  /** new tokens per round of the counted run; 0 for embedding */
  max_new_tokens: count,
  /** the counted run's workload digest (counts are compared only for the same workload) */
  workload_digest: sha256,
  /**
   * false when this result's wall-time figures come from the counted run (they ran under valgrind: not
   * comparable); true when the block was added to a result timed without valgrind (a baseline)
   */
  wall_time_comparable: z.boolean(),
  /** "output_token" (generation) or "embedding_call" */
  unit: z.enum(["output_token", "embedding_call"]),
  /** instructions of each measured round (warmup excluded) */
  per_round: z.array(count),
  /** output tokens (generation) or embedding calls of each measured round */
  units_per_round: z.array(count),
  /** instructions per output token (generation) or per embedding call: total of the measured rounds / units */
  per_unit: nonneg,
  /** the functions with the largest self counts over the measured rounds, largest first */
  functions: z.array(z.object({ name: z.string(), self: count, inclusive: count })),
});

/**
 * A warning as stored: its code (src/results/warnings.ts lists them; "text" for one read from a format 1 or 2
 * result), its fields, and `text`, the line it renders to (what a reader that does not know the code shows).
 */
export const warningSchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_]*$/, "a warning code (lower case, digits and _)"),
    text: z.string(),
  })
  .catchall(z.union([z.string(), num, z.boolean(), z.null()]));

const common = {
  schema_version: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.literal("perf-baseline"), version: z.string() }),
  rounds: z.number().int().positive(),
  warmup_rounds: count,
  model_path: z.string(),
  elapsed_s: nonneg,
  calls_per_second: nonneg,
  environment: environmentSchema,
  engine: engineSchema,
  settings: settingsSchema,
  model: modelSchema,
  workload: workloadSchema,
  output: z.object({ digest: sha256.nullable(), consistent: z.boolean() }),
  invocation: invocationSchema,
  git: z.object({ commit: z.string(), dirty: z.boolean() }).nullable(),
  started_at: z.string(),
  finished_at: z.string(),
  /** false when the run was interrupted before all rounds were measured */
  complete: z.boolean(),
  warnings: z.array(warningSchema),
  baseline: baselineBlockSchema.optional(),
  machine_load: machineLoadSchema.optional(),
  /** serving runs only: the load settings (part of the comparability key) */
  load: loadSchema.optional(),
  /**
   * on disk only, for more than 10,000 samples (src/results/samples-file.ts): the gzip file beside this one
   * that holds the samples (`samples` is then empty); reading the result puts them back
   */
  samples_file: z.object({ path: z.string(), sha256, bytes: count, count: count }).optional(),
  /** `--counter instructions` runs only: the instruction counts */
  instructions: instructionsSchema.optional(),
  /**
   * the test's name as llama-bench writes it (`pp512`, `tg128`, `pp512+tg128`, `tg64 @ d1024`; embedding
   * `emb2x24`): src/workload/workload.ts testName. Absent in results recorded before it and serving runs.
   */
  test: z.string().optional(),
};

export const generationResultSchema = z.object({
  ...common,
  mode: z.literal("generation"),
  /** 0: prompt processing only (`--max-new-tokens 0`, llama-bench -n 0) */
  max_new_tokens: count,
  tokens_per_second: nonneg,
  samples: z.array(generationSampleSchema),
  serving: servingGenerationSchema.optional(),
  statistics: z.object({
    tokens_per_second: summarySchema,
    decode_tokens_per_second: summarySchema.nullable(),
    prefill_tokens_per_second: summarySchema.nullable(),
    ttft_ms: summarySchema.nullable(),
    itl_ms: summarySchema.nullable(),
    /** the rounds' itl_p99_ms; absent where the rounds do not carry it */
    itl_p99_ms: summarySchema.nullable().optional(),
    /** `--parallel` only: the rounds' tokens_per_second_per_sequence */
    tokens_per_second_per_sequence: summarySchema.nullable().optional(),
    /** `--parallel` only: the rounds' decode_tokens_per_second_per_sequence */
    decode_tokens_per_second_per_sequence: summarySchema.nullable().optional(),
    /**
     * the harness's time per token, in us, over every token of every round (the samples' harness_us pooled):
     * what the tool itself adds between two llama_decode calls; null where the engine does not measure it,
     * absent in serving runs and older results
     */
    harness_us_per_token: summarySchema.nullable().optional(),
  }),
});

export const embeddingResultSchema = z.object({
  ...common,
  mode: z.literal("embedding"),
  input_texts: z.number().int().positive(),
  tokens_per_second: nonneg,
  samples: z.array(embeddingSampleSchema),
  serving: servingEmbeddingSchema.optional(),
  statistics: z.object({
    calls_per_second: summarySchema,
    tokens_per_second: summarySchema,
    call_latency_ms: summarySchema,
  }),
});

export const resultSchema = z.discriminatedUnion("mode", [generationResultSchema, embeddingResultSchema]);

export type GenerationResult = z.infer<typeof generationResultSchema>;
export type EmbeddingResult = z.infer<typeof embeddingResultSchema>;
export type BenchmarkResult = z.infer<typeof resultSchema>;
export type InstructionsBlock = z.infer<typeof instructionsSchema>;
export type ResultWarning = z.infer<typeof warningSchema>;

/** The JSON Schema (draft 2020-12) of a result, generated from the zod schema. */
export function resultJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://perf-baseline.dev/schema/result.schema.json",
    title: "perf-baseline result",
    ...z.toJSONSchema(resultSchema, { target: "draft-2020-12" }),
  } as Record<string, unknown>;
}
