import type { IncomingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import { StringDecoder } from "node:string_decoder";
import tls from "node:tls";
import { buildConnector, Client, type Dispatcher, util } from "undici";
import type { ConnectionSetup, FailureCause, RequestFailure } from "../../measure/requests.js";
import { nowMs, nowNs } from "../../util/clock.js";
import type { Timeouts } from "./options.js";

/**
 * One HTTP/1.1 exchange with every wait bounded: connect, first byte (response headers), idle gap between body
 * pieces, and the whole request. Each body piece is handed to a sink with the time its bytes were read from the
 * socket (see ReadClock: one nowMs() of src/util/clock.ts per socket read, not per piece).
 *
 * One retry, counted: a request that fails on a REUSED keep-alive connection (reset, broken pipe, hang-up)
 * before any byte of the answer arrived is sent again once on a fresh connection. Servers close idle
 * keep-alive connections (cpp-httplib, llama-server's HTTP layer, after a few seconds or requests), and a
 * client that picks such a socket just as it closes sees a reset although the server never read the request:
 * browsers, curl, Go's net/http and urllib3 retry that case the same way. A reset on a fresh connection, or
 * after the answer began, stays a failure. `retries` in the outcome says whether it happened.
 *
 * The transport is undici's dispatcher (one `Client`, so one socket, per connection of a `Connections` pool):
 * its callbacks (headers, each body piece as a Buffer, the end) carry none of node:http's stream machinery,
 * which was most of the client's own cost per streamed token (notes/openai-performance.md, the roofline);
 * a connection per Client lets each exchange know whether its connection was new and when it became ready.
 */

/** A failed exchange. `detail` is already free of the API key. */
export type ExchangeFailure = RequestFailure;

/** A completed exchange (2xx, body read to its end). */
export interface ExchangeSuccess {
  ok: true;
  status: number;
  headers: IncomingHttpHeaders;
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
  onHeaders?(status: number, headers: IncomingHttpHeaders): SinkVerdict;
  /**
   * Called with each piece of the body (utf-8 text) and the time its bytes were read from the socket
   * (`at_ms`, a nowMs() reading of src/util/clock.ts; nsOfMs converts it to the ns scale of the other
   * timestamps). "complete" ends the exchange as a success at once; the rest of the response, if the server
   * sends it, is read and dropped (the connection is kept when it ends within COMPLETE_GRACE_MS, else closed).
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
  /** the keep-alive connections to the URL's origin ({@link Connections}) */
  connections: Connections;
  signal?: AbortSignal;
  /** removes secrets from text that came from the server or the network stack */
  redact: (text: string) => string;
}

/** How much of an error response body is kept for the failure detail (cut after redaction). */
const ERROR_BODY_CHARS = 300;
/** How much of an error response body is read before redaction and cutting. */
const ERROR_BODY_READ_CHARS = 64 * 1024;
/** After a "complete" verdict, how long the rest of a response may take before its connection is closed, in ms. */
export const COMPLETE_GRACE_MS = 2_000;
/** Most idle keep-alive connections a pool keeps (and so the most that can be opened ahead of a run). */
export const MAX_FREE_SOCKETS = 1024;
/**
 * How long an idle keep-alive connection is kept when the server sends no `Keep-Alive: timeout=N`, in ms;
 * with the hint, N less KEEP_ALIVE_MARGIN_MS (node:http's agent takes the same margin).
 */
const KEEP_ALIVE_IDLE_MS = 60_000;
const KEEP_ALIVE_MARGIN_MS = 1_000;

/** Errors of a socket that the server closed under the client (a stale keep-alive connection). */
const STALE_SOCKET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET"]);

function networkCause(err: NodeJS.ErrnoException, responded: boolean): FailureCause {
  if (responded) return "stream_cut";
  switch (err.code) {
    case "ECONNREFUSED":
      return "connection_refused";
    case "ECONNRESET":
    case "EPIPE":
    case "UND_ERR_SOCKET":
      return "connection_reset";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "dns_error";
    default:
      return "network_error";
  }
}

/** An error message on one line (OpenSSL's and some parsers' messages hold line breaks). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The time of a socket's latest read (nowMs()), kept by a 'readable' listener put in front of undici's own
 * (which then reads and parses what arrived): every body piece parsed from that read carries the moment the
 * bytes arrived, not the moment the pieces before it were handled, and the clock is read once per socket read
 * instead of once per piece.
 */
interface ReadClock {
  at: number;
}

/**
 * One keep-alive connection: an undici Client that holds at most one socket, used by one exchange at a time.
 * It knows whether it is connected (so an exchange knows whether it reused the connection or opened one) and
 * when its connection became ready.
 */
export class Connection {
  readonly client: Client;
  readonly clock: ReadClock = { at: 0 };
  /** the socket is connected */
  connected = false;
  /** the exchange using the connection, told when a new socket is ready */
  user: Exchange | null = null;

  constructor(
    readonly pool: Connections,
    connector: buildConnector.connector,
  ) {
    const clock = this.clock;
    this.client = new Client(pool.origin, {
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: KEEP_ALIVE_IDLE_MS,
      keepAliveMaxTimeout: KEEP_ALIVE_IDLE_MS,
      keepAliveTimeoutThreshold: KEEP_ALIVE_MARGIN_MS,
      connect: (opts, callback) => {
        const started = nowNs();
        connector(opts, (err, socket) => {
          if (err === null) {
            const s = socket as Socket;
            s.prependListener("readable", () => {
              clock.at = nowMs();
            });
            this.connected = true;
            this.user?.onConnected(started, nowNs(), s instanceof tls.TLSSocket);
            callback(null, socket);
          } else callback(err, null);
        });
      },
    });
    this.client.on("disconnect", () => {
      this.connected = false;
    });
  }

  /** Closes the connection for good (its socket destroyed, any request on it failed). */
  close(): void {
    this.user = null;
    this.pool.forget(this);
    this.client.destroy().catch(() => {});
  }
}

/**
 * The keep-alive connections to one origin: an exchange takes an idle one (the latest released first, as
 * node:http's agent does) or a new one, and gives it back when its response ended. At most MAX_FREE_SOCKETS
 * idle ones are kept.
 */
export class Connections {
  readonly origin: string;
  private readonly connector: buildConnector.connector;
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();

  /**
   * @param url any URL of the origin (scheme, host, port)
   * @param ca PEM text of a CA to trust beside the system's (an https server with its own certificate)
   */
  constructor(url: URL, ca?: string) {
    this.origin = url.origin;
    // no connect timeout of undici's: the exchange's watchdog bounds the connect with its own
    this.connector = buildConnector({
      timeout: 0,
      ...(ca === undefined ? {} : { ca: [...tls.rootCertificates, ca] }),
    });
  }

  /** An idle connection, or a new one when none is idle (`fresh`: always a new one). */
  take(fresh = false): Connection {
    const idle = fresh ? undefined : this.idle.pop();
    if (idle) return idle;
    const c = new Connection(this, this.connector);
    this.all.add(c);
    return c;
  }

  /** Gives back a connection whose response ended: kept idle (up to MAX_FREE_SOCKETS), else closed. */
  release(c: Connection): void {
    c.user = null;
    if (this.idle.length < MAX_FREE_SOCKETS) this.idle.push(c);
    else c.close();
  }

  /** Drops a closed connection. */
  forget(c: Connection): void {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i !== -1) this.idle.splice(i, 1);
  }

  /** The connections connected now, idle or in use (one the server closed no longer counts). */
  get connectedCount(): number {
    let n = 0;
    for (const c of this.all) if (c.connected) n++;
    return n;
  }

  /** Closes every connection, idle or in use. */
  destroy(): void {
    for (const c of [...this.all]) c.close();
  }
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

/** What an exchange is reading: nothing yet, a 2xx body for the sink, an error body, or the rest after "complete". */
type Reading = "none" | "body" | "error" | "drain";

/**
 * One exchange in flight: its deadlines (nowMs() readings, checked by the watchdog), its current attempt (the
 * first, or the retry on a fresh connection) and its outcome, settled once. It is the undici dispatch handler
 * of its current attempt.
 */
export class Exchange implements Dispatcher.DispatchHandler {
  private readonly start = nowNs();
  private readonly startMs = nowMs();
  private settled = false;
  /** response headers arrived (no retry after that) */
  private responded = false;
  private retries = 0;
  /** deadlines (nowMs()); null when that wait is not under way */
  private connectBy: number | null = null;
  private firstByteBy: number | null = null;
  private reading: Reading = "none";
  /** when the last piece of the body arrived (nowMs()) */
  private lastDataAt = 0;
  /** after a "complete" verdict: the connection is closed at this time (nowMs()) unless the response ended */
  private drainBy: number | null = null;
  /** the response's status and headers, once they came */
  private status = 0;
  private headersAt = 0n;
  private headers: IncomingHttpHeaders = {};
  /** the current attempt's connection */
  private conn: Connection | null = null;
  /** the current attempt is on a connection that served a request before */
  private reused = false;
  private decoder: StringDecoder | null = null;
  private errorBody = "";
  /** how the current attempt got its connection */
  private connection: ConnectionSetup = { opened: false, tls: false, setup_ns: null, ready_ns: null };

  constructor(
    private readonly req: ExchangeRequest,
    private readonly sink: BodySink,
    private readonly resolve: (outcome: ExchangeSuccess | ExchangeFailure) => void,
  ) {}

  /** Starts watching the exchange (total timeout, abort signal) and sends the first attempt. */
  begin(): void {
    if (this.req.signal?.aborted) {
      this.fail("aborted", "the run was interrupted");
      return;
    }
    watch(this);
    this.attempt(false);
  }

  /** The watchdog's check at time `t` (nowMs()): the abort signal, then each deadline under way. */
  check(t: number): void {
    if (this.settled) {
      if (this.drainBy !== null && t >= this.drainBy) this.endDrain(false);
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
    else if (this.reading !== "none" && t - this.lastDataAt >= to.idle_ms)
      this.fail("idle_timeout", `no data for ${to.idle_ms} ms after ${this.status} response`, this.status);
  }

  /**
   * Settles as a failure (the detail redacted) unless already settled. The connection is closed, unless the
   * response ended cleanly (`keep`: an error status read whole), when it goes back to the pool.
   */
  private fail(cause: FailureCause, detail: string, status: number | null = null, keep = false): void {
    if (this.settled) return;
    this.settled = true;
    unwatch(this);
    this.resolve({
      ok: false,
      cause,
      detail: this.req.redact(detail),
      status,
      start_ns: this.start,
      end_ns: nowNs(),
      retries: this.retries,
      connection: this.connection,
    });
    this.letGo(keep);
  }

  /** Settles as a success. */
  private succeed(): void {
    this.settled = true;
    unwatch(this);
    this.resolve({
      ok: true,
      status: this.status,
      headers: this.headers,
      start_ns: this.start,
      headers_ns: this.headersAt,
      end_ns: nowNs(),
      retries: this.retries,
      connection: this.connection,
    });
  }

  /** Sends the request on an idle connection, or a new one (`fresh`: always a new one). */
  private attempt(fresh: boolean): void {
    const req = this.req;
    const conn = req.connections.take(fresh);
    this.conn = conn;
    conn.user = this;
    this.reused = conn.connected;
    // opened once its new connection is ready (onConnected): a connect that failed opened none
    this.connection = { opened: false, tls: false, setup_ns: null, ready_ns: null };
    if (conn.connected) this.firstByteBy = nowMs() + req.timeouts.first_byte_ms;
    else this.connectBy = nowMs() + req.timeouts.connect_ms;
    try {
      conn.client.dispatch(
        {
          path: `${req.url.pathname}${req.url.search}`,
          method: req.method,
          headers: req.headers,
          body: req.body,
        },
        this,
      );
    } catch (err) {
      this.fail("network_error", (err as Error).message);
    }
  }

  /** The new connection of the current attempt is ready (`started` to `ready`, ns): the wait for the first byte begins. */
  onConnected(started: bigint, ready: bigint, secure: boolean): void {
    this.connection = { opened: true, tls: secure, setup_ns: ready - started, ready_ns: ready };
    this.connectBy = null;
    if (!this.settled && !this.responded) this.firstByteBy = nowMs() + this.req.timeouts.first_byte_ms;
  }

  // undici's dispatch handler: the attempt's events (a connection closed by fail() reports its requests' errors
  // here; they are ignored once settled)

  /** The request is about to be written (the connection is ready). */
  onConnect(_abort: (err?: Error) => void): void {}

  /** A request error: retried once on a fresh connection when a stale keep-alive one failed, else a failure. */
  onError(err: Error): void {
    if (this.settled) {
      if (this.reading === "drain") this.endDrain(false);
      return;
    }
    const code = (err as NodeJS.ErrnoException).code ?? "";
    if (!this.responded && this.reused && this.retries === 0 && STALE_SOCKET_CODES.has(code)) {
      // the server closed this keep-alive connection before it answered: once more, on a new one
      this.retries++;
      this.connectBy = null;
      this.firstByteBy = null;
      this.letGo(false);
      this.attempt(true);
      return;
    }
    const detail =
      code === "UND_ERR_SOCKET"
        ? `${code}: the server closed the connection (${oneLine(err.message)})`
        : `${code || err.name || "error"}: ${oneLine(err.message)}`;
    this.fail(
      networkCause(err as NodeJS.ErrnoException, this.responded),
      this.responded ? `response cut: ${detail}` : detail,
      this.responded ? this.status : null,
    );
  }

  /** Response headers: starts the idle timeout, then reads an error body or hands a 2xx body to the sink. */
  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    if (this.settled) return true;
    this.responded = true;
    this.headersAt = nowNs();
    this.firstByteBy = null;
    this.status = status;
    this.headers = util.parseHeaders(rawHeaders) as IncomingHttpHeaders;
    this.lastDataAt = nowMs();
    this.decoder = new StringDecoder("utf8");
    if (status < 200 || status >= 300) {
      this.reading = "error";
      return true;
    }
    const refused = this.sink.onHeaders?.(status, this.headers);
    if (refused) {
      this.fail(refused.cause, refused.detail, status);
      return true;
    }
    this.reading = "body";
    return true;
  }

  /** A piece of the body: to the sink with its read time, into the error detail, or dropped after "complete". */
  onData(chunk: Buffer): boolean {
    if (this.settled) return true;
    const at = this.conn?.clock.at || nowMs();
    this.lastDataAt = at;
    const piece = (this.decoder as StringDecoder).write(chunk);
    if (this.reading === "error") {
      if (this.errorBody.length < ERROR_BODY_READ_CHARS) this.errorBody += piece;
      return true;
    }
    const verdict = this.sink.onData(piece, at);
    if (verdict === "complete") {
      this.succeed();
      this.drain();
    } else if (verdict) this.fail(verdict.cause, verdict.detail, this.status);
    return true;
  }

  /** The response ended: the error detail, the sink's last word, or the end of a drained response. */
  onComplete(): void {
    if (this.settled) {
      if (this.reading === "drain") this.endDrain(true);
      return;
    }
    const status = this.status;
    if (this.reading === "error") {
      this.errorBody += this.decoder?.end() ?? "";
      // redact the whole body first: a cut could leave the first characters of a key behind
      const text = this.req.redact(this.errorBody).replace(/\s+/g, " ").trim().slice(0, ERROR_BODY_CHARS);
      this.fail(`http_${status}`, `HTTP ${status}${text ? `: ${text}` : ""}`, status, true);
      return;
    }
    const rest = this.decoder?.end() ?? "";
    if (rest !== "") {
      const verdict = this.sink.onData(rest, this.lastDataAt);
      if (verdict && verdict !== "complete") {
        this.fail(verdict.cause, verdict.detail, status);
        return;
      }
    }
    const verdict = this.sink.onEnd?.();
    if (verdict) {
      this.fail(verdict.cause, verdict.detail, status, true);
      return;
    }
    this.succeed();
    this.letGo(true);
  }

  /** Lets go of the current connection: back to the pool (`keep`: its response ended cleanly), else closed. */
  private letGo(keep: boolean): void {
    const conn = this.conn;
    this.conn = null;
    if (conn) keep ? conn.pool.release(conn) : conn.close();
  }

  /**
   * After a "complete" verdict: whatever the server still sends is dropped; a response left open loses its
   * connection after COMPLETE_GRACE_MS (the watchdog keeps the exchange until the response ends or is closed).
   */
  private drain(): void {
    this.reading = "drain";
    this.drainBy = nowMs() + COMPLETE_GRACE_MS;
    watch(this);
  }

  /** The drained response ended (`ended`: its connection goes back to the pool) or its grace ran out (closed). */
  private endDrain(ended: boolean): void {
    this.reading = "none";
    this.drainBy = null;
    unwatch(this);
    this.letGo(ended);
  }
}
