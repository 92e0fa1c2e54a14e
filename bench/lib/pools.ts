/**
 * Pools of captures saved as JSON, so that captures (expensive) and their evaluation (cheap) can run apart:
 * a script writes its pools after every capture or rotation (an interrupted run keeps what it took) and
 * evaluates saved pools later, or pools taken by several processes side by side. A pair drawn from pools is
 * gated as the real gate meets it ({@link gateDrawnPair}).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { poolCaptures } from "../../src/baseline/pool.js";
import type { GateConfig } from "../../src/config/gate-config.js";
import type { GateMetricName } from "../../src/gate/metrics.js";
import { runGate } from "../../src/gate/verdict.js";
import type { BenchmarkResult } from "../../src/results/schema.js";

/** Writes `pools` to `path` as one line of JSON (the format every pool file of the bench scripts has). */
export function savePools(path: string, pools: unknown): void {
  writeFileSync(path, JSON.stringify(pools));
}

/**
 * Reads a pool file written by {@link savePools}. The shape is the caller's: it is not checked.
 * @throws when the file is missing or not JSON.
 */
export function loadPools<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

/** Captures per mode and arm: pools[mode][arm] (bench/instruction-accuracy.ts's pool files). */
export type ArmPools = Record<string, Record<string, BenchmarkResult[]>>;

/** Appends `result` to pools[mode][arm]. */
export function addToPools(pools: ArmPools, mode: string, arm: string, result: BenchmarkResult): void {
  pools[mode] ??= {};
  pools[mode][arm] = [...(pools[mode][arm] ?? []), result];
}

/** Merges the {@link ArmPools} of several files, in order; a file that does not exist is skipped. */
export function mergeArmPools(paths: readonly string[]): ArmPools {
  const pools: ArmPools = {};
  for (const f of paths.filter((x) => x !== "" && existsSync(x))) {
    const p = loadPools<ArmPools>(f);
    for (const [mode, arms] of Object.entries(p))
      for (const [arm, list] of Object.entries(arms)) {
        pools[mode] ??= {};
        pools[mode][arm] = [...(pools[mode][arm] ?? []), ...list];
      }
  }
  return pools;
}

/**
 * The stored-baseline gate on a pair drawn from pools: the baseline is two captures pooled (as `perf-baseline
 * baseline` writes it), `candidate` the candidate, and `again` what the variance rule's "capture again" gets.
 * @param metric the per-round figure to gate (src/gate/metrics.ts); default: the baseline's default metric.
 * @returns the gate's report.
 */
export async function gateDrawnPair(
  baselineCaptures: [BenchmarkResult, BenchmarkResult],
  candidate: BenchmarkResult,
  again: BenchmarkResult,
  config: GateConfig,
  metric?: GateMetricName,
) {
  const { report } = await runGate({
    ...(metric !== undefined ? { metric } : {}),
    baseline: poolCaptures(baselineCaptures, "pool"),
    candidate,
    config,
    baselineSource: "pool",
    candidateSource: "pool",
    captureAgain: async () => again,
  });
  return report;
}
