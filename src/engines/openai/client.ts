import { createHash } from "node:crypto";
import type http from "node:http";
import { createParser } from "eventsource-parser";
import type {
  EmbeddingSuccess,
  FailureCause,
  GenerationSuccess,
  RequestFailure,
  Usage,
} from "../../measure/requests.js";
import { type ExchangeRequest, exchange, keepAliveAgent, type SinkVerdict } from "./http.js";
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
}

/** What a generation request asks for. */
export interface GenerationRequest {
  endpoint: GenerationEndpoint;
  model: string;
  prompt: string;
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
}

/**
 * Time spent handling each read of a stream (parse and record), for the client-overhead figures: ns from a
 * read's timestamp to the end of its handling. Memory is bounded: past `capacity` reads, a uniform random
 * sample of them is kept (reservoir sampling), which is all percentiles need.
 */
export class ClientOverhead {
  private kept: number[] = [];
  private seen = 0;
  constructor(private readonly capacity = 200_000) {}

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

  /** The reads recorded since the last reset. */
  get count(): number {
    return this.seen;
  }

  /** The kept handling times, in ns (all of them up to `capacity` reads). */
  samples(): readonly number[] {
    return this.kept;
  }
}

const now = () => process.hrtime.bigint();

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

function errorMessage(v: unknown): string {
  if (isObject(v) && typeof v.message === "string") return v.message;
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The OpenAI-compatible client of one base URL. */
export class OpenAiClient {
  readonly baseUrl: URL;
  readonly overhead = new ClientOverhead();
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly secret: string | null;
  private readonly timeouts: Timeouts;
  private readonly completionsUrl: URL;
  private readonly chatUrl: URL;
  private readonly embeddingsUrl: URL;
  /** request bodies serialised once per request object (a run sends the same body many times) */
  private readonly bodies = new WeakMap<object, { model: string; text: string }>();

  constructor(opts: ClientOptions) {
    this.baseUrl = opts.baseUrl;
    this.timeouts = opts.timeouts;
    this.secret = opts.apiKey && opts.apiKey !== "" ? opts.apiKey : null;
    this.agent = keepAliveAgent(opts.baseUrl);
    this.headers = { accept: "application/json, text/event-stream", "user-agent": "perf-baseline" };
    if (this.secret) this.headers.authorization = `Bearer ${this.secret}`;
    this.completionsUrl = endpointUrl(opts.baseUrl, "/completions");
    this.chatUrl = endpointUrl(opts.baseUrl, "/chat/completions");
    this.embeddingsUrl = endpointUrl(opts.baseUrl, "/embeddings");
  }

  /** Removes the API key from a text (server error bodies can echo request headers). */
  readonly redact = (text: string): string => {
    const s = this.secret;
    return s && text.includes(s) ? text.split(s).join("[redacted]") : text;
  };

  private request(
    method: "GET" | "POST",
    url: URL,
    body: string | undefined,
    signal?: AbortSignal,
    timeouts = this.timeouts,
  ): ExchangeRequest {
    const headers = { ...this.headers };
    if (body !== undefined) headers["content-type"] = "application/json";
    return {
      method,
      url,
      headers,
      body,
      timeouts,
      agent: this.agent,
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
    if (r.endpoint === "chat") body.messages = [{ role: "user", content: r.prompt }];
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
    const chunkTimes: bigint[] = [];
    const chunkChars: number[] = [];
    let text = "";
    let usage: Usage | null = null;
    let finish: string | null = null;
    let done = false;
    let lastAt = 0n;
    let verdict: SinkVerdict;
    const overhead = this.overhead;
    const excerpt = (text: string, n = 120) => this.redact(text).slice(0, n);
    let at = 0n;
    const parser = createParser({
      onEvent: (ev) => {
        if (verdict || done) return;
        const data = ev.data;
        if (data === "[DONE]") {
          done = true;
          return;
        }
        let obj: unknown;
        try {
          obj = JSON.parse(data);
        } catch {
          verdict = { cause: "malformed_sse", detail: `a stream event is not JSON: ${excerpt(data)}` };
          return;
        }
        if (!isObject(obj)) {
          verdict = {
            cause: "malformed_sse",
            detail: `a stream event is not a JSON object: ${excerpt(data)}`,
          };
          return;
        }
        if (obj.error !== undefined && obj.error !== null) {
          verdict = {
            cause: "stream_error",
            detail: `the server sent an error: ${excerpt(errorMessage(obj.error), 300)}`,
          };
          return;
        }
        const u = usageOf(obj.usage);
        if (u) usage = u;
        const choices = obj.choices;
        if (!Array.isArray(choices)) return;
        const choice = choices[0];
        if (!isObject(choice)) return;
        let piece: unknown;
        if (chat) {
          const delta = choice.delta;
          if (isObject(delta)) piece = delta.content || delta.reasoning_content || delta.reasoning;
        } else {
          piece = choice.text;
        }
        if (typeof piece === "string" && piece !== "") {
          chunkTimes.push(at);
          chunkChars.push(piece.length);
          text += piece;
        }
        if (typeof choice.finish_reason === "string") finish = choice.finish_reason;
      },
    });
    let body = this.bodies.get(r)?.text;
    if (body === undefined) {
      body = JSON.stringify(OpenAiClient.generationBody(r));
      this.bodies.set(r, { model: r.model, text: body });
    }
    const result = await exchange(
      this.request("POST", chat ? this.chatUrl : this.completionsUrl, body, signal),
      {
        onHeaders: (_status, headers) => {
          const type = String(headers["content-type"] ?? "");
          if (!type.includes("text/event-stream"))
            return { cause: "bad_response", detail: `expected a text/event-stream, got "${type}"` };
          return undefined;
        },
        onData: (piece, t) => {
          at = t;
          lastAt = t;
          parser.feed(piece);
          overhead.add(Number(now() - t));
          // [DONE] completes the request: a server that leaves the response open is not waited for
          return verdict ?? (done ? "complete" : undefined);
        },
        onEnd: () => {
          parser.reset({ consume: true });
          if (verdict) return verdict;
          if (!done && finish === null)
            return {
              cause: "stream_incomplete",
              detail: "the stream ended with neither [DONE] nor a finish_reason",
            };
          return undefined;
        },
      },
    );
    if (!result.ok) return result;
    if (chunkTimes.length === 0)
      return {
        ok: false,
        cause: "no_output",
        detail: `a ${result.status} stream carried no output text${done ? " (only [DONE])" : ""}${
          usage ? ` (usage.completion_tokens ${(usage as Usage).completion_tokens})` : ""
        }`,
        status: result.status,
        start_ns: result.start_ns,
        end_ns: result.end_ns,
        retries: result.retries,
      };
    return {
      ok: true,
      retries: result.retries,
      start_ns: result.start_ns,
      headers_ns: result.headers_ns,
      first_token_ns: chunkTimes[0] ?? null,
      end_ns: lastAt > 0n ? lastAt : result.end_ns,
      chunk_times_ns: chunkTimes,
      chunk_chars: chunkChars,
      text,
      usage,
      finish_reason: finish,
      done_marker: done,
    };
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
    let lastAt = 0n;
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
    const vectors: unknown[][] = new Array(inputs.length);
    for (let i = 0; i < doc.data.length; i++) {
      const item: unknown = doc.data[i];
      const index = isObject(item) && typeof item.index === "number" ? item.index : i;
      const embedding = isObject(item) ? item.embedding : undefined;
      if (!Array.isArray(embedding) || index < 0 || index >= inputs.length)
        return fail(`embeddings item ${i} has no float vector (encoding_format float)`);
      vectors[index] = embedding;
    }
    const hash = createHash("sha256");
    let dimensions = -1;
    for (const v of vectors) {
      if (v === undefined) return fail("the embeddings response has two vectors for one input index");
      if (dimensions !== -1 && v.length !== dimensions)
        return fail("the embeddings vectors differ in length");
      dimensions = v.length;
      const f = Float32Array.from(v as number[]);
      if (f.some((x) => Number.isNaN(x)))
        return fail("an embedding vector holds something that is not a number");
      hash.update(f);
    }
    const u =
      isObject(doc.usage) && typeof doc.usage.prompt_tokens === "number" ? doc.usage.prompt_tokens : null;
    return {
      ok: true,
      start_ns: result.start_ns,
      end_ns: lastAt > 0n ? lastAt : result.end_ns,
      inputs: inputs.length,
      digest: hash.digest("hex"),
      dimensions,
      prompt_tokens: u,
      retries: result.retries,
    };
  }

  /**
   * A GET of JSON, for discovery (models list, server info). `url` may be outside the base URL (the server
   * root). Bounded by `timeoutMs` for every phase.
   */
  async getJson(url: URL, timeoutMs: number): Promise<JsonAnswer | RequestFailure> {
    let body = "";
    const timeouts: Timeouts = {
      connect_ms: Math.min(this.timeouts.connect_ms, timeoutMs),
      first_byte_ms: Math.min(this.timeouts.first_byte_ms, timeoutMs),
      idle_ms: Math.min(this.timeouts.idle_ms, timeoutMs),
      total_ms: Math.min(this.timeouts.total_ms, timeoutMs),
    };
    const result = await exchange(this.request("GET", url, undefined, undefined, timeouts), {
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
    return { ok: true, status: result.status, headers: result.headers, json };
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}
