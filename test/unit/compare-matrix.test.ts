/**
 * `compare` of two files of this tool's JSON Lines (a matrix run, issue 22 item 2): each test is paired with the
 * other file's test of the same name and settings and gated with the full analysis; the verdicts combine.
 * Controlled inputs: quiet rounds synthesised from a real generation result.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { parseCommandArgs } from "../../src/cli/args.js";
import { compareCommand } from "../../src/cli/commands/compare.js";
import { findGateConfig } from "../../src/config/find-config.js";
import { generationFigures } from "../../src/results/build.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { EXIT } from "../../src/util/errors.js";
import { runCli } from "../support/cli.js";
import { clone, fixture, scaled, squeezed } from "../support/gate-fixtures.js";

/** The fixture's rounds, quiet, at `threads`, scaled by `factor`, with its figures recomputed from them. */
// counts the configuration reads of the in-process `compare` below (the child processes are not affected)
vi.mock("../../src/config/find-config.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/config/find-config.js")>();
  return { ...actual, findGateConfig: vi.fn(actual.findGateConfig) };
});

function test(threads: number, factor: number): BenchmarkResult {
  const r = clone(scaled(squeezed(fixture("generation-a"), 0.1), factor));
  if (r.mode !== "generation") throw new Error("a generation fixture");
  r.settings.threads = threads;
  return { ...r, ...generationFigures(r.samples) };
}

function jsonLines(dir: string, name: string, results: BenchmarkResult[]): string {
  const path = join(dir, name);
  writeFileSync(path, results.map((r) => `${JSON.stringify(r)}\n`).join(""));
  return path;
}

describe("compare: two matrix runs' JSON Lines", () => {
  const dir = mkdtempSync(join(tmpdir(), "pb-compare-matrix-"));
  const base = jsonLines(dir, "base.jsonl", [test(1, 1), test(2, 1)]);

  it("one test 30 % slower: REGRESSION, and the report names each test", () => {
    const cand = jsonLines(dir, "slow.jsonl", [test(1, 1), test(2, 0.7)]);
    const r = runCli(["compare", base, cand]);
    expect(r.status, r.stderr).toBe(EXIT.regression);
    expect(r.stdout).toMatch(/== test .* \(threads 1, batch \d+\) ==/);
    expect(r.stdout).toMatch(/== test .* \(threads 2, batch \d+\) ==/);
    expect(r.stdout.match(/^REGRESSION/gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/^verdict: REGRESSION over 2 tests/m);
  });

  it("--format json: one document with each test's reports and the overall verdict", () => {
    const cand = jsonLines(dir, "slow2.jsonl", [test(1, 1), test(2, 0.7)]);
    const r = runCli(["compare", base, cand, "--format", "json"]);
    expect(r.status, r.stderr).toBe(EXIT.regression);
    const doc = JSON.parse(r.stdout);
    expect(doc.verdict).toBe("REGRESSION");
    expect(doc.tests.map((t: { verdict: string }) => t.verdict).sort()).toEqual(["PASS", "REGRESSION"]);
    expect(doc.tests[0].reports[0].verdict).toBeDefined();
  });

  it("the same figures: PASS; a test only on one side is named on stderr", () => {
    const cand = jsonLines(dir, "same.jsonl", [test(2, 1.01), test(1, 1), test(4, 1)]);
    const r = runCli(["compare", base, cand]);
    expect(r.status, r.stdout + r.stderr).toBe(EXIT.ok);
    expect(r.stderr).toMatch(/not compared, only in .*same\.jsonl/);
  });

  it("reads the configuration once, not once per test pair", async () => {
    const cand = jsonLines(dir, "same2.jsonl", [test(1, 1), test(2, 1)]);
    const { values, positionals } = parseCommandArgs(compareCommand, [base, cand, "--quiet"], 2);
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.mocked(findGateConfig).mockClear();
    try {
      await compareCommand.run(values, positionals);
    } finally {
      write.mockRestore();
    }
    expect(vi.mocked(findGateConfig)).toHaveBeenCalledTimes(1);
  });
});
