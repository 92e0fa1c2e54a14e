/**
 * Scraping a server's Prometheus `/metrics` around a serving run's measured phase (`--server-metrics`):
 * once before, every interval during, once after. Each scrape is bounded (1 MiB, 2 s); a failed one is counted,
 * never fatal. The API key goes only to the base URL's origin. The figures: src/measure/server-metrics.ts.
 */
import http from "node:http";
import https from "node:https";
import {
  type MetricsScrape,
  parseMetricsText,
  SERVER_METRICS_LIMITS,
  summariseScrapes,
} from "../measure/server-metrics.js";
import type { BenchmarkResult } from "../results/schema.js";
import { type Warning, warningRecord } from "../results/warnings.js";

/** Where and how often to scrape. */
export interface ServerMetricsConfig {
  /** the metrics URL, or "auto": `/metrics` at the base URL's origin, when it answers 200 with text/plain */
  target: URL | "auto";
  /** seconds between scrapes during the measured phase */
  intervalS: number;
  /** the run's --base-url: the only origin the API key is sent to */
  baseUrl: URL;
  apiKey: string | null;
  /** the PEM text of --ca-cert, trusted for an https metrics URL too */
  ca?: string;
}

/** The `serving.server_metrics` block of a result. */
export type ServerMetricsBlock = NonNullable<NonNullable<BenchmarkResult["serving"]>["server_metrics"]>;

/** What sampling gave: the block (null when `auto` found no endpoint) and a warning when scrapes failed. */
export interface ServerMetricsOutcome {
  block: ServerMetricsBlock | null;
  warning: Warning | null;
}

/** A running sampler. */
export interface ServerMetricsSampler {
  /** takes the last scrape and summarises them all */
  stop(): Promise<ServerMetricsOutcome>;
  /** stops the timer without a last scrape (the run failed) */
  cancel(): void;
}

/** The URL scraped: the given one, or `/metrics` at the base URL's origin for "auto". */
export function metricsUrl(target: URL | "auto", baseUrl: URL): URL {
  return target === "auto" ? new URL("/metrics", baseUrl.origin) : target;
}

/** The URL as recorded: origin and path (a query may carry a token). */
const recordedUrl = (url: URL) => `${url.origin}${url.pathname}`;

/**
 * One bounded GET of a metrics URL: the body text.
 * @param textOnly refuse an answer whose content type is not text/plain (the `auto` probe)
 * @throws Error whose message is the reason: refused, timed out, an HTTP status, too large, not text/plain.
 */
export function fetchMetricsText(
  url: URL,
  opts: { authorization: string | null; ca?: string; textOnly?: boolean },
): Promise<string> {
  const { body_bytes: maxBytes, timeout_ms: timeoutMs } = SERVER_METRICS_LIMITS;
  return new Promise((resolve, reject) => {
    const get = url.protocol === "https:" ? https.get : http.get;
    const headers: Record<string, string> = { accept: "text/plain" };
    if (opts.authorization) headers.authorization = opts.authorization;
    const req = get(url, { headers, agent: false, ...(opts.ca ? { ca: opts.ca } : {}) }, (res) => {
      const type = String(res.headers["content-type"] ?? "");
      if (res.statusCode !== 200) return req.destroy(new Error(`HTTP ${res.statusCode}`));
      if (opts.textOnly && !type.startsWith("text/plain"))
        return req.destroy(new Error(`content type "${type}", not text/plain`));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) req.destroy(new Error(`larger than ${maxBytes} bytes`));
        else chunks.push(c);
      });
      res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      res.on("error", reject);
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no full answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on("error", (err: NodeJS.ErrnoException) => reject(new Error(err.code ?? err.message)));
    req.on("close", () => clearTimeout(timer));
  });
}

/**
 * Starts sampling: takes the scrape before the measured phase (awaited, at most 2 s), then one every
 * `intervalS` during it (a scrape still running is not overlapped).
 */
export async function startServerMetrics(cfg: ServerMetricsConfig): Promise<ServerMetricsSampler> {
  const url = metricsUrl(cfg.target, cfg.baseUrl);
  const authorization = url.origin === cfg.baseUrl.origin && cfg.apiKey ? `Bearer ${cfg.apiKey}` : null;
  const scrapes: MetricsScrape[] = [];
  let attempts = 0;
  let failures = 0;
  let reason = "";
  const scrape = async (at: MetricsScrape["at"], textOnly = false): Promise<boolean> => {
    attempts++;
    try {
      const text = await fetchMetricsText(url, {
        authorization,
        textOnly,
        ...(cfg.ca ? { ca: cfg.ca } : {}),
      });
      scrapes.push({ at, series: parseMetricsText(text) });
      return true;
    } catch (err) {
      failures++;
      reason ||= (err as Error).message;
      return false;
    }
  };
  const found = await scrape("before", cfg.target === "auto");
  if (!found && cfg.target === "auto") {
    const warning: Warning = {
      code: "server_metrics_unavailable",
      url: recordedUrl(url),
      failed: 1,
      scrapes: 1,
      reason,
    };
    return { stop: async () => ({ block: null, warning }), cancel: () => {} };
  }
  let running: Promise<boolean> | null = null;
  const timer = setInterval(() => {
    if (running === null)
      running = scrape("during").finally(() => {
        running = null;
      });
  }, cfg.intervalS * 1000);
  timer.unref();
  return {
    cancel: () => clearInterval(timer),
    stop: async () => {
      clearInterval(timer);
      await running;
      await scrape("after");
      const block: ServerMetricsBlock = {
        url: recordedUrl(url),
        scrapes: attempts,
        failed_scrapes: failures,
        ...summariseScrapes(scrapes),
      };
      const warning: Warning | null =
        failures > 0
          ? {
              code: "server_metrics_unavailable",
              url: block.url,
              failed: failures,
              scrapes: attempts,
              reason,
            }
          : null;
      return { block, warning };
    },
  };
}

/** Records, in place, a sampler's outcome in a serving result: its block and its warning. */
export function recordServerMetrics(result: BenchmarkResult, outcome: ServerMetricsOutcome): void {
  if (outcome.block && result.serving) result.serving.server_metrics = outcome.block;
  if (outcome.warning) result.warnings.push(warningRecord(outcome.warning));
}
