import http from "node:http";
import https from "node:https";
import type { Timeouts } from "./options.js";

/**
 * One HTTP exchange over node:http with every wait bounded: connect, first byte (response headers), idle gap
 * between body pieces, and the whole request. Each body piece is handed to a sink with the time it was read
 * (process.hrtime.bigint() at the top of the 'data' callback). No retries, hidden or otherwise.
 *
 * node:http rather than fetch: it exposes the phases (socket assigned, connected, headers, each read) that
 * the separate timeouts and the per-chunk timestamps need, with less work per chunk.
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
  | "bad_response"
  | "aborted"
  | `http_${number}`;

/** A failed exchange. `detail` is already free of the API key. */
export interface ExchangeFailure {
  ok: false;
  cause: FailureCause;
  detail: string;
  status: number | null;
  start_ns: bigint;
  end_ns: bigint;
}

/** A completed exchange (2xx, body read to its end). */
export interface ExchangeSuccess {
  ok: true;
  status: number;
  headers: http.IncomingHttpHeaders;
  start_ns: bigint;
  headers_ns: bigint;
  end_ns: bigint;
}

/** What the body sink may answer: nothing to go on, or a failure that ends the exchange. */
export type SinkVerdict = undefined | { cause: FailureCause; detail: string };

/** Receives the body of a 2xx response. */
export interface BodySink {
  /** Called with the response headers; a verdict refuses the response (e.g. wrong content type). */
  onHeaders?(status: number, headers: http.IncomingHttpHeaders): SinkVerdict;
  /** Called with each piece of the body (utf-8 text) and the time it was read. */
  onData(text: string, at_ns: bigint): SinkVerdict;
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
/** How much of an error response body is kept for the failure detail. */
const ERROR_BODY_CHARS = 300;

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
 * Bodies of error responses (status >= 400) are read (bounded) into the failure detail.
 */
export function exchange(req: ExchangeRequest, sink: BodySink): Promise<ExchangeSuccess | ExchangeFailure> {
  return new Promise((resolve) => {
    const start = now();
    const t = req.timeouts;
    let settled = false;
    let responded = false;
    let connectTimer: NodeJS.Timeout | null = null;
    let firstByteTimer: NodeJS.Timeout | null = null;
    let idleTimer: NodeJS.Timeout | null = null;
    let client: http.ClientRequest | null = null;

    const cleanup = () => {
      clearTimeout(totalTimer);
      if (connectTimer) clearTimeout(connectTimer);
      if (firstByteTimer) clearTimeout(firstByteTimer);
      if (idleTimer) clearTimeout(idleTimer);
      req.signal?.removeEventListener("abort", onAbort);
    };
    const fail = (cause: FailureCause, detail: string, status: number | null = null) => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve({ ok: false, cause, detail: req.redact(detail), status, start_ns: start, end_ns: now() });
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
    try {
      client = mod.request({ ...target(req.url), method: req.method, headers, agent: req.agent });
    } catch (err) {
      fail("network_error", (err as Error).message);
      return;
    }
    client.on("socket", (socket) => {
      if (settled) return;
      if (socket.connecting) {
        connectTimer = setTimeout(
          () => fail("connect_timeout", `not connected within ${t.connect_ms} ms`),
          t.connect_ms,
        );
        socket.once("connect", () => {
          if (connectTimer) clearTimeout(connectTimer);
          connectTimer = null;
          if (!settled && !responded) startFirstByte();
        });
      } else {
        startFirstByte();
      }
    });
    client.on("error", (err: NodeJS.ErrnoException) => {
      fail(networkCause(err, responded), `${err.code ?? "error"}: ${err.message}`);
    });
    client.on("response", (res) => {
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
          if (body.length < ERROR_BODY_CHARS) body += piece;
        });
        res.on("end", () => {
          const text = body.replace(/\s+/g, " ").trim().slice(0, ERROR_BODY_CHARS);
          fail(`http_${status}`, `HTTP ${status}${text ? `: ${text}` : ""}`, status);
        });
        return;
      }
      const refused = sink.onHeaders?.(status, res.headers);
      if (refused) {
        fail(refused.cause, refused.detail, status);
        return;
      }
      res.on("data", (piece: string) => {
        const at = now();
        if (settled) return;
        idleTimer?.refresh();
        const verdict = sink.onData(piece, at);
        if (verdict) fail(verdict.cause, verdict.detail, status);
      });
      res.on("end", () => {
        if (settled) return;
        const verdict = sink.onEnd?.();
        if (verdict) {
          fail(verdict.cause, verdict.detail, status);
          return;
        }
        settled = true;
        cleanup();
        resolve({
          ok: true,
          status,
          headers: res.headers,
          start_ns: start,
          headers_ns: headersAt,
          end_ns: now(),
        });
      });
    });
    client.end(req.body);
  });
}
