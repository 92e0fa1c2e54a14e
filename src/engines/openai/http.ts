import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import tls from "node:tls";
import type { ConnectionSetup, FailureCause, RequestFailure } from "../../measure/requests.js";
import { nowMs } from "../../util/clock.js";
import type { Timeouts } from "./options.js";

/**
 * One HTTP exchange over node:http with every wait bounded: connect, first byte (response headers), idle gap
 * between body pieces, and the whole request. Each body piece is handed to a sink with the time its bytes were
 * read from the socket (see readClock: one nowMs() of src/util/clock.ts per socket read, not per piece).
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
  /** how the (last) attempt got its connection */
  connection: ConnectionSetup;
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
   * Called with each piece of the body (utf-8 text) and the time its bytes were read from the socket
   * (`at_ms`, a nowMs() reading of src/util/clock.ts; nsOfMs converts it to the ns scale of the other
   * timestamps). "complete" ends the exchange
   * as a success at once; the rest of the response, if the server sends it, is read and dropped (the
   * connection is kept when it ends within COMPLETE_GRACE_MS, else closed).
   */
  onData(text: string, at_ms: number): DataVerdict;
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
  /** PEM text of a CA to trust beside the system's (https; for the one-shot agent of a retry) */
  ca?: string;
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

/** The TLS trust of an https agent: the system's CAs, and `ca` beside them when given. */
function trust(ca: string | undefined): https.AgentOptions {
  return ca === undefined ? {} : { ca: [...tls.rootCertificates, ca] };
}

/** A one-shot agent: a fresh connection, closed after the exchange. */
function freshAgent(url: URL, ca?: string): http.Agent {
  return url.protocol === "https:"
    ? new https.Agent({ keepAlive: false, ...trust(ca) })
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

/** Most idle keep-alive connections an agent keeps (and so the most that can be opened ahead of a run). */
export const MAX_FREE_SOCKETS = 1024;

/**
 * Creates a keep-alive agent for a base URL's protocol: sockets are reused across requests.
 * @param ca PEM text of a CA to trust beside the system's (an https server with its own certificate).
 */
export function keepAliveAgent(url: URL, ca?: string): http.Agent {
  const options = { keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, maxFreeSockets: MAX_FREE_SOCKETS };
  return url.protocol === "https:" ? new https.Agent({ ...options, ...trust(ca) }) : new http.Agent(options);
}

/**
 * Runs one exchange. Never rejects: every outcome, the abort signal included, is a value.
 * Bodies of error responses (status >= 400) are read (bounded), redacted, then cut into the failure detail.
 * A request that fails on a reused connection before any byte of the answer is sent again once on a fresh
 * connection (see the module comment); the total timeout covers both attempts.
 */
export function exchange(req: ExchangeRequest, sink: BodySink): Promise<ExchangeSuccess | ExchangeFailure> {
  return new Promise((resolve) => new Exchange(req, sink, resolve).begin());
}

/**
 * The time of a socket's latest read (nowMs()), kept by a 'data' listener put in front of node:http's own, so it
 * runs before the read is parsed: every body piece parsed from that read (a server's chunks that arrived
 * together) carries the moment the bytes arrived, not the moment the pieces before it were handled, and the
 * clock is read once per socket read instead of once per piece. One listener per socket, kept for its life.
 */
interface ReadClock {
  at: number;
}
const readClocks = new WeakMap<Socket, ReadClock>();

function readClock(socket: Socket): ReadClock {
  let clock = readClocks.get(socket);
  if (!clock) {
    const c: ReadClock = { at: nowMs() };
    socket.prependListener("data", () => {
      c.at = nowMs();
    });
    readClocks.set(socket, c);
    clock = c;
  }
  return clock;
}

/** How often the watchdog checks the exchanges in flight, in ms: a timeout or an abort is acted on at most this late. */
export const WATCHDOG_TICK_MS = 10;

/**
 * The watchdog: one interval for every exchange in flight (running only while there is one), instead of a
 * timer per timeout per request and an abort listener per request. Each tick checks every exchange's
 * deadlines (connect, first byte, idle, total), its abort signal and, after a "complete" verdict, the grace
 * left to the rest of its response. Timers and listeners per request were most of the client's work per
 * request (notes/openai-performance.md, the client's roofline).
 */
const watched = new Set<Exchange>();
let watchdog: NodeJS.Timeout | null = null;

function watch(ex: Exchange): void {
  watched.add(ex);
  watchdog ??= setInterval(() => {
    const t = nowMs();
    for (const e of watched) e.check(t);
  }, WATCHDOG_TICK_MS);
}

function unwatch(ex: Exchange): void {
  watched.delete(ex);
  if (watched.size === 0 && watchdog) {
    clearInterval(watchdog);
    watchdog = null;
  }
}

/**
 * One exchange in flight: its deadlines (nowMs() readings, checked by the watchdog), its current attempt (the
 * first, or the retry on a fresh connection) and its outcome, settled once.
 */
class Exchange {
  private readonly start = now();
  private readonly startMs = nowMs();
  private settled = false;
  /** response headers arrived (no retry after that) */
  private responded = false;
  private retries = 0;
  /** deadlines (nowMs()); null when that wait is not under way */
  private connectBy: number | null = null;
  private firstByteBy: number | null = null;
  /** the body is being read: the idle timeout applies from lastDataAt */
  private reading = false;
  /** when the last piece of the body arrived (nowMs()) */
  private lastDataAt = 0;
  /** after a "complete" verdict: the response still open, closed at this time (nowMs()) */
  private drainBy: number | null = null;
  private drained: http.IncomingMessage | null = null;
  /** the response's status, once it came */
  private status: number | null = null;
  /** the current attempt's request */
  private client: http.ClientRequest | null = null;
  /** the read time of the current attempt's socket (readClock) */
  private clock: ReadClock | null = null;
  private readonly headers: Record<string, string>;
  /** how the current attempt got its connection */
  private connection: ConnectionSetup = { opened: false, tls: false, setup_ns: null, ready_ns: null };

  constructor(
    private readonly req: ExchangeRequest,
    private readonly sink: BodySink,
    private readonly resolve: (outcome: ExchangeSuccess | ExchangeFailure) => void,
  ) {
    this.headers =
      req.body === undefined
        ? req.headers
        : { ...req.headers, "content-length": String(Buffer.byteLength(req.body)) };
  }

  /** Starts watching the exchange (total timeout, abort signal) and sends the first attempt. */
  begin(): void {
    if (this.req.signal?.aborted) {
      this.fail("aborted", "the run was interrupted");
      return;
    }
    watch(this);
    this.attempt(this.req.agent);
  }

  /** The watchdog's check at time `t` (nowMs()): the abort signal, then each deadline under way. */
  check(t: number): void {
    if (this.settled) {
      if (this.drainBy !== null && t >= this.drainBy) this.endDrain(true);
      return;
    }
    const to = this.req.timeouts;
    if (this.req.signal?.aborted) this.fail("aborted", "the run was interrupted");
    else if (t - this.startMs >= to.total_ms)
      this.fail("total_timeout", `no complete response within ${to.total_ms} ms`);
    else if (this.connectBy !== null && t >= this.connectBy)
      this.fail("connect_timeout", `not connected within ${to.connect_ms} ms`);
    else if (this.firstByteBy !== null && t >= this.firstByteBy)
      this.fail("first_byte_timeout", `no response headers within ${to.first_byte_ms} ms`);
    else if (this.reading && t - this.lastDataAt >= to.idle_ms)
      this.fail("idle_timeout", `no data for ${to.idle_ms} ms after ${this.status} response`, this.status);
  }

  private clearAttemptWaits(): void {
    this.connectBy = null;
    this.firstByteBy = null;
  }

  /** Settles as a failure (the detail redacted) unless already settled, and drops the current request. */
  private fail(cause: FailureCause, detail: string, status: number | null = null): void {
    if (this.settled) return;
    this.settled = true;
    unwatch(this);
    this.resolve({
      ok: false,
      cause,
      detail: this.req.redact(detail),
      status,
      start_ns: this.start,
      end_ns: now(),
      retries: this.retries,
      connection: this.connection,
    });
    this.client?.destroy();
  }

  /** Settles as a success. */
  private succeed(res: http.IncomingMessage, status: number, headersAt: bigint): void {
    this.settled = true;
    unwatch(this);
    this.resolve({
      ok: true,
      status,
      headers: res.headers,
      start_ns: this.start,
      headers_ns: headersAt,
      end_ns: now(),
      retries: this.retries,
      connection: this.connection,
    });
  }

  private startFirstByte(): void {
    this.firstByteBy = nowMs() + this.req.timeouts.first_byte_ms;
  }

  /** Sends the request through `agent`; events of a request that is no longer the current one are ignored. */
  private attempt(agent: http.Agent): void {
    const req = this.req;
    const mod = req.url.protocol === "https:" ? https : http;
    let current: http.ClientRequest;
    try {
      current = mod.request({ ...target(req.url), method: req.method, headers: this.headers, agent });
    } catch (err) {
      this.fail("network_error", (err as Error).message);
      return;
    }
    this.client = current;
    const attemptAt = now();
    this.connection = { opened: false, tls: false, setup_ns: null, ready_ns: null };
    current.on("socket", (socket) => this.onSocket(current, socket, attemptAt));
    current.on("error", (err: NodeJS.ErrnoException) => this.onError(current, err));
    current.on("response", (res) => this.onResponse(res));
    current.end(req.body);
  }

  /**
   * Times the connect of a new socket (TCP, and the TLS handshake for https: the connection's set-up, recorded
   * in `connection`), then the wait for the first byte.
   */
  private onSocket(current: http.ClientRequest, socket: Socket, attemptAt: bigint): void {
    if (this.settled || this.client !== current) return;
    this.clock = readClock(socket);
    if (!socket.connecting) {
      this.startFirstByte();
      return;
    }
    const secure = socket instanceof tls.TLSSocket;
    this.connection = { opened: true, tls: secure, setup_ns: null, ready_ns: null };
    this.connectBy = nowMs() + this.req.timeouts.connect_ms;
    socket.once(secure ? "secureConnect" : "connect", () => {
      if (this.client !== current) return;
      const ready = now();
      this.connection = { opened: true, tls: secure, setup_ns: ready - attemptAt, ready_ns: ready };
      this.connectBy = null;
      if (!this.settled && !this.responded) this.startFirstByte();
    });
  }

  /** A request error: retried once on a fresh connection when a stale keep-alive one failed, else a failure. */
  private onError(current: http.ClientRequest, err: NodeJS.ErrnoException): void {
    if (this.settled || this.client !== current) return;
    const stale =
      !this.responded && current.reusedSocket && this.retries === 0 && STALE_SOCKET_CODES.has(err.code ?? "");
    if (stale) {
      // the server closed this keep-alive connection before it answered: once more, on a new one
      this.retries++;
      this.clearAttemptWaits();
      current.destroy();
      this.attempt(freshAgent(this.req.url, this.req.ca));
      return;
    }
    this.fail(networkCause(err, this.responded), `${err.code ?? "error"}: ${err.message}`);
  }

  /** Response headers: starts the idle timeout, then reads an error body or hands a 2xx body to the sink. */
  private onResponse(res: http.IncomingMessage): void {
    if (this.settled) {
      res.destroy();
      return;
    }
    this.responded = true;
    const headersAt = now();
    this.firstByteBy = null;
    const status = res.statusCode ?? 0;
    this.status = status;
    this.lastDataAt = nowMs();
    this.reading = true;
    res.setEncoding("utf8");
    res.on("error", (err: NodeJS.ErrnoException) => {
      this.fail("stream_cut", `response cut: ${err.message}`, status);
    });
    res.on("close", () => {
      if (this.drained === res) this.endDrain(false);
      else if (!res.complete)
        this.fail("stream_cut", "the connection closed before the response ended", status);
    });
    if (status < 200 || status >= 300) {
      this.readErrorBody(res, status);
      return;
    }
    const refused = this.sink.onHeaders?.(status, res.headers);
    if (refused) {
      this.fail(refused.cause, refused.detail, status);
      return;
    }
    this.readBody(res, status, headersAt);
  }

  /** Reads an error response's body (bounded) into the failure detail, redacted before it is cut. */
  private readErrorBody(res: http.IncomingMessage, status: number): void {
    let body = "";
    res.on("data", (piece: string) => {
      this.lastDataAt = nowMs();
      if (body.length < ERROR_BODY_READ_CHARS) body += piece;
    });
    res.on("end", () => {
      // redact the whole body first: a cut could leave the first characters of a key behind
      const text = this.req.redact(body).replace(/\s+/g, " ").trim().slice(0, ERROR_BODY_CHARS);
      this.fail(`http_${status}`, `HTTP ${status}${text ? `: ${text}` : ""}`, status);
    });
  }

  /** Hands each piece of a 2xx body to the sink with its read time, until a verdict or the end. */
  private readBody(res: http.IncomingMessage, status: number, headersAt: bigint): void {
    res.on("data", (piece: string) => {
      const at = this.clock ? this.clock.at : nowMs();
      if (this.settled) return;
      this.lastDataAt = at;
      const verdict = this.sink.onData(piece, at);
      if (verdict === "complete") {
        this.succeed(res, status, headersAt);
        this.drain(res);
      } else if (verdict) this.fail(verdict.cause, verdict.detail, status);
    });
    res.on("end", () => {
      if (this.drained === res) this.endDrain(false);
      if (this.settled) return;
      const verdict = this.sink.onEnd?.();
      if (verdict) {
        this.fail(verdict.cause, verdict.detail, status);
        return;
      }
      this.succeed(res, status, headersAt);
    });
  }

  /**
   * After a "complete" verdict: whatever the server still sends is dropped; a response left open loses its
   * connection after COMPLETE_GRACE_MS (the watchdog keeps the exchange until the response ends or is closed).
   */
  private drain(res: http.IncomingMessage): void {
    if (res.complete) return;
    this.drained = res;
    this.drainBy = nowMs() + COMPLETE_GRACE_MS;
    watch(this);
    res.resume();
  }

  /** The drained response ended (or is closed now, `close` true: its grace ran out). */
  private endDrain(close: boolean): void {
    const res = this.drained;
    this.drained = null;
    this.drainBy = null;
    unwatch(this);
    if (close) res?.destroy();
  }
}
