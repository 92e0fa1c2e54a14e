import type { ResultWarning } from "./schema.js";

/**
 * Warnings as data: a code and its fields, rendered to its one line in one place ({@link renderWarning}). A
 * result stores each as `{code, ...fields, text}` ({@link warningRecord}; text is the rendered line, so a reader
 * that does not know the code still shows it), and every command prints each text once on stderr
 * ({@link printWarnings}). Results of format 1 and 2 stored the text only: reading them gives `{code: "text",
 * text}` (src/results/migrations.ts).
 */

/** Every warning the tool can attach to a result. Field values are strings, numbers or booleans. */
export type Warning =
  /** the project's dummy-weight model ran: throughput is real, the text is not */
  | { code: "dummy_weights" }
  /** measured rounds computed different outputs (token ids or embedding values) */
  | { code: "nondeterministic_output"; what: "tokens" | "embeddings" }
  /** pooled captures computed different outputs */
  | { code: "captures_differ_in_output" }
  /** a baseline's captures are noisy or far apart */
  | { code: "noisy_baseline"; mode: string; detail: string; fix: string }
  /** the run was interrupted: the result holds the rounds that finished */
  | { code: "partial_result"; rounds_done: number; rounds_planned: number }
  /** instructions were counted under valgrind on one thread: the wall-time figures are not comparable */
  | { code: "counted_under_valgrind" }
  /** git gave no commit for the working folder; `reason` is git's own (environment/git.ts gitProvenance) */
  | { code: "git_unavailable"; reason: string }
  /** what a server or engine reported, as it said it (already redacted) */
  | { code: "engine"; message: string }
  | ServingWarning;

/** The warnings of a serving run (`--engine openai`): server discovery, requests, the finished result. */
export type ServingWarning =
  /** serving: the server named no software or version (server discovery) */
  | { code: "server_version_unknown" }
  /** serving: the models list failed (not for want of a connection or a key); `path` is its URL path */
  | { code: "models_list_failed"; path: string; detail: string }
  /** serving: the models list answered without a list of models */
  | { code: "models_not_listed"; path: string }
  /** serving: warmup requests failed and `--tolerate-failures` accepted them; `causes` groups them by cause */
  | { code: "warmup_requests_failed"; failed: number; planned: number; causes: string }
  /** serving: measured requests failed; `tolerated` is whether `--tolerate-failures` accepts them */
  | { code: "requests_failed"; failed: number; sent: number; causes: string; tolerated: boolean }
  /** serving: the run was interrupted: the requests in flight were dropped */
  | { code: "requests_interrupted" }
  /** serving: `in_row` requests in a row had their connection refused: the run stopped (src/measure/load.ts) */
  | { code: "server_unreachable"; in_row: number }
  /** serving: the requests' output lengths differ from the requested one; `fixed_sent` when it was asked for */
  | { code: "output_length_not_fixed"; requested: number; min: number; max: number; fixed_sent: boolean }
  /** serving generation: some requests had no usage, their output tokens are their text chunks */
  | { code: "usage_missing_some" }
  /** serving generation: the server's usage.prompt_tokens differ from the prompt's counted tokens */
  | { code: "prompt_tokens_disagree"; requests: number; counted: number; usage: number; source: string }
  /** serving embedding: no usage at all, so embedding tokens/s is unknown */
  | { code: "usage_missing" }
  /** serving generation: neither temperature 0 nor top_k 1 was sent */
  | { code: "default_sampling" }
  /** serving: the requests' outputs differ (generated texts, or embeddings of the same inputs) */
  | { code: "server_nondeterministic"; what: "texts" | "embeddings" }
  /** serving generation: usage.completion_tokens below the text chunks in `contradicted` of `completed` requests */
  | { code: "usage_contradicts_stream"; contradicted: number; completed: number }
  /** serving generation: chunks carry several tokens (`tokens_per_chunk` output tokens per text chunk) */
  | { code: "chunks_not_tokens"; tokens_per_chunk: number }
  | ServingFaultWarning;

/** Faults of the way between client and server that make a serving figure untrue (or that cost the run). */
export type ServingFaultWarning =
  /** serving generation: `buffered` of `completed` requests got all their text chunks within `window_ms` */
  | { code: "stream_buffered"; buffered: number; completed: number; window_ms: number }
  /** serving: `handshakes` of `sent` measured requests opened a TLS connection (median set-up in ms) */
  | { code: "tls_handshakes_measured"; handshakes: number; sent: number; setup_ms_median: number }
  /** serving: the client may have been the bottleneck (src/measure/client-capacity.ts); the figures past their limits */
  | { code: "client_saturated"; evidence: string }
  /**
   * serving with --request-rate: the planned rate was not kept because requests waited for a concurrency slot
   * (not the client's lateness: src/measure/client-capacity.ts); `achieved` of the plan, queue wait p99 in ms
   */
  | { code: "rate_not_kept"; achieved: number; queue_wait_p99_ms: number; concurrency: number }
  /** serving with --server-metrics: `failed` of `scrapes` scrapes of `url` failed, the first for `reason` */
  | { code: "server_metrics_unavailable"; url: string; failed: number; scrapes: number; reason: string };

/** The code of a warning read from a format 1 or 2 result, which stored the text only. */
export const TEXT_WARNING_CODE = "text";

/** The code of every warning a result can hold: those the tool writes, and {@link TEXT_WARNING_CODE}. */
export type WarningCode = Warning["code"] | typeof TEXT_WARNING_CODE;

/** The one line a serving fault warning reads as. */
function renderServingFaultWarning(w: ServingFaultWarning): string {
  switch (w.code) {
    case "stream_buffered":
      return `${w.buffered} of ${w.completed} requests received all their text chunks at once (within ${w.window_ms} ms): the stream was buffered on its way (a proxy, compression, or the server's flush policy), so their TTFT, TPOT and ITL are null (their end-to-end latency is kept)`;
    case "tls_handshakes_measured":
      return `${w.handshakes} of ${w.sent} measured requests waited for a new TLS connection (median set-up ${w.setup_ms_median.toFixed(1)} ms; kept out of their TTFT, not out of their end-to-end latency): the server closes its connections or more were needed than were opened ahead`;
    case "client_saturated":
      return `the client may have been the bottleneck (${w.evidence}): its TTFT, ITL and rates measure the client too; the gate calls no REGRESSION from this result`;
    case "rate_not_kept":
      return `the planned request rate was not kept: ${(w.achieved * 100).toFixed(0)} % of it was sent, requests waited for one of the ${w.concurrency} concurrency slots (queue wait p99 ${w.queue_wait_p99_ms.toFixed(0)} ms): the server's capacity at this concurrency was measured, not the planned load; raise --concurrency to offer the rate`;
    case "server_metrics_unavailable":
      return `${w.failed} of ${w.scrapes} scrapes of the server's metrics at ${w.url} failed (${w.reason}): its server-side figures cover the others${w.failed === w.scrapes ? " (none)" : ""}`;
  }
}

/** The one line a serving warning reads as ({@link renderWarning} for the others). */
function renderServingWarning(w: ServingWarning): string {
  switch (w.code) {
    case "server_version_unknown":
      return "the server told no software name or version: a server upgrade between two runs will not show in the comparison";
    case "models_list_failed":
      return `GET ${w.path} failed (${w.detail}): the served models could not be checked`;
    case "models_not_listed":
      return `GET ${w.path} did not list models: the model name could not be checked`;
    case "warmup_requests_failed":
      return `${w.failed} of ${w.planned} warmup requests failed: ${w.causes}`;
    case "requests_failed":
      return `${w.failed} of ${w.sent} requests failed: ${w.causes}${w.tolerated ? "" : " (the run fails; --tolerate-failures accepts them)"}`;
    case "requests_interrupted":
      return "interrupted: the requests in flight were dropped, the result is partial";
    case "server_unreachable":
      return `the server went away: ${w.in_row} requests in a row had their connection refused, so the run stopped there; the result is partial`;
    case "output_length_not_fixed":
      return `the server did not generate exactly ${w.requested} tokens per request (${w.min} to ${w.max}${
        w.fixed_sent ? "; ignore_eos/min_tokens were sent but not honoured" : ""
      }): throughput uses the real counts`;
    case "prompt_tokens_disagree":
      return `${w.requests} requests' usage.prompt_tokens disagree with the prompt's ${w.source} count (e.g. ${w.usage} vs ${w.counted}, beyond the 2 special tokens a server may add)`;
    case "usage_missing_some":
      return "the server reported no usage for some requests: their output tokens are counted as text chunks";
    case "usage_missing":
      return "the server reported no usage: embedding tokens/s is unknown (0)";
    case "default_sampling":
      return "neither temperature 0 nor top_k 1 was sent: the server sampled as it does by default";
    case "server_nondeterministic":
      return w.what === "texts"
        ? "requests generated different texts: the server is not deterministic at temperature 0 here"
        : "requests computed different embeddings for the same inputs: the server is not deterministic here";
    case "usage_contradicts_stream":
      return `${w.contradicted} of ${w.completed} requests reported usage.completion_tokens below their text chunks (each holds at least one token): the server's usage contradicts its stream, the text chunks are counted instead`;
    case "chunks_not_tokens":
      return `chunks are not tokens here (${w.tokens_per_chunk.toFixed(2)} output tokens per text chunk): itl_ms is the gap between chunks (vLLM's ITL), itl_per_token_ms divides each gap by its chunk's tokens, TPOT and decode tokens/s count the tokens after the first chunk`;
    default:
      return renderServingFaultWarning(w);
  }
}

/** The one line a warning reads as: the only place a warning's text is written. */
export function renderWarning(w: Warning): string {
  switch (w.code) {
    case "dummy_weights":
      return "dummy weights: throughput is real, generated text is not meaningful";
    case "nondeterministic_output":
      return w.what === "tokens"
        ? "rounds generated different tokens: the engine is not deterministic here"
        : "rounds computed different embeddings: the engine is not deterministic here";
    case "captures_differ_in_output":
      return "captures computed different outputs: the engine is not deterministic here";
    case "noisy_baseline":
      return `noisy ${w.mode} baseline (${w.detail}): ${w.fix}`;
    case "partial_result":
      return `interrupted: ${w.rounds_done} of ${w.rounds_planned} measured rounds ran; the result is partial`;
    case "counted_under_valgrind":
      return "instructions counted under valgrind on 1 thread: wall-time figures of this run are not comparable (the gate uses its instruction counts)";
    case "git_unavailable":
      return `no git commit recorded: ${w.reason} (the gate cannot tell which files changed since this result)`;
    case "engine":
      return w.message;
    default:
      return renderServingWarning(w);
  }
}

/** A warning as a result stores it: its code and fields, and `text`, its rendered line. */
export function warningRecord(w: Warning): ResultWarning {
  return { ...w, text: renderWarning(w) };
}

/** The warnings this process has said (code and text): a command says each once, however many runs it makes. */
const SAID = new Set<string>();

/**
 * Prints each warning of a result on stderr, once per process (by code and text: the dummy-weights warning of
 * an `ab` with 16 captures is said once): `perf-baseline: warning: <text>`.
 * @param said the warnings already said (default: this process's).
 */
export function printWarnings(
  warnings: readonly ResultWarning[],
  write: (s: string) => unknown = (s) => process.stderr.write(s),
  said: Set<string> = SAID,
): void {
  for (const w of warnings) {
    const key = `${w.code}\u0000${w.text}`;
    if (said.has(key)) continue;
    said.add(key);
    write(`perf-baseline: warning: ${w.text}\n`);
  }
}
