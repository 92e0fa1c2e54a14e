/**
 * TEST DEVICE, not a product server: a scripted OpenAI-compatible HTTP server on 127.0.0.1 that misbehaves
 * on purpose (5xx, stalls, cut streams, malformed SSE, missing [DONE], usage in the last chunk or never,
 * chunks with several tokens or none, error events, wrong content types) so that each fault of the protocol
 * can be tested with its expected outcome. The main path is tested against the real loopback server
 * (`perf-baseline serve`), never against this one.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

/** What the server does with one generation or embeddings request. */
export type Script =
  | {
      kind: "stream";
      /** output tokens in all. Defaults to 8. */
      tokens?: number;
      /** tokens per content chunk. Defaults to 1. */
      tokensPerChunk?: number;
      /** an empty-text chunk before every content chunk */
      emptyChunks?: boolean;
      /** usage in its own chunk before [DONE] ("last"), on the finish chunk ("finish"), or never. Defaults to "last". */
      usage?: "last" | "finish" | "never";
      /** usage.completion_tokens to report instead of `tokens` */
      usageTokens?: number;
      /** end with data: [DONE]. Defaults to true. */
      done?: boolean;
      /** send a chunk with finish_reason. Defaults to true. */
      finish?: boolean;
      /** destroy the socket before content chunk k (0-based) */
      cutAt?: number;
      /** stop writing (connection stays open) before content chunk k */
      stallAt?: number;
      /** a data line that is not JSON instead of content chunk k */
      malformedAt?: number;
      /** an error event instead of content chunk k */
      errorAt?: number;
      /**
       * how the error event is framed: a data line `data: {"error": {...}}` (default; llama-server since
       * llama.cpp PR 16109), or an `error: {...}` field (llama-server builds before it)
       */
      errorFrame?: "data" | "field";
      /** after the error event, send only data: [DONE] and end the response, as llama-server does */
      endAfterError?: boolean;
      /** finish_reason of the finish chunk. Defaults to "length". */
      finishReason?: string;
      /** send all of the response's events in one write (a buffering proxy), after `bufferDelayMs` */
      buffered?: boolean;
      /** with `buffered`, ms to wait before the one write. Defaults to 0. */
      bufferDelayMs?: number;
      /** ms between content chunks. Defaults to 0. */
      chunkDelayMs?: number;
      /** content type of the response. Defaults to text/event-stream. */
      contentType?: string;
      /** text of each token. Defaults to " tok". */
      tokenText?: string;
      /** after data: [DONE], leave the response open (never end it) */
      hangAfterDone?: boolean;
    }
  | { kind: "status"; status: number; body?: string }
  /** never answer (no headers) */
  | { kind: "stall" }
  /** destroy the connection before answering */
  | { kind: "reset" }
  | {
      kind: "embeddings";
      /** vectors returned, when not one per input */
      count?: number;
      /** the vectors sent, as given (one data item each, index 0, 1, ...), instead of [0.25, -0.5, 1] per input */
      vectors?: unknown[];
      /** the data items sent, as given (index and embedding included or not), instead of the vectors */
      items?: unknown[];
      /** leave usage out */
      noUsage?: boolean;
      /** a body that is not JSON */
      malformed?: boolean;
      /** ms before answering */
      delayMs?: number;
    };

/** A request the server received. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | null;
}

/** How the server is scripted. */
export interface ScriptedServerOptions {
  /** model ids listed by GET /v1/models. Defaults to ["scripted-model"]; null answers 404 there. */
  models?: string[] | null;
  /** headers of the /v1/models response (e.g. a `server` header); may depend on the request */
  modelsHeaders?: (req: SeenRequest) => Record<string, string>;
  /** status of GET /v1/models. Defaults to 200. */
  modelsStatus?: number;
  /** body of GET /props (llama-server's), or none (404) */
  props?: (req: SeenRequest) => Record<string, unknown>;
  /** what to do with the n-th (0-based) POST request */
  script: (n: number, req: SeenRequest) => Script;
  /**
   * close (destroy) any keep-alive connection reused after this many ms idle, without reading or answering
   * the request (cpp-httplib's and llama-server's idle keep-alive close, as the client sees it)
   */
  closeReusedAfterIdleMs?: number;
  /** serve https with this key and certificate (PEM): the base URL is then https://127.0.0.1:PORT/v1 */
  tls?: { key: string; cert: string };
  /** close the connection after every answer to a POST (llama-server after a streamed response) */
  closeAfterPost?: boolean;
}

/** A running scripted server. */
export interface ScriptedServer {
  /** http://127.0.0.1:PORT/v1 (https with `tls`) */
  baseUrl: string;
  port: number;
  /** every request seen, in order */
  requests: SeenRequest[];
  /** requests dropped with their connection by closeReusedAfterIdleMs (never seen, never scripted) */
  dropped: number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(text);
}

async function stream(res: http.ServerResponse, chat: boolean, s: Extract<Script, { kind: "stream" }>) {
  const total = s.tokens ?? 8;
  const per = s.tokensPerChunk ?? 1;
  const tokenText = s.tokenText ?? " tok";
  const base = {
    id: "scripted",
    object: chat ? "chat.completion.chunk" : "text_completion",
    created: 1,
    model: "m",
  };
  const choice = (text: string | null, finish: string | null) =>
    chat
      ? { index: 0, delta: text === null ? {} : { content: text }, finish_reason: finish }
      : { index: 0, text: text ?? "", finish_reason: finish };
  // a buffering proxy: every event is held, and sent in one write at the end
  let held: string | null = s.buffered ? "" : null;
  const raw = (text: string) => {
    if (held !== null) held += text;
    else res.write(text);
  };
  const write = (payload: unknown) => raw(`data: ${JSON.stringify(payload)}\n\n`);
  const usage = {
    prompt_tokens: 5,
    completion_tokens: s.usageTokens ?? total,
    total_tokens: 5 + (s.usageTokens ?? total),
  };
  res.writeHead(200, { "content-type": s.contentType ?? "text/event-stream", "cache-control": "no-cache" });
  res.flushHeaders();
  if (chat)
    write({
      ...base,
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
    });
  let sent = 0;
  for (let k = 0; sent < total; k++) {
    if (res.destroyed) return;
    if (s.cutAt === k) {
      res.socket?.destroy();
      return;
    }
    if (s.stallAt === k) return;
    if (s.malformedAt === k) raw("data: {this is not json\n\n");
    else if (s.errorAt === k) {
      const error = { code: 500, message: "scripted failure", type: "server_error" };
      if (s.errorFrame === "field") raw(`error: ${JSON.stringify(error)}\n\n`);
      else write({ error });
      if (s.endAfterError) break;
    } else {
      if (s.emptyChunks) write({ ...base, choices: [choice("", null)] });
      const n = Math.min(per, total - sent);
      write({ ...base, choices: [choice(tokenText.repeat(n), null)] });
      sent += n;
    }
    if (s.chunkDelayMs) await sleep(s.chunkDelayMs);
  }
  const u = s.usage ?? "last";
  const errored = s.endAfterError && s.errorAt !== undefined && s.errorAt < total;
  if (s.finish !== false && !errored)
    write({
      ...base,
      choices: [choice(null, s.finishReason ?? "length")],
      ...(u === "finish" ? { usage } : {}),
    });
  if (u === "last" && !errored) write({ ...base, choices: [], usage });
  if (s.done !== false) raw("data: [DONE]\n\n");
  if (held !== null) {
    if (s.bufferDelayMs) await sleep(s.bufferDelayMs);
    res.write(held);
  }
  if (s.hangAfterDone) return;
  res.end();
}

/** Answers a GET: the model list and llama-server's /props, as the options script them. */
function answerGet(opts: ScriptedServerOptions, seen: SeenRequest, res: http.ServerResponse) {
  if (seen.path === "/v1/models") {
    const models = opts.models === undefined ? ["scripted-model"] : opts.models;
    if (models === null) return json(res, 404, { error: { message: "not found" } });
    return json(
      res,
      opts.modelsStatus ?? 200,
      { object: "list", data: models.map((id) => ({ id, object: "model", owned_by: "scripted" })) },
      opts.modelsHeaders?.(seen) ?? {},
    );
  }
  if (seen.path === "/props" && opts.props) return json(res, 200, opts.props(seen));
  return json(res, 404, { error: { message: "not found" } });
}

/** Answers an embeddings request as scripted: one fixed vector per input (or `count`), or malformed JSON. */
async function answerEmbeddings(
  s: Extract<Script, { kind: "embeddings" }>,
  seen: SeenRequest,
  res: http.ServerResponse,
) {
  if (s.delayMs) await sleep(s.delayMs);
  const input = seen.body?.input;
  const n = s.vectors?.length ?? s.count ?? (Array.isArray(input) ? input.length : 1);
  if (s.malformed) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{not json");
    return;
  }
  return json(res, 200, {
    object: "list",
    data:
      s.items ??
      Array.from({ length: n }, (_, index) => ({
        object: "embedding",
        index,
        embedding: s.vectors ? s.vectors[index] : [0.25, -0.5, 1],
      })),
    ...(s.noUsage ? {} : { usage: { prompt_tokens: 3 * n, total_tokens: 3 * n } }),
  });
}

/** Answers one request: GETs from the options, the POSTs (numbered by `nextPost`) as the script says. */
async function answer(
  opts: ScriptedServerOptions,
  seen: SeenRequest,
  res: http.ServerResponse,
  nextPost: () => number,
) {
  if (seen.method === "GET") return answerGet(opts, seen, res);
  if (opts.closeAfterPost) res.setHeader("connection", "close");
  const s = opts.script(nextPost(), seen);
  switch (s.kind) {
    case "status":
      res.writeHead(s.status, { "content-type": "application/json" });
      res.end(s.body ?? JSON.stringify({ error: { message: `scripted ${s.status}` } }));
      return;
    case "stall":
      return;
    case "reset":
      res.socket?.destroy();
      return;
    case "embeddings":
      return answerEmbeddings(s, seen, res);
    case "stream":
      return stream(res, seen.path.endsWith("/chat/completions"), s);
  }
}

/** Starts a scripted server on 127.0.0.1 (any free port). */
export function startScriptedServer(opts: ScriptedServerOptions): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  let posts = 0;
  let dropped = 0;
  /** when each connection's last response finished */
  const idleSince = new WeakMap<object, number>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const last = idleSince.get(req.socket);
    if (opts.closeReusedAfterIdleMs !== undefined && last !== undefined) {
      if (Date.now() - last > opts.closeReusedAfterIdleMs) {
        dropped++;
        req.socket.destroy();
        return;
      }
    }
    res.on("finish", () => idleSince.set(req.socket, Date.now()));
    const parts: Buffer[] = [];
    req.on("data", (b: Buffer) => parts.push(b));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      let body: Record<string, unknown> | null = null;
      try {
        body = parts.length
          ? (JSON.parse(Buffer.concat(parts).toString("utf8")) as Record<string, unknown>)
          : null;
      } catch {
        body = null;
      }
      const seen: SeenRequest = { method: req.method ?? "", path, headers: req.headers, body };
      requests.push(seen);
      void answer(opts, seen, res, () => posts++).catch(() => res.destroy());
    });
  };
  const server = opts.tls ? https.createServer(opts.tls, handler) : http.createServer(handler);

  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        baseUrl: `${opts.tls ? "https" : "http"}://127.0.0.1:${port}/v1`,
        port,
        requests,
        get dropped() {
          return dropped;
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** A 127.0.0.1 port nothing listens on (bound, then released). */
export function refusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = http.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
