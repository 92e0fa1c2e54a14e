/**
 * The results the FAKE benchmark command (./fake-bench-command.mjs) prints: set samples, so that an A/B of
 * commands is decided on controlled inputs whatever the machine's speed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generationFigures } from "../../src/results/build.js";
import { serializeResult } from "../../src/results/io.js";
import type { GenerationResult } from "../../src/results/schema.js";
import { ROOT } from "./cli.js";
import { fixture, mapMetric } from "./gate-fixtures.js";

/** The fake benchmark command's script. */
export const FAKE_BENCH_COMMAND = join(ROOT, "test", "support", "fake-bench-command.mjs");

/**
 * Writes `runs` results into `dir` (0.json, 1.json, ...) for the fake command: the generation fixture's rounds
 * times `factor` (0.75: 25 % slower), each run with its own small deterministic jitter (+-2 %), summaries
 * recomputed so that each result is consistent; `test` sets the results' test name.
 * @returns `dir`.
 */
export function writeFakeRuns(dir: string, factor: number, runs = 8, test?: string): string {
  mkdirSync(dir, { recursive: true });
  const base = fixture("generation-a") as GenerationResult;
  for (let i = 0; i < runs; i++) {
    const jitter = 1 + 0.02 * Math.sin(i * 2.3 + factor * 7);
    const r = mapMetric(base, (x) => x * factor * jitter) as GenerationResult;
    const result = { ...r, ...generationFigures(r.samples), ...(test ? { test } : {}) };
    writeFileSync(join(dir, `${i}.json`), serializeResult(result));
  }
  return dir;
}

/**
 * Writes `runs` outputs into `dir` that each hold one result per test, as JSON Lines (a tool that runs several
 * tests, as llama-bench does): each test's rounds times its factor, with the same jitter as
 * {@link writeFakeRuns}.
 * @returns `dir`.
 */
export function writeFakeMultiTestRuns(dir: string, factors: Record<string, number>, runs = 8): string {
  mkdirSync(dir, { recursive: true });
  const base = fixture("generation-a") as GenerationResult;
  for (let i = 0; i < runs; i++) {
    const lines = Object.entries(factors).map(([test, factor]) => {
      const jitter = 1 + 0.02 * Math.sin(i * 2.3 + factor * 7);
      const r = mapMetric(base, (x) => x * factor * jitter) as GenerationResult;
      return JSON.stringify({ ...r, ...generationFigures(r.samples), test });
    });
    writeFileSync(join(dir, `${i}.json`), `${lines.join("\n")}\n`);
  }
  return dir;
}
