/**
 * The one door from the golden verdict file (test/golden/golden-verdicts.ts) into src/: reading a result and
 * the gate configuration, the paired A/B analysis and its report. When these modules move (issue 18), only the
 * imports below change; the golden file must not.
 */
import { readGateConfig } from "../../src/config/read-config.js";
import { type AbReport, abReport } from "../../src/gate/ab-report.js";
import {
  type AbBlock,
  type AbOutcome,
  analyzePaired,
  blockOf,
  type PairedAnalysis,
  pairedVerdict,
} from "../../src/gate/paired.js";
import { renderAbText } from "../../src/report/ab-text.js";
import { readResult } from "../../src/results/io.js";
import type { BenchmarkResult } from "../../src/results/schema.js";

export type { AbBlock, AbOutcome, AbReport, BenchmarkResult, PairedAnalysis };
export { abReport, analyzePaired, blockOf, pairedVerdict, readResult, renderAbText };

/** The gate configuration in a file (the CLI's --config), validated. */
export function readConfigFile(path: string) {
  return readGateConfig(path).config;
}

/** The gate configuration's type, as readConfigFile returns it. */
export type GateConfig = ReturnType<typeof readConfigFile>;

/** What the golden file records of each input as read (older schema versions migrated). */
export interface InputDigests {
  mode: string;
  /** measured rounds */
  rounds: number;
  /** digest of the token ids or embedding values computed; null when not recorded */
  output_digest: string | null;
  /** digest of the workload (prompts, inputs, seed) */
  workload_digest: string;
  /** the counted run's workload digest, when the result carries instruction counts; else null */
  instructions_workload_digest: string | null;
}

/** The digests of a result as read: where each lives in the result format is known only here. */
export function digestsOf(result: BenchmarkResult): InputDigests {
  return {
    mode: result.mode,
    rounds: result.samples.length,
    output_digest: result.output.digest,
    workload_digest: result.workload.digest,
    instructions_workload_digest: result.instructions?.workload_digest ?? null,
  };
}

/** The result with only the measured rounds in [from, to) kept (a block's run, cut from a fixture). */
export function withRounds(result: BenchmarkResult, from: number, to: number): BenchmarkResult {
  return { ...result, samples: result.samples.slice(from, to) } as BenchmarkResult;
}

/**
 * The CLI's entry, as bin/perf-baseline.js calls it: runs `perf-baseline ARGV` and returns the exit code. For
 * test/golden/cli-batch.ts, which runs many commands in one child process.
 */
export { main as cliMain } from "../../src/cli/main.js";
