/**
 * `--server-metrics`: a serving run against the scripted test server samples a tiny loopback /metrics server
 * (TEST DEVICE: a counter and a histogram that follow the requests the scripted server received, a gauge that
 * is the scrape's index). The figures are decided by those controlled values, never by how fast the run was.
 * A faulty endpoint (oversize, no answer, garbage, 404) is a warning; the run completes.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runServingBenchmark } from "../../src/execute/serving.js";
import type { ScriptedServer } from "../support/scripted-server.js";
import { generationOf, scriptedServerPerTest, servingOptions } from "../support/serving-fixtures.js";

const serve = scriptedServerPerTest();
type Mode = "ok" | "oversize" | "stall" | "garbage";

interface MetricsServer {
  url: string;
  scrapes: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

let metricsServer: MetricsServer | null = null;
afterEach(async () => {
  await metricsServer?.close();
  metricsServer = null;
});

/** The /metrics text: requests_total and req_seconds follow the POSTs `s` saw; scrape_index is the scrape's index. */
function metricsText(s: ScriptedServer, index: number): string {
  const posts = s.requests.filter((q) => q.method === "POST").length;
  return [
    "# TYPE test:requests_total counter",
    `test:requests_total{route="completions"} ${posts}`,
    "# TYPE test:scrape_index gauge",
    `test:scrape_index ${index}`,
    "# TYPE test:req_seconds histogram",
    `test:req_seconds_bucket{le="+Inf"} ${posts}`,
    `test:req_seconds_sum ${posts * 0.5}`,
    `test:req_seconds_count ${posts}`,
    "",
  ].join("\n");
}

async function startMetrics(s: ScriptedServer, mode: Mode): Promise<MetricsServer> {
  const scrapes: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    const index = scrapes.push(req.headers) - 1;
    if (mode === "stall") return;
    if (mode === "garbage") return res.end("<html><body>not metrics</body></html>\n{{{");
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(mode === "oversize" ? "x".repeat(2 * 1024 * 1024) : metricsText(s, index));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  metricsServer = {
    url: `http://127.0.0.1:${port}/metrics`,
    scrapes,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
  return metricsServer;
}

const slow = () => ({ kind: "stream" as const, tokens: 8, chunkDelayMs: 30 });

describe("--server-metrics", () => {
  it("counters as deltas, gauges as mean and max, histograms as count/sum deltas; no API key to another origin", async () => {
    const s = await serve(slow);
    const m = await startMetrics(s, "ok");
    process.env.PERF_BASELINE_TEST_METRICS_KEY = "sk-test-secret";
    const opts = servingOptions(
      s.baseUrl,
      { serverMetrics: { target: new URL(m.url), intervalS: 0.1 } },
      "PERF_BASELINE_TEST_METRICS_KEY",
    );
    const r = generationOf(await runServingBenchmark(opts));
    delete process.env.PERF_BASELINE_TEST_METRICS_KEY;
    const b = r.serving?.server_metrics;
    expect(b).toBeDefined();
    if (!b) return;
    expect(b.url).toBe(m.url);
    expect(b.failed_scrapes).toBe(0);
    expect(b.scrapes).toBe(m.scrapes.length);
    expect(b.counters).toEqual({ 'test:requests_total{route="completions"}': 3 });
    expect(b.histograms).toEqual({ "test:req_seconds": { count: 3, sum: 1.5 } });
    // the gauge is the scrape's index: during scrapes 1..n-2 (or all, 0..n-1, when none fell in the phase)
    const n = b.scrapes;
    const g = b.gauges["test:scrape_index"];
    expect(g?.mean).toBeCloseTo((n - 1) / 2, 9);
    expect(g?.max).toBe(n > 2 ? n - 2 : n - 1);
    expect(b.dropped_series).toBe(0);
    expect(r.warnings.map((w) => w.code)).not.toContain("server_metrics_unavailable");
    expect(m.scrapes.every((h) => h.authorization === undefined)).toBe(true);
    expect(s.requests.find((q) => q.method === "POST")?.headers.authorization).toBe("Bearer sk-test-secret");
  });

  for (const [mode, reason] of [
    ["oversize", /larger than 1048576 bytes/],
    ["garbage", /not Prometheus text/],
    ["stall", /no full answer within 2000 ms/],
  ] as const) {
    it(`${mode}: every scrape fails, a warning names why, the run completes`, async () => {
      const s = await serve(() => ({ kind: "stream", tokens: 8 }));
      const m = await startMetrics(s, mode);
      const r = generationOf(
        await runServingBenchmark(
          servingOptions(s.baseUrl, { serverMetrics: { target: new URL(m.url), intervalS: 60 } }),
        ),
      );
      expect(r.serving?.requests.completed).toBe(3);
      expect(r.serving?.server_metrics).toMatchObject({ scrapes: 2, failed_scrapes: 2, counters: {} });
      const w = r.warnings.find((x) => x.code === "server_metrics_unavailable");
      expect(w?.text).toMatch(reason);
      expect(w?.text).toMatch(/2 of 2 scrapes/);
    }, 15_000);
  }

  it("auto where the server has no /metrics: a warning, no block, the run completes", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 8 }));
    const r = generationOf(
      await runServingBenchmark(
        servingOptions(s.baseUrl, { serverMetrics: { target: "auto", intervalS: 1 } }),
      ),
    );
    expect(r.serving?.requests.completed).toBe(3);
    expect(r.serving?.server_metrics).toBeUndefined();
    const w = r.warnings.find((x) => x.code === "server_metrics_unavailable");
    expect(w?.text).toMatch(new RegExp(`${s.baseUrl.replace(/\/v1$/, "")}/metrics failed \\(HTTP 404\\)`));
  });
});
