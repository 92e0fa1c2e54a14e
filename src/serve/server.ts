import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { toolVersion } from "../util/tool-version.js";
import type { GenerationLimits, GenerationSummary, ServeBackend } from "./backend.js";

/**
 * A small OpenAI-compatible server over node:http, on 127.0.0.1 only: `/v1/models`, `/v1/completions` and
 * `/v1/chat/completions` (streamed over SSE as each token exists, or whole), `/v1/embeddings`, `/health`.
 * Generation is greedy whatever the temperature; `max_tokens`, `ignore_eos` and `min_tokens` are honoured;
 * `stream_options.include_usage` adds the usage chunk before `[DONE]`. It is the real server the openai
 * engine's tests and benchmarks run against: real tokens from a real engine, over real sockets.
 */

/** The loopback host: this server never listens on another interface. */
export const LOOPBACK = "127.0.0.1";
/** Largest request body accepted, in bytes. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Default max_tokens when a request gives none (the OpenAI default for completions). */
const DEFAULT_MAX_TOKENS = 16;
/** Most inputs one embeddings request may carry by default (OpenAI's own limit per request is 2048). */
export const DEFAULT_MAX_EMBEDDING_INPUTS = 2048;

/** Limits of what one request may ask for. */
export interface ServerLimits {
  /** most inputs per embeddings request; more are refused with 413. Defaults to DEFAULT_MAX_EMBEDDING_INPUTS. */
  maxEmbeddingInputs?: number;
}

/** A running server. */
export interface RunningServer {
  /** e.g. http://127.0.0.1:8080/v1 */
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = "invalid_request_error",
  ) {
    super(message);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (b: Buffer) => {
      size += b.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      parts.push(b);
    });
    req.on("error", reject);
    req.on("end", () => {
      try {
        const doc: unknown = JSON.parse(Buffer.concat(parts).toString("utf8"));
        if (typeof doc !== "object" || doc === null || Array.isArray(doc))
          throw new HttpError(400, "the request body must be a JSON object");
        resolve(doc as Record<string, unknown>);
      } catch (err) {
        reject(err instanceof HttpError ? err : new HttpError(400, "the request body is not valid JSON"));
      }
    });
  });
}

function intField(
  body: Record<string, unknown>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = body[name];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    throw new HttpError(400, `${name} must be an integer from ${min} to ${max}`);
  return v;
}

/** The prompt of a chat request: each message as "role: content" on its own line, then "assistant:". */
export function chatPrompt(messages: unknown): string {
  if (!Array.isArray(messages) || messages.length === 0)
    throw new HttpError(400, "messages must be a non-empty array");
  const lines = messages.map((m) => {
    const msg = m as { role?: unknown; content?: unknown };
    const content = Array.isArray(msg.content)
      ? msg.content.map((p) => (p as { text?: unknown }).text ?? "").join("")
      : msg.content;
    if (typeof msg.role !== "string" || typeof content !== "string")
      throw new HttpError(400, "each message needs a string role and text content");
    return `${msg.role}: ${content}`;
  });
  return `${lines.join("\n")}\nassistant:`;
}

/** What every route needs: the backend, the server's start time (`created`, in s) and its limits. */
interface ServeContext {
  backend: ServeBackend;
  created: number;
  /** most inputs per embeddings request */
  maxInputs: number;
}

/** Refuses with 404 a request for another model than the one served (no model: the served one). */
function checkModel(ctx: ServeContext, body: Record<string, unknown>): void {
  if (body.model !== undefined && body.model !== ctx.backend.modelName)
    throw new HttpError(
      404,
      `model "${String(body.model)}" not found (served: ${ctx.backend.modelName})`,
      "not_found_error",
    );
}

/** The prompt of a completions body (a string, or an array of one) or of a chat body (its messages). */
function promptOf(body: Record<string, unknown>, chat: boolean): string {
  if (chat) return chatPrompt(body.messages);
  const p = Array.isArray(body.prompt) && body.prompt.length === 1 ? body.prompt[0] : body.prompt;
  if (typeof p !== "string") throw new HttpError(400, "prompt must be a string");
  return p;
}

/** The output-length policy of a generation body: max_tokens (chat: max_completion_tokens), ignore_eos, min_tokens. */
function limitsOf(body: Record<string, unknown>, chat: boolean, contextSize: number): GenerationLimits {
  const maxTokens = intField(
    body,
    chat && body.max_completion_tokens !== undefined ? "max_completion_tokens" : "max_tokens",
    DEFAULT_MAX_TOKENS,
    1,
    contextSize,
  );
  return {
    max_tokens: maxTokens,
    ignore_eos: body.ignore_eos === true,
    min_tokens: intField(body, "min_tokens", 0, 0, contextSize),
  };
}

/** An abort controller that fires when the client goes before the response is finished. */
function abortOnClose(res: http.ServerResponse): AbortController {
  const abort = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  return abort;
}

/** The usage block of a finished generation. */
function usageOf(summary: GenerationSummary) {
  return {
    prompt_tokens: summary.prompt_tokens,
    completion_tokens: summary.completion_tokens,
    total_tokens: summary.prompt_tokens + summary.completion_tokens,
  };
}

/** One generation to answer: the parsed request and the fields every answer object repeats. */
interface Generation {
  chat: boolean;
  prompt: string;
  limits: GenerationLimits;
  includeUsage: boolean;
  /** id, object, created, model */
  base: Record<string, unknown>;
  signal: AbortSignal;
}

/** Handles a completions or chat request: parses it, then answers whole or streamed. */
async function generate(
  ctx: ServeContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  chat: boolean,
): Promise<void> {
  const body = await readJson(req);
  checkModel(ctx, body);
  const prompt = promptOf(body, chat);
  const limits = limitsOf(body, chat, ctx.backend.contextSize);
  const stream = body.stream === true;
  const includeUsage =
    typeof body.stream_options === "object" &&
    body.stream_options !== null &&
    (body.stream_options as { include_usage?: unknown }).include_usage === true;
  const id = `${chat ? "chatcmpl" : "cmpl"}-${randomUUID()}`;
  const object = chat ? (stream ? "chat.completion.chunk" : "chat.completion") : "text_completion";
  const abort = abortOnClose(res);
  const base = { id, object, created: ctx.created, model: ctx.backend.modelName };
  const g: Generation = { chat, prompt, limits, includeUsage, base, signal: abort.signal };
  if (stream) await generateStreamed(ctx.backend, res, g);
  else await generateWhole(ctx.backend, res, g);
}

/** Answers a generation in one JSON body once it is done. */
async function generateWhole(backend: ServeBackend, res: http.ServerResponse, g: Generation): Promise<void> {
  let text = "";
  const summary = await backend.generate(g.prompt, g.limits, (t) => (text += t), g.signal);
  const usage = usageOf(summary);
  const choice = g.chat
    ? { index: 0, message: { role: "assistant", content: text }, finish_reason: summary.finish_reason }
    : { index: 0, text, logprobs: null, finish_reason: summary.finish_reason };
  sendJson(res, 200, { ...g.base, choices: [choice], usage });
}

/**
 * Answers a generation over SSE: (chat: a role chunk), one chunk per token as it exists, a finish chunk, the
 * usage chunk when asked, then `[DONE]`. Nothing more is written once the client has gone.
 */
async function generateStreamed(
  backend: ServeBackend,
  res: http.ServerResponse,
  g: Generation,
): Promise<void> {
  const { chat, base } = g;
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  res.flushHeaders();
  const event = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
  if (chat)
    event({
      ...base,
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
    });
  const summary = await backend.generate(
    g.prompt,
    g.limits,
    (t) =>
      event({
        ...base,
        choices: [
          chat
            ? { index: 0, delta: { content: t }, finish_reason: null }
            : { index: 0, text: t, logprobs: null, finish_reason: null },
        ],
      }),
    g.signal,
  );
  if (g.signal.aborted) return;
  event({
    ...base,
    choices: [
      chat
        ? { index: 0, delta: {}, finish_reason: summary.finish_reason }
        : { index: 0, text: "", logprobs: null, finish_reason: summary.finish_reason },
    ],
  });
  if (g.includeUsage) event({ ...base, choices: [], usage: usageOf(summary) });
  res.end("data: [DONE]\n\n");
}

/** Handles an embeddings request: one float vector per input, refused above `ctx.maxInputs` inputs. */
async function embeddings(
  ctx: ServeContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const body = await readJson(req);
  checkModel(ctx, body);
  const input = typeof body.input === "string" ? [body.input] : body.input;
  if (!Array.isArray(input) || input.length === 0 || !input.every((x) => typeof x === "string"))
    throw new HttpError(400, "input must be a string or a non-empty array of strings");
  if (input.length > ctx.maxInputs)
    throw new HttpError(
      413,
      `input has ${input.length} texts, more than the ${ctx.maxInputs} one request may carry: split it into several requests`,
    );
  if (body.encoding_format !== undefined && body.encoding_format !== "float")
    throw new HttpError(400, 'only encoding_format "float" is supported');
  const abort = abortOnClose(res);
  if (req.socket.destroyed) abort.abort();
  const { vectors, prompt_tokens } = await ctx.backend.embed(input as string[], abort.signal);
  sendJson(res, 200, {
    object: "list",
    data: vectors.map((embedding, index) => ({ object: "embedding", index, embedding })),
    model: ctx.backend.modelName,
    usage: { prompt_tokens, total_tokens: prompt_tokens },
  });
}

/**
 * `POST /tokenize`, as llama-server answers it: `{content}` -> `{tokens}`, the ids the prompt of a
 * completions request with that text is made of (its usage.prompt_tokens is their count).
 */
async function tokenize(ctx: ServeContext, req: http.IncomingMessage, res: http.ServerResponse) {
  const body = await readJson(req);
  if (typeof body.content !== "string") throw new HttpError(400, "content must be a string");
  if (ctx.backend.tokenize === undefined)
    throw new HttpError(501, "this backend does not tokenize", "not_supported_error");
  sendJson(res, 200, { tokens: ctx.backend.tokenize(body.content) });
}

/** Routes one request by method and path (with or without the /v1 prefix); 404 for any other. */
async function route(
  ctx: ServeContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string | undefined,
): Promise<void> {
  if (req.method === "GET" && (path === "/v1/models" || path === "/models")) {
    sendJson(res, 200, {
      object: "list",
      data: [
        {
          id: ctx.backend.modelName,
          object: "model",
          created: ctx.created,
          owned_by: "perf-baseline",
          meta: ctx.backend.meta,
        },
      ],
    });
  } else if (req.method === "POST" && path === "/tokenize") {
    await tokenize(ctx, req, res);
  } else if (req.method === "GET" && path === "/health") {
    sendJson(res, 200, { status: "ok" });
  } else if (req.method === "POST" && (path === "/v1/completions" || path === "/completions")) {
    await generate(ctx, req, res, false);
  } else if (req.method === "POST" && (path === "/v1/chat/completions" || path === "/chat/completions")) {
    await generate(ctx, req, res, true);
  } else if (req.method === "POST" && (path === "/v1/embeddings" || path === "/embeddings")) {
    await embeddings(ctx, req, res);
  } else {
    throw new HttpError(404, `no route ${req.method} ${path}`, "not_found_error");
  }
}

/** Answers a failed request with an OpenAI error body, or drops the connection once the answer has begun. */
function replyError(res: http.ServerResponse, err: unknown): void {
  const e =
    err instanceof HttpError
      ? err
      : new HttpError(500, (err as Error)?.message ?? String(err), "server_error");
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  sendJson(res, e.status, { error: { message: e.message, type: e.type, code: e.status } });
}

/**
 * Starts the server on 127.0.0.1. The work of a request whose client has gone is stopped (generation
 * between tokens, embeddings between inputs), and an embeddings request above `limits.maxEmbeddingInputs`
 * inputs is refused with 413, so that one dropped or oversized request cannot hold the server for others.
 * @param port a TCP port, or 0 for any free one.
 */
export function startServer(
  backend: ServeBackend,
  port: number,
  limits: ServerLimits = {},
): Promise<RunningServer> {
  const ctx: ServeContext = {
    backend,
    created: Math.floor(Date.now() / 1000),
    maxInputs: limits.maxEmbeddingInputs ?? DEFAULT_MAX_EMBEDDING_INPUTS,
  };
  const serverName = `perf-baseline/${toolVersion()} (${Object.entries(backend.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join("; ")})`;
  const server = http.createServer((req, res) => {
    res.setHeader("server", serverName);
    const path = (req.url ?? "/").split("?")[0];
    route(ctx, req, res, path).catch((err: unknown) => replyError(res, err));
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LOOPBACK, () => {
      server.off("error", reject);
      const actual = (server.address() as AddressInfo).port;
      resolve({
        baseUrl: `http://${LOOPBACK}:${actual}/v1`,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
