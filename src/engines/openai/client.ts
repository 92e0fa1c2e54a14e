import { createHash } from "node:crypto";
import type http from "node:http";
import { createParser, type EventSourceParser } from "eventsource-parser";
import type {
  ConnectionSetup,
  EmbeddingSuccess,
  FailureCause,
  GenerationSuccess,
  RequestFailure,
  Usage,
} from "../../measure/requests.js";
import { nowMs, nsArrayOfMs, nsOfMs } from "../../util/clock.js";
import { secretRedactor } from "../../util/redact.js";
import {
  type BodySink,
  Connections,
  type DataVerdict,
  type ExchangeRequest,
  type ExchangeSuccess,
  exchange,
  MAX_FREE_SOCKETS,
  type SinkVerdict,
} from "./http.js";
import { endpointUrl, type GenerationEndpoint, type OptionalField, type Timeouts } from "./options.js";

/**
 * The OpenAI-compatible HTTP client: one streamed generation request, one embeddings request, or a JSON GET,
 * each returning raw timestamps and counts (no statistics). The API key goes into the Authorization header
 * and nowhere else: every text that comes back from the server or the network stack is redacted.
 */

/** The per-request records the client returns (src/measure/requests.ts), re-exported for its callers. */
export type { EmbeddingSuccess, FailureCause, GenerationSuccess, RequestFailure, Usage };

/** A JSON GET's answer (for identity probes); json is null when the body was not JSON. */
export interface JsonAnswer {
  ok: true;
  status: number;
  headers: http.IncomingHttpHeaders;
  json: unknown;
  /** how the GET got its connection */
  connection: ConnectionSetup;
}

/** What a generation request asks for. */
export interface GenerationRequest {
  endpoint: GenerationEndpoint;
  model: string;
  prompt: string;
  /** chat: the messages to send instead of one user message of `prompt` (a conversation's history) */
  messages?: ReadonlyArray<{ role: string; content: string }>;
  max_tokens: number;
  /** send ignore_eos and min_tokens = max_tokens so that exactly max_tokens are generated */
  fixed_length: boolean;
  /** optional fields not to send (a server refuses them). Defaults to none. */
  omit?: readonly OptionalField[];
}

/** Client options. */
export interface ClientOptions {
  baseUrl: URL;
  /** the API key, or null to send no Authorization header */
  apiKey: string | null;
  timeouts: Timeouts;
  /** PEM text of a CA to trust beside the system's, for an https server (--ca-cert). Defaults to none. */
  ca?: string;
}

/** One in this many reads of a client's streams has its handling time taken (ClientOverhead). */
export const HANDLING_SAMPLE_EVERY = 8;

/**
 * Time spent handling each read of a stream (parse and record), for the client-overhead figures: ns from a
 * read's timestamp to the end of its handling. Memory is bounded: past `capacity` reads, a uniform random
 * sample of them is kept (reservoir sampling), which is all percentiles need.
 *
 * Not every read is timed: one in HANDLING_SAMPLE_EVERY of a client's reads (counted over all its streams, so
 * the timed reads fall at every position of a stream), which spares the hot path a second clock read per
 * chunk; the percentiles are those of that systematic sample.
 */
export class ClientOverhead {
  private kept: number[] = [];
  private seen = 0;
  /** reads handled since the last timed one (sampleRead) */
  private tick = 0;
  constructor(private readonly capacity = 200_000) {}

  /**
   * Called at the end of a read's handling with the read's nowMs() timestamp: records its handling time for
   * one read in HANDLING_SAMPLE_EVERY (the clock is read only then).
   */
  sampleRead(readAtMs: number): void {
    if (++this.tick < HANDLING_SAMPLE_EVERY) return;
    this.tick = 0;
    this.add((nowMs() - readAtMs) * 1e6);
  }

  /** Records one read's handling time, in ns. */
  add(ns: number): void {
    this.seen++;
    if (this.kept.length < this.capacity) this.kept.push(ns);
    else {
      const j = Math.floor(Math.random() * this.seen);
      if (j < this.capacity) this.kept[j] = ns;
    }
  }

  /** Forgets everything recorded (e.g. the warmup's reads). */
  reset(): void {
    this.kept = [];
    this.seen = 0;
  }

  /** The reads timed since the last reset. */
  get count(): number {
    return this.seen;
  }

  /** The kept handling times, in ns (all of them up to `capacity` reads). */
  samples(): readonly number[] {
    return this.kept;
  }
}

/**
 * The finish reasons of a generation that ended normally: `stop` and `length` (the OpenAI API; llama-server,
 * vLLM, SGLang and Ollama send these), and TGI's names for the same, `eos_token` and `stop_sequence`
 * (docs/serving.md lists them with their sources). Any other reason (vLLM's and SGLang's `abort`, `error`,
 * `content_filter`, ...) fails the request with the cause `abnormal_finish`.
 */
export const NORMAL_FINISH_REASONS: ReadonlySet<string> = new Set([
  "stop",
  "length",
  "eos_token",
  "stop_sequence",
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function usageOf(v: unknown): Usage | null {
  if (!isObject(v)) return null;
  const p = v.prompt_tokens;
  const c = v.completion_tokens;
  if (typeof c !== "number" || !Number.isFinite(c) || c < 0) return null;
  return { prompt_tokens: typeof p === "number" && p >= 0 ? p : 0, completion_tokens: c };
}

/** A text that came with an abnormal finish: the choice's stop_reason or message, or the chunk's error. */
function finishMessageOf(choice: Record<string, unknown>, chunk: Record<string, unknown>): string | null {
  for (const v of [choice.stop_reason, choice.message, chunk.message, chunk.error])
    if (typeof v === "string" && v !== "") return v;
    else if (isObject(v) && typeof v.message === "string") return v.message;
  return null;
}

function errorMessage(v: unknown): string {
  if (isObject(v) && typeof v.message === "string") return v.message;
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** A stream the exchange delivered in full but that failed as a request: its cause, detail and timings. */
function failedStream(result: ExchangeSuccess, cause: FailureCause, detail: string): RequestFailure {
  return {
    ok: false,
    cause,
    detail,
    status: result.status,
    start_ns: result.start_ns,
    end_ns: result.end_ns,
    retries: result.retries,
    connection: result.connection,
  };
}

/** A line feed's char code. */
const LF = 10;

/** Where the data events of a piece go (the stream's reading): `onEvent(data)` as the SSE parser would call it. */
export interface DataEventSink {
  onEvent(data: string): void;
}

/**
 * Hands `sink` the data of each whole event at the start of `piece` that is one `data: ` line ("data: X\n\n",
 * X without a line break), and returns where they end: `piece.length` when the piece is only such events, else
 * the index of the first part that the event-stream parser must read (with the parser holding nothing, feeding it
 * the rest gives what feeding it the whole piece would). Most servers write each chunk as such an event, and
 * under load several arrive in one read; for those the general line handling of the parser (eventsource-parser)
 * is skipped, with the same result: the field "data", one space after the colon removed, the event dispatched at
 * the blank line (WHATWG HTML, "Parsing an event stream"). Anything else (other fields, comments, CR line ends,
 * a partial event, a byte-order mark, "data:" without the space) is left to the parser.
 */
export function leadingDataEvents(piece: string, sink: DataEventSink): number {
  const n = piece.length;
  // a CR anywhere: line ends the parser must read (the scan below looks for LF only)
  if (piece.indexOf("\r") !== -1) return 0;
  let at = 0;
  while (at < n) {
    if (!piece.startsWith("data: ", at)) return at;
    const lineEnd = piece.indexOf("\n", at + 6);
    if (lineEnd === -1 || piece.charCodeAt(lineEnd + 1) !== LF) return at;
    sink.onEvent(piece.slice(at + 6, lineEnd));
    at = lineEnd + 2;
  }
  return at;
}

/**
 * The reading of one generation stream, as the body sink of its exchange: each read is fed to the SSE parser
 * with its timestamp and its handling time recorded; each event either adds to what the stream carried
 * (output text and when it arrived, usage, finish_reason, [DONE]) or becomes the verdict that fails it.
 */
class GenerationStream implements BodySink, DataEventSink {
  /** arrival of each chunk that carried output text (nowMs() readings; ns in the outcome) */
  private readonly chunkTimes: number[] = [];
  /** characters of output text of each of those chunks */
  private readonly chunkChars: number[] = [];
  /** the output text's pieces, joined once in the outcome (one flat string kept per request, not a rope) */
  private readonly pieces: string[] = [];
  private usage: Usage | null = null;
  private finish: string | null = null;
  /** a message that came with the finish reason (e.g. a stop_reason or error text), if any */
  private finishMessage: string | null = null;
  /** `data: [DONE]` came */
  private done = false;
  /** the failure the stream showed, if any */
  private verdict: SinkVerdict;
  /** when the read being parsed arrived (nowMs()) */
  private at = 0;
  /** when the last read arrived (nowMs()); 0 before the first */
  private lastAt = 0;
  private readonly parser: EventSourceParser;
  /** the SSE parser holds no partial line or event: a piece that is one whole event may bypass it */
  private parserClean = true;

  constructor(
    private readonly chat: boolean,
    private readonly redact: (text: string) => string,
    private readonly overhead: ClientOverhead,
  ) {
    this.parser = createParser({
      onEvent: (ev) => this.onEvent(ev.data, ev.event),
      onError: (err) => {
        // llama-server builds before llama.cpp PR 16109 sent a mid-stream error as an `error: {...}` field,
        // which an SSE parser drops: it fails the request (the stream then ends with [DONE])
        if (err.type === "unknown-field" && err.field === "error") this.errorFrame(err.value ?? "");
      },
    });
  }

  // methods, not arrow-function fields: the exchange calls them as sink.onData(...), and a field would cost a
  // closure per request
  onHeaders(_status: number, headers: http.IncomingHttpHeaders): SinkVerdict {
    const type = String(headers["content-type"] ?? "");
    if (!type.includes("text/event-stream"))
      return { cause: "bad_response", detail: `expected a text/event-stream, got "${type}"` };
    return undefined;
  }

  onData(piece: string, t: number): DataVerdict {
    this.at = t;
    this.lastAt = t;
    // whole `data: ` events at the start of the piece skip the parser while it holds nothing
    const fast = this.parserClean ? leadingDataEvents(piece, this) : 0;
    if (fast < piece.length) {
      const rest = fast === 0 ? piece : piece.slice(fast);
      this.parser.feed(rest);
      // the parser holds nothing back once what it was fed ends with a blank line
      this.parserClean = rest.endsWith("\n\n");
    }
    this.overhead.sampleRead(t);
    // [DONE] completes the request: a server that leaves the response open is not waited for
    return this.verdict ?? (this.done ? "complete" : undefined);
  }

  onEnd(): SinkVerdict {
    this.parser.reset({ consume: true });
    if (this.verdict) return this.verdict;
    if (!this.done && this.finish === null)
      return {
        cause: "stream_incomplete",
        detail: "the stream ended with neither [DONE] nor a finish_reason",
      };
    return undefined;
  }

  private excerpt(text: string, n = 120): string {
    return this.redact(text).slice(0, n);
  }

  /** Fails the stream with the server's error (an error frame), its message redacted and cut. */
  private errorFrame(payload: unknown): void {
    if (this.verdict || this.done) return;
    let error = payload;
    if (typeof payload === "string") {
      try {
        error = JSON.parse(payload);
      } catch {
        error = payload;
      }
    }
    if (isObject(error) && error.error !== undefined && error.error !== null) error = error.error;
    this.verdict = {
      cause: "stream_error",
      detail: `the server sent an error: ${this.excerpt(errorMessage(error), 300)}`,
    };
  }

  /**
   * Handles one SSE event: [DONE], an error (an `event: error`, or a data line `{"error": ...}`), or a JSON
   * chunk to record; nothing once the stream failed or ended.
   */
  onEvent(data: string, event?: string): void {
    if (this.verdict || this.done) return;
    if (event === "error") {
      this.errorFrame(data);
      return;
    }
    if (data === "[DONE]") {
      this.done = true;
      return;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(data);
    } catch {
      this.verdict = { cause: "malformed_sse", detail: `a stream event is not JSON: ${this.excerpt(data)}` };
      return;
    }
    if (!isObject(obj)) {
      this.verdict = {
        cause: "malformed_sse",
        detail: `a stream event is not a JSON object: ${this.excerpt(data)}`,
      };
      return;
    }
    if (obj.error !== undefined && obj.error !== null) {
      this.errorFrame(obj.error);
      return;
    }
    this.record(obj);
  }

  /** Records what one chunk carries: usage, output text (at the time of its read) and finish_reason. */
  private record(obj: Record<string, unknown>): void {
    const u = usageOf(obj.usage);
    if (u) this.usage = u;
    const choices = obj.choices;
    if (!Array.isArray(choices)) return;
    const choice = choices[0];
    if (!isObject(choice)) return;
    let piece: unknown;
    if (this.chat) {
      const delta = choice.delta;
      if (isObject(delta)) piece = delta.content || delta.reasoning_content || delta.reasoning;
    } else {
      piece = choice.text;
    }
    if (typeof piece === "string" && piece !== "") {
      this.chunkTimes.push(this.at);
      this.chunkChars.push(piece.length);
      this.pieces.push(piece);
    }
    if (typeof choice.finish_reason === "string") {
      this.finish = choice.finish_reason;
      if (!NORMAL_FINISH_REASONS.has(choice.finish_reason)) this.finishMessage = finishMessageOf(choice, obj);
    }
  }

  /**
   * The request's record once its exchange succeeded: an abnormal_finish failure when it ended with a finish
   * reason other than a normal one (NORMAL_FINISH_REASONS), a no_output failure when no chunk carried text.
   */
  outcome(result: ExchangeSuccess): GenerationSuccess | RequestFailure {
    const usage = this.usage;
    if (this.finish !== null && !NORMAL_FINISH_REASONS.has(this.finish))
      return failedStream(
        result,
        "abnormal_finish",
        `the stream ended with finish_reason "${this.excerpt(this.finish, 40)}" after ${this.chunkTimes.length} text chunks${
          this.finishMessage ? `: ${this.excerpt(this.finishMessage, 300)}` : ""
        }`,
      );
    if (this.chunkTimes.length === 0)
      return failedStream(
        result,
        "no_output",
        `a ${result.status} stream carried no output text${this.done ? " (only [DONE])" : ""}${
          usage ? ` (usage.completion_tokens ${usage.completion_tokens})` : ""
        }`,
      );
    return {
      ok: true,
      retries: result.retries,
      start_ns: result.start_ns,
      headers_ns: result.headers_ns,
      first_token_ns: nsOfMs(this.chunkTimes[0] as number),
      end_ns: this.lastAt > 0 ? nsOfMs(this.lastAt) : result.end_ns,
      connection: result.connection,
      chunk_times_ns: nsArrayOfMs(this.chunkTimes),
      chunk_chars: this.chunkChars,
      text: this.pieces.join(""),
      usage,
      finish_reason: this.finish,
      done_marker: this.done,
    };
  }
}

/** The OpenAI-compatible client of one base URL. */
export class OpenAiClient {
  readonly baseUrl: URL;
  readonly overhead = new ClientOverhead();
  private readonly connections: Connections;
  private readonly headers: Record<string, string>;
  /** the headers of a request with a JSON body */
  private readonly postHeaders: Record<string, string>;
  private readonly timeouts: Timeouts;
  private readonly completionsUrl: URL;
  private readonly chatUrl: URL;
  private readonly embeddingsUrl: URL;
  /** request bodies serialised once per request object (a run sends the same body many times) */
  private readonly bodies = new WeakMap<object, { model: string; text: string }>();

  constructor(opts: ClientOptions) {
    this.baseUrl = opts.baseUrl;
    this.timeouts = opts.timeouts;
    const secret = opts.apiKey && opts.apiKey !== "" ? opts.apiKey : null;
    this.redact = secretRedactor(secret);
    this.connections = new Connections(opts.baseUrl, opts.ca);
    this.headers = { accept: "application/json, text/event-stream", "user-agent": "perf-baseline" };
    if (secret) this.headers.authorization = `Bearer ${secret}`;
    this.postHeaders = { ...this.headers, "content-type": "application/json" };
    this.completionsUrl = endpointUrl(opts.baseUrl, "/completions");
    this.chatUrl = endpointUrl(opts.baseUrl, "/chat/completions");
    this.embeddingsUrl = endpointUrl(opts.baseUrl, "/embeddings");
  }

  /**
   * Removes the API key from a text (server error bodies can echo request headers): the whole key and any part
   * of it of 8 characters or more (src/util/redact.ts).
   */
  readonly redact: (text: string) => string;

  private request(
    method: "GET" | "POST",
    url: URL,
    body: string | undefined,
    signal?: AbortSignal,
    timeouts = this.timeouts,
  ): ExchangeRequest {
    return {
      method,
      url,
      // shared objects, never changed (undici adds content-length and host)
      headers: body === undefined ? this.headers : this.postHeaders,
      body,
      timeouts,
      connections: this.connections,
      signal,
      redact: this.redact,
    };
  }

  /**
   * The JSON body of a generation request: model, prompt or messages, max_tokens, stream, and the optional
   * fields not omitted: temperature 0 (or top_k 1 when temperature is omitted), stream_options.include_usage,
   * and with a fixed length ignore_eos and min_tokens = max_tokens.
   */
  static generationBody(r: GenerationRequest): Record<string, unknown> {
    const omit = new Set(r.omit ?? []);
    const body: Record<string, unknown> = { model: r.model };
    if (r.endpoint === "chat") body.messages = r.messages ?? [{ role: "user", content: r.prompt }];
    else body.prompt = r.prompt;
    body.max_tokens = r.max_tokens;
    if (!omit.has("temperature")) body.temperature = 0;
    else if (!omit.has("top_k")) body.top_k = 1;
    body.stream = true;
    if (!omit.has("stream_options")) body.stream_options = { include_usage: true };
    if (r.fixed_length) {
      if (!omit.has("ignore_eos")) body.ignore_eos = true;
      if (!omit.has("min_tokens")) body.min_tokens = r.max_tokens;
    }
    return body;
  }

  /** The optional fields a generation request sends (see generationBody), in OPTIONAL_FIELDS order. */
  static sentGenerationFields(r: GenerationRequest): OptionalField[] {
    const body = OpenAiClient.generationBody(r);
    const fields: OptionalField[] = ["temperature", "top_k", "stream_options", "ignore_eos", "min_tokens"];
    return fields.filter((f) => body[f] !== undefined);
  }

  /** The JSON body of an embeddings request: model, input and, unless omitted, encoding_format "float". */
  static embeddingBody(
    model: string,
    inputs: readonly string[],
    omit: readonly OptionalField[] = [],
  ): Record<string, unknown> {
    return omit.includes("encoding_format")
      ? { model, input: inputs }
      : { model, input: inputs, encoding_format: "float" };
  }

  /**
   * One streamed generation request. Chunks with no output text (a chat role chunk, a usage chunk) carry no
   * token; a chunk with several tokens is one arrival. The stream must end with [DONE] or a finish_reason.
   */
  async generate(r: GenerationRequest, signal?: AbortSignal): Promise<GenerationSuccess | RequestFailure> {
    const chat = r.endpoint === "chat";
    const stream = new GenerationStream(chat, this.redact, this.overhead);
    const url = chat ? this.chatUrl : this.completionsUrl;
    const result = await exchange(this.request("POST", url, this.generationText(r), signal), stream);
    return result.ok ? stream.outcome(result) : result;
  }

  /** The JSON text of a generation request, serialised once per request object. */
  private generationText(r: GenerationRequest): string {
    let body = this.bodies.get(r)?.text;
    if (body === undefined) {
      body = JSON.stringify(OpenAiClient.generationBody(r));
      this.bodies.set(r, { model: r.model, text: body });
    }
    return body;
  }

  /** One embeddings request for `inputs` (float encoding); checks one vector per input. */
  async embed(
    model: string,
    inputs: readonly string[],
    signal?: AbortSignal,
    omit: readonly OptionalField[] = [],
  ): Promise<EmbeddingSuccess | RequestFailure> {
    let cached = this.bodies.get(inputs);
    if (cached?.model !== model) {
      cached = { model, text: JSON.stringify(OpenAiClient.embeddingBody(model, inputs, omit)) };
      this.bodies.set(inputs, cached);
    }
    let body = "";
    let lastAt = 0;
    const result = await exchange(this.request("POST", this.embeddingsUrl, cached.text, signal), {
      onData: (piece, t) => {
        lastAt = t;
        body += piece;
        return undefined;
      },
    });
    if (!result.ok) return result;
    const fail = (detail: string): RequestFailure => ({
      ok: false,
      cause: "bad_response",
      detail: this.redact(detail),
      status: result.status,
      start_ns: result.start_ns,
      end_ns: result.end_ns,
      retries: result.retries,
    });
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      return fail(`the embeddings response is not JSON: ${this.redact(body).slice(0, 120)}`);
    }
    if (!isObject(doc) || !Array.isArray(doc.data)) return fail("the embeddings response has no data array");
    if (doc.data.length !== inputs.length)
      return fail(`the embeddings response has ${doc.data.length} vectors for ${inputs.length} inputs`);
    const checked = checkEmbeddings(doc.data, inputs.length);
    if (typeof checked === "string") return fail(checked);
    const { digest, dimensions } = checked;
    const u =
      isObject(doc.usage) && typeof doc.usage.prompt_tokens === "number" ? doc.usage.prompt_tokens : null;
    return {
      ok: true,
      start_ns: result.start_ns,
      end_ns: lastAt > 0 ? nsOfMs(lastAt) : result.end_ns,
      inputs: inputs.length,
      digest,
      dimensions,
      prompt_tokens: u,
      retries: result.retries,
      connection: result.connection,
    };
  }

  /**
   * A GET of JSON, for discovery (models list, server info). `url` may be outside the base URL (the server
   * root). Bounded by `timeoutMs` for every phase.
   */
  async getJson(url: URL, timeoutMs: number): Promise<JsonAnswer | RequestFailure> {
    return this.jsonExchange(url, undefined, timeoutMs);
  }

  /**
   * A POST of a JSON body whose answer is JSON (`/tokenize`), bounded like {@link getJson}. A status other
   * than 2xx is a failure (its cause `http_NNN`), as for any request.
   */
  async postJson(url: URL, body: unknown, timeoutMs: number): Promise<JsonAnswer | RequestFailure> {
    return this.jsonExchange(url, JSON.stringify(body), timeoutMs);
  }

  /** A GET (no body) or a POST of `sent`, whose answer is read as JSON (at most 1 MB kept). */
  private async jsonExchange(
    url: URL,
    sent: string | undefined,
    timeoutMs: number,
  ): Promise<JsonAnswer | RequestFailure> {
    let body = "";
    const timeouts: Timeouts = {
      connect_ms: Math.min(this.timeouts.connect_ms, timeoutMs),
      first_byte_ms: Math.min(this.timeouts.first_byte_ms, timeoutMs),
      idle_ms: Math.min(this.timeouts.idle_ms, timeoutMs),
      total_ms: Math.min(this.timeouts.total_ms, timeoutMs),
    };
    const method = sent === undefined ? "GET" : "POST";
    const result = await exchange(this.request(method, url, sent, undefined, timeouts), {
      onData: (piece) => {
        if (body.length < 1_000_000) body += piece;
        return undefined;
      },
    });
    if (!result.ok) return result;
    let json: unknown = null;
    try {
      json = JSON.parse(body);
    } catch {
      json = null;
    }
    return { ok: true, status: result.status, headers: result.headers, json, connection: result.connection };
  }

  /**
   * Opens `n` keep-alive connections ahead of a measured phase (at most MAX_FREE_SOCKETS, the idle ones the
   * pool keeps), so that its requests do not pay for connecting and TLS handshakes: `n` GETs of the models
   * list at once, each bounded by `timeoutMs` (those left open by earlier requests are used, not doubled).
   * Returns how many connections are ready: the GETs that succeeded (a failed one closes its connection).
   */
  async openConnections(n: number, timeoutMs: number): Promise<number> {
    const url = endpointUrl(this.baseUrl, "/models");
    const answers = await Promise.all(
      Array.from({ length: Math.min(n, MAX_FREE_SOCKETS) }, () => this.getJson(url, timeoutMs)),
    );
    return answers.filter((a) => a.ok).length;
  }

  /** The keep-alive connections connected now, idle or in use. */
  get connectionsOpen(): number {
    return this.connections.connectedCount;
  }

  /** Closes the keep-alive connections. */
  close(): void {
    this.connections.destroy();
  }
}

/**
 * Checks the `data` items of an embeddings response (already one per input) and hashes the vectors in input
 * order. Every vector must be an array of finite numbers (not `null`, not a string, not a number too large
 * for float32), all of one non-zero length, one per input index (each `index` an integer in range, none
 * twice): a server that sends `null` for a value (llama.cpp #13854, TEI #51) must fail, never be hashed as 0.
 * @returns the sha256 of the float32 vectors and their dimension, or what is wrong (a one-line detail).
 */
export function checkEmbeddings(
  data: readonly unknown[],
  inputs: number,
): { digest: string; dimensions: number } | string {
  const vectors: unknown[][] = new Array(inputs);
  for (let i = 0; i < data.length; i++) {
    const item: unknown = data[i];
    const index = isObject(item) && typeof item.index === "number" ? item.index : i;
    const embedding = isObject(item) ? item.embedding : undefined;
    if (!Array.isArray(embedding)) return `embeddings item ${i} has no float vector (encoding_format float)`;
    if (!Number.isInteger(index) || index < 0 || index >= inputs)
      return `embeddings item ${i} has index ${index}, not one of 0 to ${inputs - 1}`;
    if (vectors[index] !== undefined) return `the embeddings response has two vectors for input ${index}`;
    vectors[index] = embedding;
  }
  const hash = createHash("sha256");
  let dimensions = -1;
  for (let index = 0; index < inputs; index++) {
    const v = vectors[index];
    if (v === undefined) return `the embeddings response has no vector for input ${index}`;
    if (v.length === 0) return `the embedding of input ${index} is empty (0 dimensions)`;
    if (dimensions !== -1 && v.length !== dimensions)
      return `the embeddings vectors differ in length (${dimensions} and ${v.length} dimensions, input ${index})`;
    dimensions = v.length;
    const f = new Float32Array(v.length);
    for (let j = 0; j < v.length; j++) {
      const x = v[j];
      f[j] = typeof x === "number" ? x : Number.NaN;
      if (typeof x !== "number" || !Number.isFinite(f[j] as number))
        return `the embedding of input ${index} holds ${(JSON.stringify(x) ?? String(x)).slice(0, 40)} at position ${j}, not a finite number`;
    }
    hash.update(f);
  }
  return { digest: hash.digest("hex"), dimensions };
}
