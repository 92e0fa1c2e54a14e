/**
 * Real result files produced by the tool (test/fixtures/gate/, see its README) and variants synthesised from
 * them for the gate's unit tests: scaled throughput, squeezed noise, another fingerprint, another setting.
 */
import { join } from "node:path";
import { readResult } from "../../src/results/io.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { median } from "../../src/stats/index.js";

/** The folder of the gate's fixtures. */
export const GATE_FIXTURES = join(import.meta.dirname, "..", "fixtures", "gate");

/** A fixture by name: generation-a, generation-b, embedding-a, embedding-b. */
export function fixture(name: string): BenchmarkResult {
  return readResult(join(GATE_FIXTURES, `${name}.json`));
}

/** A deep copy. */
export function clone<T>(x: T): T {
  return structuredClone(x);
}

/** The gated metric of each round. */
export function metricOf(r: BenchmarkResult): number[] {
  return r.mode === "generation"
    ? r.samples.map((s) => s.tokens_per_second)
    : r.samples.map((s) => s.calls_per_second);
}

/** Maps each round's gated metric (the round's time follows, so the sample stays consistent). */
export function mapMetric(r: BenchmarkResult, f: (x: number, i: number) => number): BenchmarkResult {
  const c = clone(r);
  if (c.mode === "generation") {
    c.samples = c.samples.map((s, i) => {
      const v = f(s.tokens_per_second, i);
      return { ...s, tokens_per_second: v, elapsed_s: s.output_tokens / v };
    });
  } else {
    c.samples = c.samples.map((s, i) => {
      const v = f(s.calls_per_second, i);
      return { ...s, calls_per_second: v, elapsed_s: s.calls / v };
    });
  }
  return c;
}

/** Every round's throughput times `factor` (0.75 = a 25 % slowdown). */
export function scaled(r: BenchmarkResult, factor: number): BenchmarkResult {
  return mapMetric(r, (x) => x * factor);
}

/** The spread around the median shrunk by `k` (0.1 keeps a tenth): a quiet capture of the same machine. */
export function squeezed(r: BenchmarkResult, k: number): BenchmarkResult {
  const m = median(metricOf(r));
  return mapMetric(r, (x) => m + (x - m) * k);
}

/** The same result measured on other hardware (another CPU model and fingerprint). */
export function otherHardware(r: BenchmarkResult): BenchmarkResult {
  const c = clone(r);
  c.environment.hardware.cpu_model = "Some Other CPU @ 3.0GHz";
  c.environment.hardware_fingerprint = "0".repeat(64);
  return c;
}
