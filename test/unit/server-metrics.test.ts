/** The server metrics' figures from controlled /metrics texts: parsing, deltas, gauges, the series bound. */
import { describe, expect, it } from "vitest";
import { servingOptionsFromFlags } from "../../src/engines/openai/flags.js";
import { metricsUrl } from "../../src/execute/server-metrics.js";
import {
  type MetricsScrape,
  parseMetricsText,
  seriesKey,
  summariseScrapes,
} from "../../src/measure/server-metrics.js";

const scrape = (at: MetricsScrape["at"], text: string): MetricsScrape => ({
  at,
  series: parseMetricsText(text),
});
const text = (requests: number, running: number, kv: number) =>
  [
    "# TYPE llamacpp:requests_processing gauge",
    `llamacpp:requests_processing ${running}`,
    "# TYPE vllm:gpu_cache_usage_perc gauge",
    `vllm:gpu_cache_usage_perc{model_name="m"} ${kv}`,
    "# TYPE llamacpp:prompt_tokens_total counter",
    `llamacpp:prompt_tokens_total ${requests * 10}`,
    "# TYPE rpc_seconds summary",
    `rpc_seconds{quantile="0.5"} 1`,
    `rpc_seconds_sum ${requests * 0.25}`,
    `rpc_seconds_count ${requests}`,
  ].join("\n");

describe("server metrics figures", () => {
  it("counters and summaries as deltas; gauges as mean and max over the scrapes during the phase", () => {
    const s = summariseScrapes([
      scrape("before", text(5, 0, 0.1)),
      scrape("during", text(7, 2, 0.4)),
      scrape("during", text(9, 4, 0.6)),
      scrape("after", text(12, 0, 0.2)),
    ]);
    expect(s.counters).toEqual({ "llamacpp:prompt_tokens_total": 70 });
    expect(s.histograms).toEqual({ rpc_seconds: { count: 7, sum: 1.75 } });
    expect(s.gauges["llamacpp:requests_processing"]).toEqual({ mean: 3, max: 4 });
    expect(s.gauges['vllm:gpu_cache_usage_perc{model_name="m"}']?.max).toBe(0.6);
    expect(s.dropped_series).toBe(0);
  });

  it("no scrape during the phase: gauges over all; a counter reset counts from 0; one scrape gives no delta", () => {
    const s = summariseScrapes([scrape("before", text(5, 1, 0.1)), scrape("after", text(2, 3, 0.1))]);
    expect(s.gauges["llamacpp:requests_processing"]).toEqual({ mean: 2, max: 3 });
    expect(s.counters["llamacpp:prompt_tokens_total"]).toBe(20);
    expect(summariseScrapes([scrape("before", text(5, 1, 0.1))]).counters).toEqual({});
  });

  it("keeps the first 200 series and counts the rest as dropped; +Inf and NaN values are left out", () => {
    const many = Array.from({ length: 250 }, (_, i) => `g{i="${i}"} ${i}`).join("\n");
    const s = summariseScrapes([scrape("during", `# TYPE g gauge\n${many}\nh +Inf\nk NaN`)]);
    expect(Object.keys(s.gauges)).toHaveLength(200);
    expect(s.dropped_series).toBe(52);
    expect(summariseScrapes([scrape("during", "h +Inf\nk NaN")]).gauges).toEqual({});
  });

  it("an HTML page or garbage is not Prometheus text; labels are sorted in a series' key", () => {
    expect(() => parseMetricsText("<html><body>login</body></html>")).toThrow(/not Prometheus text/);
    expect(parseMetricsText("").size).toBe(0);
    expect(seriesKey("a", { z: "1", b: 'x"y' })).toBe('a{b="x\\"y",z="1"}');
  });

  it("flags: auto is /metrics at the base URL's origin; bad URL, interval out of range, interval alone refused", () => {
    const base = { "base-url": "http://127.0.0.1:8080/v1" };
    const o = servingOptionsFromFlags({ ...base, "server-metrics": "auto" }, "generation", 3);
    expect(o.serverMetrics).toEqual({ target: "auto", intervalS: 1 });
    expect(metricsUrl("auto", o.baseUrl).href).toBe("http://127.0.0.1:8080/metrics");
    const at = (v: Record<string, string>) => () =>
      servingOptionsFromFlags({ ...base, ...v }, "generation", 3);
    expect(at({ "server-metrics": "ftp://x/metrics" })).toThrow(/--server-metrics must use http or https/);
    expect(at({ "server-metrics": "http://u:p@h/metrics" })).toThrow(/credentials/);
    expect(at({ "server-metrics": "auto", "server-metrics-interval": "0.05" })).toThrow(/at least 0.1 s/);
    expect(at({ "server-metrics": "auto", "server-metrics-interval": "61" })).toThrow(
      /server-metrics-interval/,
    );
    expect(at({ "server-metrics-interval": "2" })).toThrow(/applies to --server-metrics/);
  });
});
