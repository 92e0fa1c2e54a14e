/**
 * What a new user meets on a first run, apart from a benchmark: the history store is created only by the
 * commands that record, a listing says what it is out of, and the files the tool makes are ignored by git.
 * No model is loaded here.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "pb-first-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the history store and the files", () => {
  it("history list on a store that does not exist refuses in one line (exit 2) and creates nothing", () => {
    const typo = join(dir, "typo.sqlite");
    for (const sub of [["list"], ["trend", "--mode", "generation"], ["show", "1"]]) {
      const r = runCli(["history", ...sub, "--history", typo]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        /^perf-baseline: no history store at .*typo\.sqlite: only commands that record create one/,
      );
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(existsSync(typo)).toBe(false);
    }
  });

  it("history import creates the store; --limit says how many of how many", () => {
    const db = join(dir, "history.sqlite");
    const imp = runCli([
      "history",
      "import",
      "--history",
      db,
      join(ROOT, "docs", "baseline-generation.json"),
      join(ROOT, "docs", "baseline-embedding.json"),
    ]);
    expect(imp.status, imp.stderr).toBe(0);
    const one = runCli(["history", "list", "--limit", "1", "--history", db]);
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^1 of 2 results in /);
    const all = runCli(["history", "list", "--history", db]);
    expect(all.stdout).toMatch(/^2 results in /);
  });

  it("the npm pack tarball is ignored by git", () => {
    expect(readFileSync(join(ROOT, ".gitignore"), "utf8")).toMatch(/^perf-baseline-\*\.tgz$/m);
  });
});

describe("a bench run on a terminal says what it measured", () => {
  const args = ["bench", "--mode", "embedding", "--rounds", "3", "--warmup", "1"];

  it("prints a human summary on stderr; stdout stays the JSON result; --quiet turns the summary off", () => {
    const run = runCli(args);
    expect(run.status, run.stderr).toBe(0);
    expect(() => JSON.parse(run.stdout)).not.toThrow();
    expect(run.stderr).toMatch(/^perf-baseline: embedding emb2, llama-cpp, .*: 3 rounds$/m);
    expect(run.stderr).toMatch(/^perf-baseline: calls\/s median [0-9.]+ ± [0-9.]+ % \(robust CV; /m);
    // the dummy-weights warning, once
    expect(run.stderr.match(/warning: dummy weights/g)).toHaveLength(1);
    const quiet = runCli([...args, "--quiet"]);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toMatch(/calls\/s median/);
    expect(JSON.parse(quiet.stdout).mode).toBe("embedding");
  });
});

describe("baselines found where a user expects them", () => {
  const candidate = join(ROOT, "test/fixtures/result-generation.json");

  it("from a subfolder, the configuration file above it and the baselines it names are found", () => {
    const r = runCli(["gate", "--candidate", candidate, "--format", "json"], { cwd: join(ROOT, "docs") });
    expect(r.stderr).not.toMatch(/file not found/);
    expect(JSON.parse(r.stdout).baseline_source).toBe("baseline-generation.json");
  });

  it("where there is none, one line says where it looked and how to give or make one (exit 5)", () => {
    const empty = mkdtempSync(join(tmpdir(), "pb-no-config-"));
    try {
      const r = runCli(["gate", "--candidate", candidate], { cwd: empty });
      expect(r.status).toBe(5);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^perf-baseline: docs\/baseline-generation\.json: file not found \(the default generation baseline: no perf-baseline\.config\.json in .* or a folder above\); give one with --baseline FILE, or make one with `perf-baseline baseline`/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
