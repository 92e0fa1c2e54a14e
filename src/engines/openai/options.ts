import type { ShardSpec } from "../../measure/shard.js";
import { UsageError } from "../../util/errors.js";
import type { LengthDistribution } from "../../workload/distribution.js";

/** Which OpenAI endpoint generates: `/v1/completions` (a raw prompt) or `/v1/chat/completions` (one user message). */
export type GenerationEndpoint = "completions" | "chat";
export const GENERATION_ENDPOINTS: readonly GenerationEndpoint[] = ["completions", "chat"];

/**
 * How the output length is asked for. `fixed` sends max_tokens with ignore_eos and min_tokens (llama-server
 * and vLLM honour them) so that every request generates exactly max_tokens tokens; `natural` sends max_tokens
 * only (servers that reject unknown fields), and the real counts are used.
 */
export type OutputLength = "fixed" | "natural";
export const OUTPUT_LENGTHS: readonly OutputLength[] = ["fixed", "natural"];

/** Every wait of a request is bounded; all in milliseconds. */
export interface Timeouts {
  /** TCP (and TLS) connect. Defaults to 10 s. */
  connect_ms: number;
  /** request sent (connected) to the response headers. Defaults to 120 s (servers may queue requests). */
  first_byte_ms: number;
  /** longest gap between two pieces of the response body (headers to first chunk included). Defaults to 60 s. */
  idle_ms: number;
  /** the whole request. Defaults to 600 s. */
  total_ms: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  connect_ms: 10_000,
  first_byte_ms: 120_000,
  idle_ms: 60_000,
  total_ms: 600_000,
};

/** The default environment variable that holds the API key. */
export const DEFAULT_API_KEY_ENV = "OPENAI_API_KEY";

/**
 * Parses and normalises a base URL: http or https only, no query or fragment, no trailing slash. A URL with
 * no path gets "/v1" (llama-server, vLLM and Ollama all serve the OpenAI API under /v1).
 * @throws UsageError for anything that is not an http(s) URL.
 */
export function normalizeBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--base-url must be an http(s) URL such as http://127.0.0.1:8080/v1, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--base-url must use http or https, got "${url.protocol}"`);
  if (url.username || url.password)
    throw new UsageError("--base-url must not carry credentials: put the API key in an environment variable");
  if (url.search || url.hash) throw new UsageError("--base-url must not have a query or a fragment");
  let path = url.pathname.replace(/\/+$/, "");
  if (path === "") path = "/v1";
  url.pathname = path;
  return url;
}

/** The URL of an endpoint under the base URL, e.g. endpointUrl(base, "/completions"). */
export function endpointUrl(base: URL, path: string): URL {
  const url = new URL(base.href);
  url.pathname = `${base.pathname.replace(/\/+$/, "")}${path}`;
  return url;
}

/** The server root (the base URL without a trailing /v1), where llama-server, vLLM and Ollama expose their own info. */
export function serverRoot(base: URL): URL {
  const url = new URL(base.href);
  url.pathname = base.pathname.replace(/\/v1$/, "") || "/";
  return url;
}

/**
 * The optional request fields the tool may send, each of which a server may refuse (vLLM-style 400/422 on an
 * unknown or out-of-range field): `temperature` (0, greedy), `top_k` (1, greedy asked another way: sent only
 * when temperature is omitted), `stream_options` ({include_usage: true}), `ignore_eos` and `min_tokens`
 * (fixed output length), `encoding_format` ("float", embeddings). `--omit-fields` switches any of them off.
 */
export type OptionalField =
  | "temperature"
  | "top_k"
  | "stream_options"
  | "ignore_eos"
  | "min_tokens"
  | "encoding_format";
export const OPTIONAL_FIELDS: readonly OptionalField[] = [
  "temperature",
  "top_k",
  "stream_options",
  "ignore_eos",
  "min_tokens",
  "encoding_format",
];

/**
 * Parses a comma-separated list of optional fields ("temperature,stream_options"); "" or "none" is empty.
 * @throws UsageError naming the unknown field and the known ones.
 */
export function parseOmittedFields(raw: string): OptionalField[] {
  const text = raw.trim();
  if (text === "" || text === "none") return [];
  const out = new Set<OptionalField>();
  for (const part of text.split(",")) {
    const f = part.trim();
    if (!(OPTIONAL_FIELDS as readonly string[]).includes(f))
      throw new UsageError(
        `--omit-fields: "${f}" is not a field the tool sends optionally (${OPTIONAL_FIELDS.join(", ")})`,
      );
    out.add(f as OptionalField);
  }
  return OPTIONAL_FIELDS.filter((f) => out.has(f));
}

/**
 * The optional fields a server's refusal (an HTTP 400/422 body) names, among those that were sent: matched as
 * whole words, case-insensitively, e.g. `"loc":["body","temperature"]` or "unknown field stream_options".
 */
export function refusedFields(detail: string, sent: readonly OptionalField[]): OptionalField[] {
  const lower = detail.toLowerCase();
  return sent.filter((f) => new RegExp(`(^|[^a-z_])${f}([^a-z_]|$)`).test(lower));
}

/**
 * The hint for a request a server refused (HTTP 400 or 422) because of an optional field it names in its
 * error text: " (the server refused temperature: add --omit-fields temperature)". Null when the failure is
 * not such a refusal or names no field that was sent.
 * @param sent the optional fields the request sent; `omitted` those already switched off (kept in the flag).
 */
export function refusalHint(
  failure: { cause: string; detail: string },
  sent: readonly OptionalField[],
  omitted: readonly OptionalField[],
): string | null {
  if (failure.cause !== "http_400" && failure.cause !== "http_422") return null;
  const named = refusedFields(failure.detail, sent);
  if (named.length === 0) return null;
  const all = OPTIONAL_FIELDS.filter((f) => named.includes(f) || omitted.includes(f));
  let extra =
    named.includes("temperature") && !all.includes("top_k")
      ? "; greedy is then asked with top_k 1 (omit top_k too if refused)"
      : "";
  if (named.includes("ignore_eos") || named.includes("min_tokens"))
    extra += ", or --output-length natural to send neither ignore_eos nor min_tokens";
  return ` (the server refused ${named.join(", ")}: add --omit-fields ${all.join(",")}${extra})`;
}

/**
 * The per-request latencies a goodput objective may bound (vLLM's `--goodput ttft:200 tpot:50 e2el:...`,
 * AIPerf's `--goodput`), in ms: TTFT, TPOT, the request's mean ITL and its end-to-end latency.
 */
export const GOODPUT_METRICS = ["ttft_ms", "tpot_ms", "itl_ms", "e2e_latency_ms"] as const;
export type GoodputMetric = (typeof GOODPUT_METRICS)[number];
/** Goodput objectives: each metric's largest value in ms for a request to count. */
export type GoodputObjectives = Partial<Record<GoodputMetric, number>>;
/** The largest objective, ms (a day). */
const MAX_OBJECTIVE_MS = 86_400_000;

/**
 * Parses `--goodput ttft_ms:200,tpot_ms:50`.
 * @throws UsageError for an unknown metric, a bound that is not a positive number of ms, or a metric twice.
 */
export function parseGoodput(raw: string): GoodputObjectives {
  const out: GoodputObjectives = {};
  for (const part of raw.split(",")) {
    const [name = "", value, ...rest] = part.trim().split(":");
    if (!(GOODPUT_METRICS as readonly string[]).includes(name))
      throw new UsageError(`--goodput: unknown metric "${name}" (one of ${GOODPUT_METRICS.join(", ")})`);
    const v = Number(value);
    if (rest.length > 0 || value === undefined || !Number.isFinite(v) || v <= 0 || v > MAX_OBJECTIVE_MS)
      throw new UsageError(
        `--goodput ${name}: the bound must be a number of ms above 0 and up to ${MAX_OBJECTIVE_MS}, got "${value ?? ""}"`,
      );
    if (out[name as GoodputMetric] !== undefined) throw new UsageError(`--goodput: ${name} given twice`);
    out[name as GoodputMetric] = v;
  }
  return out;
}

/** `--goodput`'s spelling of objectives (for argv). */
export function goodputText(o: GoodputObjectives): string {
  return Object.entries(o)
    .map(([k, v]) => `${k}:${v}`)
    .join(",");
}

/**
 * Parses `--shared-prefix GROUPS:TOKENS` (SGLang's generated-shared-prefix and vLLM's prefix-repetition
 * workloads: GROUPS distinct prefixes of TOKENS tokens each).
 * @throws UsageError for another spelling or a value out of range.
 */
export function parseSharedPrefix(raw: string, maxTokens: number): { groups: number; tokens: number } {
  const m = /^(\d+):(\d+)$/.exec(raw.trim());
  const groups = Number(m?.[1]);
  const tokens = Number(m?.[2]);
  if (!m || groups < 1 || groups > 100_000 || tokens < 1 || tokens > maxTokens)
    throw new UsageError(
      `--shared-prefix ${raw}: expected GROUPS:PREFIX_TOKENS, GROUPS from 1 to 100000 and PREFIX_TOKENS from 1 to ${maxTokens}`,
    );
  return { groups, tokens };
}

/** Options of the `openai` engine, validated by the CLI. */
export interface ServingOptions {
  baseUrl: URL;
  /** the served model name; undefined picks the only model the server lists */
  model?: string;
  endpoint: GenerationEndpoint;
  /** the environment variable holding the API key */
  apiKeyEnv: string;
  concurrency: number;
  /** requests per second; null: as fast as the concurrency allows */
  requestRate: number | null;
  burstiness: number;
  arrivalSeed: number;
  numRequests: number | null;
  durationS: number | null;
  outputLength: OutputLength;
  /** inputs per embeddings request */
  batchSize: number;
  timeouts: Timeouts;
  /** failed requests do not fail the run (they are still counted and listed) */
  tolerateFailures: boolean;
  /** optional request fields not to send (--omit-fields). Defaults to none. */
  omitFields?: OptionalField[];
  /** a PEM file of a CA to trust beside the system's, for an https server (--ca-cert). Defaults to none. */
  caCert?: string;
  /** this process's share of the global schedule (--shard I/N); null or absent: all of it */
  shard?: ShardSpec | null;
  /** the common wall-clock start of the measured phase, epoch ms (--start-at); null or absent: none */
  startAtMs?: number | null;
  /** load worker threads (--workers, src/execute/load-workers.ts); absent: 1, the main thread sends */
  workers?: number;
  /** generation: each prompt's exact token count, fixed or drawn (--prompt-tokens). Defaults to the workload's prompt. */
  promptTokens?: LengthDistribution;
  /** a GGUF whose vocabulary counts prompt tokens when the server has no /tokenize (--tokenizer) */
  tokenizer?: string;
  /** seed of drawn lengths and prompt words (--request-seed). Defaults to 0. */
  requestSeed?: number;
  /** generation: a ShareGPT JSON or JSON Lines file of prompts or conversations (--dataset). Defaults to none. */
  dataset?: string;
  /** with --dataset: every turn of a conversation, each with its history, in order (--multi-turn) */
  multiTurn?: boolean;
  /** GROUPS prompts groups sharing a prefix of exactly TOKENS tokens each (--shared-prefix GROUPS:TOKENS) */
  sharedPrefix?: { groups: number; tokens: number };
  /** the server's context per request: dataset prompts whose tokens + max_tokens pass it are left out */
  maxContext?: number;
  /** generation: goodput objectives (--goodput). Defaults to none (no goodput figure). */
  goodput?: GoodputObjectives;
  /** the server's Prometheus /metrics sampled around the measured phase (--server-metrics). Defaults to off. */
  serverMetrics?: { target: URL | "auto"; intervalS: number };
}

/**
 * Parses `--server-metrics`: `auto` or an http(s) URL without credentials.
 * @throws UsageError for anything else.
 */
export function parseServerMetricsTarget(raw: string): URL | "auto" {
  if (raw.trim() === "auto") return "auto";
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(
      `--server-metrics must be auto or an http(s) URL such as http://127.0.0.1:8080/metrics`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--server-metrics must use http or https, got "${url.protocol}"`);
  if (url.username || url.password) throw new UsageError("--server-metrics must not carry credentials");
  return url;
}
