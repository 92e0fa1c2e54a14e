/**
 * Issue 8, faults 5, 7 and 13 at the command line: `compare` refuses a partial result unless
 * --allow-incomplete is given and reports its load and analysis times on stderr; `baseline`'s noisy-baseline
 * warning goes to stderr, stdout keeps only the report.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/util/errors.js";
import { runCli } from "../support/cli.js";
import { GATE_FIXTURES } from "../support/gate-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "pb-gate-flags-"));
const A = join(GATE_FIXTURES, "generation-a.json");
const B = join(GATE_FIXTURES, "generation-b.json");

describe("compare and gate on partial results", () => {
  const partial = join(dir, "partial.json");
  writeFileSync(partial, JSON.stringify({ ...JSON.parse(readFileSync(B, "utf8")), complete: false }));

  it("compare refuses a partial result with one line naming it and the flag", () => {
    const r = runCli(["compare", A, partial], { cwd: dir });
    expect(r.status).toBe(EXIT.badResultFile);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toMatch(
      /^perf-baseline: .*partial\.json: is a partial result .*--allow-incomplete/,
    );
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("gate refuses a partial candidate file before running anything", () => {
    const r = runCli(["gate", "--baseline", A, "--candidate", partial], { cwd: dir });
    expect(r.status).toBe(EXIT.badResultFile);
    expect(r.stderr).toMatch(/partial\.json: is a partial result/);
  });

  it("--allow-incomplete gates it and says so; compare prints load and analysis time on stderr", () => {
    const r = runCli(["compare", A, partial, "--allow-incomplete"], { cwd: dir });
    expect([EXIT.ok, EXIT.regression, EXIT.inconclusive]).toContain(r.status);
    expect(r.stdout).toMatch(/partial\.json is a partial result .*gated because of --allow-incomplete/);
    expect(r.stderr).toMatch(
      /perf-baseline: loaded \d+ \+ \d+ rounds in \d+\.\d\d s; analysis took \d+\.\d\d s/,
    );
    expect(r.stdout).not.toMatch(/loaded .* rounds in/);
  });
});

describe("baseline's warnings", () => {
  it("the noisy-baseline warning goes to stderr, not stdout", () => {
    // a noise limit no real capture meets, so that the warning is certain
    const cfg = join(dir, "strict.json");
    writeFileSync(cfg, JSON.stringify({ noisy_cv_fraction_of_threshold: 1e-9 }));
    const r = runCli(
      [
        "baseline",
        "--dir",
        join(dir, "docs"),
        "--mode",
        "embedding",
        "--captures",
        "1",
        "--rounds",
        "3",
        "--config",
        cfg,
        "--counter",
        "time",
      ],
      { cwd: dir },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*baseline-embedding\.json: noisy embedding baseline/);
    expect(r.stdout).toMatch(/baseline-embedding\.json: embedding/);
    expect(r.stdout).not.toMatch(/noisy|warning/);
  });
});
