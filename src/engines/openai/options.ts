import { UsageError } from "../../util/errors.js";

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
