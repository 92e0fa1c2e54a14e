import http from "node:http";
import https from "node:https";
import type { FailureCause, RequestFailure } from "../../measure/requests.js";
import type { Timeouts } from "./options.js";

/**
 * One HTTP exchange over node:http with every wait bounded: connect, first byte (response headers), idle gap
 * between body pieces, and the whole request. Each body piece is handed to a sink with the time it was read
 * (process.hrtime.bigint() at the top of the 'data' callback).
 *
 * One retry, counted: a request that fails on a REUSED keep-alive connection (reset, broken pipe, hang-up)
 * before any byte of the answer arrived is sent again once on a fresh connection. Servers close idle
 * keep-alive connections (cpp-httplib, llama-server's HTTP layer, after a few seconds or requests), and a
 * client that picks such a socket just as it closes sees a reset although the server never read the request:
 * browsers, curl, Go's net/http and urllib3 retry that case the same way. A reset on a fresh connection, or
 * after the answer began, stays a failure. `retries` in the outcome says whether it happened.
 *
 * node:http rather than fetch: it exposes the phases (socket assigned, connected, headers, each read) that
 * the separate timeouts and the per-chunk timestamps need, with less work per chunk.
 */

/** A failed exchange. `detail` is already free of the API key. */
export type ExchangeFailure = RequestFailure;

/** A completed exchange (2xx, body read to its end). */
export interface ExchangeSuccess {
  ok: true;
  status: number;
  headers: http.IncomingHttpHeaders;
  start_ns: bigint;
  headers_ns: bigint;
  end_ns: bigint;
  /** times the request was sent again on a fresh connection (0 or 1) */
  retries: number;
}

/**
 * What the body sink may answer: nothing to go on, a failure that ends the exchange, or "complete": the
 * answer is whole (an SSE stream's `data: [DONE]`) even if the server leaves the response open.
 */
export type SinkVerdict = undefined | { cause: FailureCause; detail: string };
/** A data verdict: as SinkVerdict, or "complete" (the body is whole, whatever follows). */
export type DataVerdict = SinkVerdict | "complete";

/** Receives the body of a 2xx response. */
export interface BodySink {
  /** Called with the response headers; a verdict refuses the response (e.g. wrong content type). */
  onHeaders?(status: number, headers: http.IncomingHttpHeaders): SinkVerdict;
  /**
   * Called with each piece of the body (utf-8 text) and the time it was read. "complete" ends the exchange
   * as a success at once; the rest of the response, if the server sends it, is read and dropped (the
   * connection is kept when it ends within COMPLETE_GRACE_MS, else closed).
   */
  onData(text: string, at_ns: bigint): DataVerdict;
  /** Called when the body ended cleanly; a verdict fails the exchange (e.g. an incomplete stream). */
  onEnd?(): SinkVerdict;
}

/** A request to make. */
export interface ExchangeRequest {
  method: "GET" | "POST";
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeouts: Timeouts;
  agent: http.Agent;
  signal?: AbortSignal;
  /** removes secrets from text that came from the server or the network stack */
  redact: (text: string) => string;
}

const now = () => process.hrtime.bigint();

/** The parts of a URL node:http needs, worked out once per URL (a run requests the same URL many times). */
const targets = new WeakMap<URL, http.RequestOptions>();
function target(url: URL): http.RequestOptions {
  let t = targets.get(url);
  if (!t) {
    const host = url.hostname;
    t = {
      protocol: url.protocol,
      hostname: host.startsWith("[") ? host.slice(1, -1) : host,
      port: url.port === "" ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
    };
    targets.set(url, t);
  }
  return t;
}
/** How much of an error response body is kept for the failure detail (cut after redaction). */
const ERROR_BODY_CHARS = 300;
/** How much of an error response body is read before redaction and cutting. */
const ERROR_BODY_READ_CHARS = 64 * 1024;
/** After a "complete" verdict, how long the rest of a response may take before its connection is closed, in ms. */
export const COMPLETE_GRACE_MS = 2_000;

/** Errors of a socket that the server closed under the client (a stale keep-alive connection). */
const STALE_SOCKET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

/** A one-shot agent: a fresh connection, closed after the exchange. */
function freshAgent(url: URL): http.Agent {
  return url.protocol === "https:"
    ? new https.Agent({ keepAlive: false })
    : new http.Agent({ keepAlive: false });
}

function networkCause(err: NodeJS.ErrnoException, responded: boolean): FailureCause {
  if (responded) return "stream_cut";
  switch (err.code) {
    case "ECONNREFUSED":
      return "connection_refused";
    case "ECONNRESET":
    case "EPIPE":
      return "connection_reset";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "dns_error";
    default:
      return "network_error";
  }
}

/** Creates a keep-alive agent for a base URL's protocol: sockets are reused across requests. */
export function keepAliveAgent(url: URL): http.Agent {
  const options = { keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, maxFreeSockets: 1024 };
  return url.protocol === "https:" ? new https.Agent(options) : new http.Agent(options);
}

/**
 * Runs one exchange. Never rejects: every outcome, the abort signal included, is a value.
 * Bodies of error responses (status >= 400) are read (bounded), redacted, then cut into the failure detail.
 * A request that fails on a reused connection before any byte of the answer is sent again once on a fresh
 * connection (see the module comment); the total timeout covers both attempts.
 */
export function exchange(req: ExchangeRequest, sink: BodySink): Promise<ExchangeSuccess | ExchangeFailure> {
  return new Promise((resolve) => {
    const start = now();
    const t = req.timeouts;
    let settled = false;
    let responded = false;
    let retries = 0;
    let connectTimer: NodeJS.Timeout | null = null;
    let firstByteTimer: NodeJS.Timeout | null = null;
    let idleTimer: NodeJS.Timeout | null = null;
    let client: http.ClientRequest | null = null;

    const clearAttemptTimers = () => {
      if (connectTimer) clearTimeout(connectTimer);
      if (firstByteTimer) clearTimeout(firstByteTimer);
      connectTimer = null;
      firstByteTimer = null;
    };
    const cleanup = () => {
      clearTimeout(totalTimer);
      clearAttemptTimers();
      if (idleTimer) clearTimeout(idleTimer);
      req.signal?.removeEventListener("abort", onAbort);
    };
    const fail = (cause: FailureCause, detail: string, status: number | null = null) => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve({
        ok: false,
        cause,
        detail: req.redact(detail),
        status,
        start_ns: start,
        end_ns: now(),
        retries,
      });
      client?.destroy();
    };
    const onAbort = () => fail("aborted", "the run was interrupted");
    const totalTimer = setTimeout(
      () => fail("total_timeout", `no complete response within ${t.total_ms} ms`),
      t.total_ms,
    );
    if (req.signal?.aborted) {
      onAbort();
      return;
    }
    req.signal?.addEventListener("abort", onAbort, { once: true });
    const startFirstByte = () => {
      firstByteTimer = setTimeout(
        () => fail("first_byte_timeout", `no response headers within ${t.first_byte_ms} ms`),
        t.first_byte_ms,
      );
    };

    const mod = req.url.protocol === "https:" ? https : http;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers["content-length"] = String(Buffer.byteLength(req.body));

    const attempt = (agent: http.Agent) => {
      let current: http.ClientRequest;
      try {
        current = mod.request({ ...target(req.url), method: req.method, headers, agent });
      } catch (err) {
        fail("network_error", (err as Error).message);
        return;
      }
      client = current;
      current.on("socket", (socket) => {
        if (settled || client !== current) return;
        if (socket.connecting) {
          connectTimer = setTimeout(
            () => fail("connect_timeout", `not connected within ${t.connect_ms} ms`),
            t.connect_ms,
          );
          socket.once("connect", () => {
            if (client !== current) return;
            if (connectTimer) clearTimeout(connectTimer);
            connectTimer = null;
            if (!settled && !responded) startFirstByte();
          });
        } else {
          startFirstByte();
        }
      });
      current.on("error", (err: NodeJS.ErrnoException) => {
        if (settled || client !== current) return;
        const stale =
          !responded && current.reusedSocket && retries === 0 && STALE_SOCKET_CODES.has(err.code ?? "");
        if (stale) {
          // the server closed this keep-alive connection before it answered: once more, on a new one
          retries++;
          clearAttemptTimers();
          current.destroy();
          attempt(freshAgent(req.url));
          return;
        }
        fail(networkCause(err, responded), `${err.code ?? "error"}: ${err.message}`);
      });
      current.on("response", (res) => onResponse(res));
      current.end(req.body);
    };

    const onResponse = (res: http.IncomingMessage) => {
      if (settled) {
        res.destroy();
        return;
      }
      responded = true;
      const headersAt = now();
      if (firstByteTimer) clearTimeout(firstByteTimer);
      const status = res.statusCode ?? 0;
      idleTimer = setTimeout(
        () => fail("idle_timeout", `no data for ${t.idle_ms} ms after ${status} response`, status),
        t.idle_ms,
      );
      res.setEncoding("utf8");
      res.on("error", (err: NodeJS.ErrnoException) => {
        fail("stream_cut", `response cut: ${err.message}`, status);
      });
      res.on("close", () => {
        if (!res.complete) fail("stream_cut", "the connection closed before the response ended", status);
      });
      if (status < 200 || status >= 300) {
        let body = "";
        res.on("data", (piece: string) => {
          idleTimer?.refresh();
          if (body.length < ERROR_BODY_READ_CHARS) body += piece;
        });
        res.on("end", () => {
          // redact the whole body first: a cut could leave the first characters of a key behind
          const text = req.redact(body).replace(/\s+/g, " ").trim().slice(0, ERROR_BODY_CHARS);
          fail(`http_${status}`, `HTTP ${status}${text ? `: ${text}` : ""}`, status);
        });
        return;
      }
      const refused = sink.onHeaders?.(status, res.headers);
      if (refused) {
        fail(refused.cause, refused.detail, status);
        return;
      }
      const succeed = () => {
        settled = true;
        cleanup();
        resolve({
          ok: true,
          status,
          headers: res.headers,
          start_ns: start,
          headers_ns: headersAt,
          end_ns: now(),
          retries,
        });
      };
      res.on("data", (piece: string) => {
        const at = now();
        if (settled) return;
        idleTimer?.refresh();
        const verdict = sink.onData(piece, at);
        if (verdict === "complete") {
          succeed();
          // whatever the server still sends is dropped; a response left open loses its connection
          if (!res.complete) {
            const grace = setTimeout(() => res.destroy(), COMPLETE_GRACE_MS);
            grace.unref();
            res.once("close", () => clearTimeout(grace));
            res.resume();
          }
        } else if (verdict) fail(verdict.cause, verdict.detail, status);
      });
      res.on("end", () => {
        if (settled) return;
        const verdict = sink.onEnd?.();
        if (verdict) {
          fail(verdict.cause, verdict.detail, status);
          return;
        }
        succeed();
      });
    };

    attempt(req.agent);
  });
}
