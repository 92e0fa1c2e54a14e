/**
 * The per-request records of a serving run: what one request to an OpenAI-compatible server gave back, as raw
 * timestamps and counts (no statistics). The openai client (src/engines/openai/client.ts) fills them; the
 * load generator (load.ts) keeps them per request; the serving results (src/results/build-serving.ts) are
 * built from them. Timestamps are process.hrtime.bigint() nanoseconds.
 */

/** Why a request failed: a stable key results group failures by. */
export type FailureCause =
  | "connection_refused"
  | "connection_reset"
  | "dns_error"
  | "network_error"
  | "connect_timeout"
  | "first_byte_timeout"
  | "idle_timeout"
  | "total_timeout"
  | "stream_cut"
  | "stream_incomplete"
  | "malformed_sse"
  | "stream_error"
  /** a stream that ended with a finish_reason other than a normal one (e.g. vLLM's "abort") */
  | "abnormal_finish"
  | "bad_response"
  | "aborted"
  /** a 2xx stream that carried no output token (only [DONE], or only empty chunks) */
  | "no_output"
  | `http_${number}`;

/**
 * How a request got its connection: a reused keep-alive one, or one it opened (DNS, TCP connect and, for
 * https, the TLS handshake), and how long opening it took.
 */
export interface ConnectionSetup {
  /** the request opened a new connection (its last attempt, when it was sent again) */
  opened: boolean;
  /** that new connection made a TLS handshake (https) */
  tls: boolean;
  /** from the attempt's start to the new connection being ready, ns; null when none was opened or it never got ready */
  setup_ns: bigint | null;
  /** when the new connection was ready (absolute ns): the request could be sent from then; null as setup_ns */
  ready_ns: bigint | null;
}

/** A failed request: why, and a one-line detail already free of the API key. */
export interface RequestFailure {
  ok: false;
  cause: FailureCause;
  detail: string;
  status: number | null;
  start_ns: bigint;
  end_ns: bigint;
  /** times the request was sent again on a fresh connection (0 or 1) */
  retries: number /** how it got its connection; absent when not known */;
  connection?: ConnectionSetup;
}

/** Token counts a server reported. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** A streamed generation request that completed. */
export interface GenerationSuccess {
  ok: true;
  start_ns: bigint;
  /** response headers arrived */
  headers_ns: bigint;
  /** the first chunk that carried output text; null when none did */
  first_token_ns: bigint | null;
  /** the last piece of the stream was read */
  end_ns: bigint;
  /** arrival of each chunk that carried output text, in order (one typed array: a run keeps every request's) */
  chunk_times_ns: BigInt64Array;
  /** characters of output text in each of those chunks (to share usage tokens among chunks) */
  chunk_chars: number[];
  text: string;
  /** usage from the stream (include_usage or a server's own last chunk); null when none came */
  usage: Usage | null;
  finish_reason: string | null;
  /** whether the stream ended with `data: [DONE]` (which completes the request, even if the server leaves it open) */
  done_marker: boolean;
  /** times the request was sent again on a fresh connection after a stale keep-alive one failed (0 or 1) */
  retries: number /** how it got its connection; absent when not known */;
  connection?: ConnectionSetup;
}

/** An embeddings request that completed. */
export interface EmbeddingSuccess {
  ok: true;
  start_ns: bigint;
  end_ns: bigint;
  inputs: number;
  /** sha256 of the vectors as float32, in input order (the vectors themselves are not kept) */
  digest: string;
  /** length of each vector */
  dimensions: number;
  /** usage.prompt_tokens when the server reported it */
  prompt_tokens: number | null;
  /** times the request was sent again on a fresh connection (0 or 1) */
  retries: number /** how it got its connection; absent when not known */;
  connection?: ConnectionSetup;
}

/** What one request of a serving run comes to: a completed generation or embeddings request, or a failure. */
export type ServingOutcome = GenerationSuccess | EmbeddingSuccess | RequestFailure;

/**
 * Whether a request's outcome says the server was not there: its connection was refused. The load loop stops a
 * run after UNREACHABLE_STOP of these in a row (src/measure/load.ts `unreachable`).
 */
export function connectionRefused(outcome: unknown): boolean {
  return (
    typeof outcome === "object" &&
    outcome !== null &&
    (outcome as { ok?: unknown }).ok === false &&
    (outcome as { cause?: unknown }).cause === "connection_refused"
  );
}
