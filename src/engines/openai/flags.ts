import { SERVER_METRICS_LIMITS } from "../../measure/server-metrics.js";
import { UsageError } from "../../util/errors.js";
import { type FlagSpec, type FlagTable, type FlagValues, flagReader, stringFlag } from "../../util/flags.js";
import { parseLengthDistribution } from "../../workload/distribution.js";
import { EMBEDDING_TEXTS, type Mode } from "../../workload/workload.js";
import {
  DEFAULT_API_KEY_ENV,
  DEFAULT_TIMEOUTS,
  GENERATION_ENDPOINTS,
  normalizeBaseUrl,
  OPTIONAL_FIELDS,
  OUTPUT_LENGTHS,
  parseGoodput,
  parseOmittedFields,
  parseServerMetricsTarget,
  parseSharedPrefix,
  type ServingOptions,
} from "./options.js";
import { SHARD_FLAGS, shardOptionsFromFlags } from "./shard-flags.js";

/**
 * The `bench` flags of the `openai` engine (an OpenAI-compatible server under load) and their validation.
 * Flags of one engine given with the other are usage errors, so that nothing is silently ignored.
 */

/** Default inputs per embeddings request: the workload's texts, once each. */
export const DEFAULT_EMBEDDING_BATCH = EMBEDDING_TEXTS.length;

/** The longest timeout, and the longest --duration, in seconds. */
export const OPENAI_LIMITS = {
  timeout_s: 86_400,
  duration_s: 7 * 86_400,
  num_requests: 10_000_000,
  concurrency: 100_000,
  request_rate: 1e6,
  burstiness: 1e6,
  batch_size: 100_000,
  arrival_seed: 2 ** 32 - 1,
  prompt_tokens: 131_072,
} as const;

/** A timeout flag: seconds, its default shown in help. */
function timeoutFlag(what: string, defaultMs: number): FlagSpec {
  return {
    kind: "number",
    max: OPENAI_LIMITS.timeout_s,
    unit: "s",
    description: what,
    default: defaultMs / 1000,
  };
}

/** Flags only the openai engine takes. */
export const OPENAI_FLAGS = {
  model: {
    kind: "string",
    description: "the served model name",
    default: "the only model the server lists",
  },
  "batch-size": {
    kind: "int",
    min: 1,
    max: OPENAI_LIMITS.batch_size,
    description: "embedding: inputs per /v1/embeddings request",
    default: "the workload's texts, once each",
  },
  "base-url": {
    kind: "string",
    description: "the server's OpenAI base URL, e.g. http://127.0.0.1:8080/v1",
  },
  endpoint: {
    kind: "choice",
    choices: GENERATION_ENDPOINTS,
    description: "generation: /v1/completions or /v1/chat/completions",
    default: "completions",
  },
  "api-key-env": {
    kind: "string",
    description: "environment variable that holds the API key (never written anywhere)",
    default: DEFAULT_API_KEY_ENV,
  },
  concurrency: {
    kind: "int",
    min: 1,
    max: OPENAI_LIMITS.concurrency,
    description:
      "most requests in flight at once; a comma-separated list runs a load sweep (see docs/serving.md)",
    default: 1,
  },
  "request-rate": {
    kind: "number",
    max: OPENAI_LIMITS.request_rate,
    allowInf: true,
    description:
      "planned requests per second (Poisson/gamma arrivals), or inf: as fast as --concurrency allows; a comma-separated list runs a load sweep",
    default: "inf",
  },
  burstiness: {
    kind: "number",
    max: OPENAI_LIMITS.burstiness,
    description: "gamma shape of the arrival gaps with --request-rate: 1 Poisson, < 1 burstier, > 1 steadier",
    default: 1,
  },
  "arrival-seed": {
    kind: "int",
    min: 0,
    max: OPENAI_LIMITS.arrival_seed,
    description: "seed of the arrival gaps",
    default: 0,
  },
  "prompt-tokens": {
    kind: "string",
    range: `N, uniform:MIN:MAX, normal:MEAN:SD or lognormal:MEDIAN:SIGMA; 1 to ${OPENAI_LIMITS.prompt_tokens} tokens`,
    description:
      "generation: each request's prompt of exactly this many tokens (the server's /tokenize count, else --tokenizer's, else approximate), or drawn from a seeded distribution",
    default: "the workload's prompt",
  },
  tokenizer: {
    kind: "path",
    description:
      "a GGUF model whose vocabulary counts --prompt-tokens and --shared-prefix tokens when the server has no /tokenize",
    default: "the server's /tokenize, else approximate",
  },
  "request-seed": {
    kind: "int",
    min: 0,
    max: OPENAI_LIMITS.arrival_seed,
    description:
      "seed of the request lengths and prompt words (--prompt-tokens, a --max-new-tokens distribution)",
    default: 0,
  },
  dataset: {
    kind: "path",
    description:
      "generation: prompts from a ShareGPT JSON file ([{conversations: [{from, value}]}]) or JSON Lines of {prompt} or {messages}, sampled with --request-seed",
    default: "none",
  },
  "multi-turn": {
    kind: "boolean",
    description:
      "with --dataset: every turn of each conversation, in order, each sent with the history so far (the dataset's answers) after the previous turn's answer",
  },
  "max-context": {
    kind: "int",
    min: 2,
    max: OPENAI_LIMITS.prompt_tokens,
    unit: "tokens",
    description:
      "the server's context per request: dataset prompts whose tokens + max_tokens pass it are left out (counted)",
    default: "no check",
  },
  "shared-prefix": {
    kind: "string",
    range: "GROUPS:PREFIX_TOKENS",
    description:
      "generation: requests in GROUPS groups, each group's prompts led by a shared prefix of exactly PREFIX_TOKENS tokens (request i in group i mod GROUPS)",
    default: "none",
  },
  goodput: {
    kind: "string",
    range: "METRIC:MS,... with METRIC one of ttft_ms, tpot_ms, itl_ms, e2e_latency_ms",
    description:
      "generation: latency objectives; the share and rate of requests that meet every one (vLLM's and AIPerf's goodput)",
    default: "none",
  },
  "server-metrics": {
    kind: "string",
    range: "auto or an http(s) URL",
    description:
      "the server's Prometheus metrics sampled before, during and after the measured phase (auto: /metrics at --base-url's origin, if it answers text/plain); the API key is sent only to --base-url's origin",
    default: "off",
  },
  "server-metrics-interval": {
    kind: "number",
    max: SERVER_METRICS_LIMITS.interval_s.max,
    unit: "s",
    range: `${SERVER_METRICS_LIMITS.interval_s.min} to ${SERVER_METRICS_LIMITS.interval_s.max}`,
    description: "seconds between two --server-metrics scrapes during the measured phase",
    default: SERVER_METRICS_LIMITS.interval_s.default,
  },
  "num-requests": {
    kind: "int",
    min: 1,
    max: OPENAI_LIMITS.num_requests,
    description: "measured requests",
    default: "--rounds",
  },
  duration: {
    kind: "number",
    max: OPENAI_LIMITS.duration_s,
    unit: "s",
    description: "send no request after this many seconds",
  },
  "output-length": {
    kind: "choice",
    choices: OUTPUT_LENGTHS,
    description:
      "generation: fixed (max_tokens + ignore_eos + min_tokens) or natural (max_tokens only; real counts)",
    default: "fixed",
  },
  "omit-fields": {
    kind: "list",
    of: "choice",
    choices: OPTIONAL_FIELDS,
    description: "optional request fields not to send, for servers that refuse them",
    default: "none",
  },
  "tolerate-failures": {
    kind: "boolean",
    description: "failed requests are counted and listed but do not fail the run",
  },
  "ca-cert": {
    kind: "string",
    description:
      "PEM file of a CA to trust for an https --base-url, beside the system's (a self-signed server)",
    default: "the system's CAs",
  },
  "connect-timeout": timeoutFlag("seconds to connect", DEFAULT_TIMEOUTS.connect_ms),
  "first-byte-timeout": timeoutFlag(
    "seconds from connect to the response headers",
    DEFAULT_TIMEOUTS.first_byte_ms,
  ),
  "idle-timeout": timeoutFlag(
    "longest gap in seconds between two pieces of a response",
    DEFAULT_TIMEOUTS.idle_ms,
  ),
  "request-timeout": timeoutFlag("seconds for a whole request", DEFAULT_TIMEOUTS.total_ms),
  ...SHARD_FLAGS,
} as const satisfies FlagTable;

const seconds = (values: FlagValues, name: string, fallbackMs: number) =>
  Math.round((flagReader(OPENAI_FLAGS, values).number(name, fallbackMs / 1000) as number) * 1000);

/**
 * The variable the API key is read from: --api-key-env, else DEFAULT_API_KEY_ENV (which may be unset: no key).
 * @throws UsageError for a name that is not a variable's, or a variable named on purpose but unset or empty
 *   (a run would send no key without a word)
 */
function apiKeyEnvOf(given: string | undefined): string {
  const name = given ?? DEFAULT_API_KEY_ENV;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    // the value is not echoed: it may be a key pasted in the wrong place
    throw new UsageError("--api-key-env must be the name of an environment variable (letters, digits, _)");
  if (given !== undefined && !process.env[name])
    throw new UsageError(
      `--api-key-env ${name}: $${name} is not set or empty (export the key in it, or leave --api-key-env out to send none)`,
    );
  return name;
}

/**
 * The openai engine's options from the flags.
 * @param rounds the --rounds value: the default of --num-requests.
 * @throws UsageError for a missing --base-url or any bad value.
 */
export function servingOptionsFromFlags(values: FlagValues, mode: Mode, rounds: number): ServingOptions {
  const base = stringFlag(values, "base-url");
  if (base === undefined)
    throw new UsageError("--engine openai needs --base-url (e.g. http://127.0.0.1:8080/v1)");
  if (mode === "embedding" && values.endpoint !== undefined)
    throw new UsageError("--endpoint applies to generation (embedding uses /v1/embeddings)");
  if (mode === "embedding" && values["output-length"] !== undefined)
    throw new UsageError("--output-length applies to generation");
  if (mode === "generation" && values["batch-size"] !== undefined)
    throw new UsageError("--batch-size applies to embedding with --engine openai (inputs per request)");
  const read = flagReader(OPENAI_FLAGS, values);
  const promptTokens = read.string("prompt-tokens");
  if (mode === "embedding" && promptTokens !== undefined)
    throw new UsageError("--prompt-tokens applies to generation with --engine openai");
  const goodput = read.string("goodput");
  const dataset = read.string("dataset");
  const sharedPrefix = read.string("shared-prefix");
  if (mode === "embedding" && (dataset ?? sharedPrefix) !== undefined)
    throw new UsageError("--dataset and --shared-prefix apply to generation with --engine openai");
  if (dataset !== undefined && promptTokens !== undefined)
    throw new UsageError("--prompt-tokens and --dataset both choose the prompts: give one");
  if (dataset === undefined && (values["multi-turn"] !== undefined || values["max-context"] !== undefined))
    throw new UsageError("--multi-turn and --max-context apply to --dataset");
  if (mode === "embedding" && goodput !== undefined)
    throw new UsageError("--goodput applies to generation (its objectives are TTFT, TPOT, ITL, E2E)");
  const apiKeyEnv = apiKeyEnvOf(read.string("api-key-env"));
  const duration = read.number("duration", null);
  const numRequests =
    values["num-requests"] !== undefined
      ? read.int("num-requests", rounds)
      : duration !== null && values.rounds === undefined
        ? null
        : rounds;
  const requestRate = read.number("request-rate", null);
  if (requestRate === null && values.burstiness !== undefined)
    throw new UsageError("--burstiness shapes --request-rate arrivals: give a --request-rate too");
  const timeouts = {
    connect_ms: seconds(values, "connect-timeout", DEFAULT_TIMEOUTS.connect_ms),
    first_byte_ms: seconds(values, "first-byte-timeout", DEFAULT_TIMEOUTS.first_byte_ms),
    idle_ms: seconds(values, "idle-timeout", DEFAULT_TIMEOUTS.idle_ms),
    total_ms: seconds(values, "request-timeout", DEFAULT_TIMEOUTS.total_ms),
  };
  if (Object.values(timeouts).some((v) => v < 1)) throw new UsageError("timeouts must be at least 0.001 s");
  return {
    baseUrl: normalizeBaseUrl(base),
    model: read.string("model"),
    endpoint: read.choice("endpoint", "completions"),
    apiKeyEnv,
    concurrency: read.int("concurrency", 1),
    requestRate,
    burstiness: read.number("burstiness", 1) as number,
    arrivalSeed: read.int("arrival-seed", 0),
    numRequests,
    durationS: duration,
    outputLength: read.choice("output-length", "fixed"),
    batchSize: read.int("batch-size", DEFAULT_EMBEDDING_BATCH),
    timeouts,
    tolerateFailures: values["tolerate-failures"] === true,
    omitFields: parseOmittedFields(stringFlag(values, "omit-fields") ?? ""),
    ...(read.string("ca-cert") ? { caCert: read.string("ca-cert") } : {}),
    ...shardOptionsFromFlags(values),
    ...(promptTokens === undefined
      ? {}
      : {
          promptTokens: parseLengthDistribution("--prompt-tokens", promptTokens, {
            min: 1,
            max: OPENAI_LIMITS.prompt_tokens,
          }),
        }),
    ...(goodput === undefined ? {} : { goodput: parseGoodput(goodput) }),
    ...(dataset === undefined ? {} : { dataset }),
    ...(read.string("tokenizer") === undefined ? {} : { tokenizer: read.string("tokenizer") }),
    ...(values["multi-turn"] === true ? { multiTurn: true } : {}),
    ...(values["max-context"] === undefined ? {} : { maxContext: read.int("max-context", 0) }),
    ...(sharedPrefix === undefined
      ? {}
      : { sharedPrefix: parseSharedPrefix(sharedPrefix, OPENAI_LIMITS.prompt_tokens) }),
    ...(values["request-seed"] === undefined ? {} : { requestSeed: read.int("request-seed", 0) }),
    ...serverMetricsOptions(values),
  };
}

/**
 * `--server-metrics` and its interval as options (none when off).
 * @throws UsageError for a bad URL, an interval out of range or given without --server-metrics.
 */
function serverMetricsOptions(values: FlagValues): Pick<ServingOptions, "serverMetrics"> {
  const read = flagReader(OPENAI_FLAGS, values);
  const target = read.string("server-metrics");
  const { min, default: fallback } = SERVER_METRICS_LIMITS.interval_s;
  if (target === undefined) {
    if (values["server-metrics-interval"] !== undefined)
      throw new UsageError("--server-metrics-interval applies to --server-metrics");
    return {};
  }
  const intervalS = read.number("server-metrics-interval", fallback) as number;
  if (intervalS < min)
    throw new UsageError(`--server-metrics-interval must be at least ${min} s, got ${intervalS}`);
  return { serverMetrics: { target: parseServerMetricsTarget(target), intervalS } };
}
