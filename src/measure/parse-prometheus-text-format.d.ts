/**
 * Types of `parse-prometheus-text-format` 1.1.1 (it ships none): the Prometheus text format parsed into
 * prom2json's shape, every value a string as written ("3851.0", "+Inf").
 */
declare module "parse-prometheus-text-format" {
  /** One sample of a family: a value (counter, gauge, untyped) or buckets/quantiles with count and sum. */
  export interface PrometheusSample {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    quantiles?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  /** One metric family: its name, help text, type and samples. */
  export interface PrometheusFamily {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    metrics: PrometheusSample[];
  }
  /** Parses Prometheus exposition text. */
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
