/**
 * bench, baseline and check-release add what they produce to a configured history store; a store that cannot
 * be reached costs one line and never the printed result; check-release writes report.html into its evidence
 * folder. Runs the real engine with few rounds.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseResult } from "../../src/results/io.js";
import { runCli } from "../support/cli.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pb-history-wiring-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("recording to the history store", () => {
  it("bench prints its result even when the store cannot be reached (one line, no password)", () => {
    const run = runCli(
      [
        "bench",
        "--mode",
        "embedding",
        "--rounds",
        "2",
        "--warmup",
        "0",
        "--history",
        "postgres://u:pw123@127.0.0.1:1/db",
      ],
      { timeoutMs: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const r = parseResult(JSON.parse(run.stdout), "stdout");
    expect(r.mode).toBe("embedding");
    const lines = run.stderr.split("\n").filter((l) => l.includes("history"));
    expect(lines).toEqual([
      expect.stringMatching(
        /^perf-baseline: history not recorded: history store postgres:\/\/u@127\.0\.0\.1:1\/db: cannot be reached .*\(the result is not affected\)$/,
      ),
    ]);
    expect(run.stderr).not.toContain("pw123");
  });

  it("baseline and check-release add their results with verdicts, and check-release writes report.html", () => {
    const db = join(dir, "history.sqlite");
    const docs = join(dir, "docs");
    const base = runCli(
      [
        "baseline",
        "--dir",
        docs,
        "--mode",
        "embedding",
        "--captures",
        "1",
        "--rounds",
        "5",
        "--counter",
        "time",
        "--history",
        db,
      ],
      { timeoutMs: 120_000 },
    );
    expect(base.status, base.stderr).toBe(0);
    expect(base.stderr).toMatch(/perf-baseline: history: 1 added, 0 already stored \(sqlite:/);
    const cfg = join(dir, "config.json");
    const baselinePath = join(docs, "baseline-embedding.json");
    writeFileSync(cfg, JSON.stringify({ baselines: { generation: baselinePath, embedding: baselinePath } }));
    const evidence = join(dir, "evidence");
    const run = runCli(
      ["check-release", "--config", cfg, "--mode", "embedding", "--evidence-dir", evidence, "--rounds", "5"],
      { env: { PERF_BASELINE_HISTORY: db }, timeoutMs: 180_000 },
    );
    expect(run.stderr).not.toMatch(/internal error|not recorded|not written/);
    expect([0, 1, 3]).toContain(run.status);
    expect(run.stdout).toMatch(/evidence in .* \(report\.md, report\.html,/);
    const html = readFileSync(join(evidence, "report.html"), "utf8");
    expect(html).toContain("uPlot");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    const list = runCli(["history", "list", "--json", "--history", db]);
    expect(list.status, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as Array<{ kind: string; verdict: string | null; mode: string }>;
    const verdicts = JSON.parse(readFileSync(join(evidence, "verdicts.json"), "utf8"));
    const captures = verdicts.gates[0].candidate_sources.length as number;
    expect(rows.filter((r) => r.kind === "baseline")).toHaveLength(1);
    expect(rows.filter((r) => r.kind === "result").map((r) => r.verdict)).toEqual(
      Array(captures).fill(verdicts.gates[0].verdict),
    );
    expect(existsSync(join(evidence, "report.md"))).toBe(true);
  });
});
