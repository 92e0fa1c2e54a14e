import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { writeBaselines } from "../../src/baseline/files.js";
import { poolCaptures } from "../../src/baseline/pool.js";
import { defaultGateConfig, parseGateConfig } from "../../src/config/gate-config.js";
import { analyze, metricSamples } from "../../src/gate/analysis.js";
import { checkComparability } from "../../src/gate/comparability.js";
import { driftTest } from "../../src/gate/drift.js";
import { checkStaleness } from "../../src/gate/staleness.js";
import { type GateInput, runGate, VERDICT_EXIT } from "../../src/gate/verdict.js";
import { renderReleaseReport } from "../../src/report/evidence/release-markdown.js";
import { renderGateText } from "../../src/report/gate-text.js";
import { parseResult, readResult } from "../../src/results/io.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { studentTUpperTail } from "../../src/stats/student-t.js";
import { CapturesDisagreeError, ConfigFileError, EXIT, ResultFileError } from "../../src/util/errors.js";
import { clone, fixture, mapMetric, otherHardware, scaled, squeezed } from "../support/gate-fixtures.js";

const config = defaultGateConfig();
const genA = fixture("generation-a");
const genB = fixture("generation-b");
const embA = fixture("embedding-a");
const embB = fixture("embedding-b");

// The rules are tested at a quiet machine's drift floor (10 %); the committed 25 % is for this project's
// shared VM, where the same code's captures drift by up to 2x (notes/gate-accuracy.md).
const quietMachine = parseGateConfig({ drift_floor: 0.1 }, "test config");

function gate(baseline: BenchmarkResult, candidate: BenchmarkResult, extra: Partial<GateInput> = {}) {
  return runGate({
    baseline,
    candidate,
    config: quietMachine,
    baselineSource: "baseline.json",
    candidateSource: "candidate.json",
    ...extra,
  });
}

describe("comparability", () => {
  it("two captures of the same benchmark on the same machine are comparable", () => {
    const c = checkComparability(genA, genB);
    expect(c.comparable).toBe(true);
    expect(c.blocking).toEqual([]);
    expect(c.versions).toEqual([]);
  });

  it("another hardware fingerprint is incomparable and names the field that differs", () => {
    const c = checkComparability(genA, otherHardware(genB));
    expect(c.comparable).toBe(false);
    const fields = c.blocking.map((d) => d.field);
    expect(fields).toContain("environment.hardware_fingerprint");
    expect(fields).toContain("environment.hardware.cpu_model");
  });

  it("names each differing setting, model, mode and workload", () => {
    const b = clone(genB);
    b.settings.threads = 2;
    b.settings.gpu = "cuda";
    b.model.sha256 = "f".repeat(64);
    expect(checkComparability(genA, b).blocking.map((d) => d.field)).toEqual([
      "model.sha256",
      "settings.threads",
      "settings.gpu",
    ]);
    const w = clone(genB);
    w.workload.digest = "e".repeat(64);
    if (w.mode === "generation") w.max_new_tokens = 64;
    const fields = checkComparability(genA, w).blocking.map((d) => d.field);
    expect(fields).toContain("workload.digest");
    expect(fields).toContain("max_new_tokens");
    expect(checkComparability(genA, embA).blocking.map((d) => d.field)).toContain("mode");
  });

  it("a model without sha256 is identified by its name", () => {
    const a = clone(genA);
    const b = clone(genB);
    a.model.sha256 = null;
    b.model.sha256 = null;
    a.model.name = "served-model";
    b.model.name = "other-model";
    expect(checkComparability(a, b).blocking).toEqual([
      { field: "model.name", baseline: "served-model", candidate: "other-model" },
    ]);
  });

  it("a serving load block, on either side, is part of the key", () => {
    const a = { ...clone(genA), load: { concurrency: 4, arrival: "closed" } } as unknown as BenchmarkResult;
    const b = { ...clone(genB), load: { concurrency: 8, arrival: "closed" } } as unknown as BenchmarkResult;
    expect(checkComparability(a, b).blocking).toEqual([
      { field: "load.concurrency", baseline: "4", candidate: "8" },
    ]);
    expect(checkComparability(a, genB).blocking.map((d) => d.field)).toEqual(["load"]);
    expect(checkComparability(a, clone(a)).comparable).toBe(true);
  });

  it("engine and runtime version changes are compared but reported", () => {
    const b = clone(genB);
    b.engine.versions.node_llama_cpp = "3.99.0";
    b.environment.node = "22.0.0";
    const c = checkComparability(genA, b);
    expect(c.comparable).toBe(true);
    expect(c.versions.map((d) => d.field)).toEqual(["engine.versions.node_llama_cpp", "environment.node"]);
  });
});

describe("analysis", () => {
  it("reads the gated metric per round: tokens/s for generation, calls/s for embedding", () => {
    expect(metricSamples(genA, "a")).toEqual(
      genA.mode === "generation" ? genA.samples.map((s) => s.tokens_per_second) : [],
    );
    expect(metricSamples(embA, "a")).toEqual(
      embA.mode === "embedding" ? embA.samples.map((s) => s.calls_per_second) : [],
    );
  });

  it("a round with zero throughput is a bad result file, named with its field", () => {
    const bad = mapMetric(genA, (x, i) => (i === 3 ? 0 : x));
    expect(() => metricSamples(bad, "bad.json")).toThrow(ResultFileError);
    expect(() => metricSamples(bad, "bad.json")).toThrow(/bad\.json: field samples\.3\.tokens_per_second/);
  });

  it("an exact 25 % slowdown of a quiet capture: ratio 0.75, significant, interval below 1 - T", () => {
    const base = metricSamples(squeezed(genA, 0.1), "a");
    const a = analyze(
      "capture 1",
      base,
      base.map((x) => x * 0.75),
      "generation",
      config,
    );
    expect(a.ratio).toBeCloseTo(0.75, 10);
    expect(a.drop).toBeCloseTo(0.25, 10);
    expect(a.p_value).toBeLessThan(0.01);
    expect(a.ci.high).toBeLessThan(0.88);
    expect(a.noisy).toBe(false);
    expect(a.shows_regression).toBe(true);
  });
});

describe("the gate on real result files", () => {
  it("A/A: two real captures of the same code never give a regression", async () => {
    for (const [a, b] of [
      [genA, genB],
      [genB, genA],
      [embA, embB],
      [embB, embA],
    ] as const) {
      const { report } = await gate(a, b);
      expect(["PASS", "INCONCLUSIVE"]).toContain(report.verdict);
    }
  });

  it("a quiet capture 25 % slower is a REGRESSION from one capture, without capturing again", async () => {
    const quiet = squeezed(genA, 0.1);
    const again = vi.fn(async () => scaled(quiet, 0.75));
    const { report } = await gate(quiet, scaled(quiet, 0.75), { captureAgain: again });
    expect(report.verdict).toBe("REGRESSION");
    expect(report.exit_code).toBe(EXIT.regression);
    expect(again).not.toHaveBeenCalled();
    expect(report.analyses).toHaveLength(1);
  });

  it("a quiet capture 5 % slower passes", async () => {
    const quiet = squeezed(genA, 0.1);
    const { report } = await gate(quiet, scaled(squeezed(genB, 0.1), 0.95));
    expect(report.verdict).toBe("PASS");
    expect(report.exit_code).toBe(0);
  });

  it("the variance rule: a noisy capture 25 % slower is never a REGRESSION alone; a second capture decides", async () => {
    // the fixture's own noise (robust CV above T/3) makes the capture noisy
    const noisyCandidate = scaled(genB, 0.75);
    const alone = await gate(genA, noisyCandidate);
    expect(alone.report.analyses[0]?.noisy).toBe(true);
    expect(alone.report.verdict).toBe("INCONCLUSIVE");
    expect(alone.report.second_capture).toMatchObject({ needed: true, taken: false });
    expect(alone.report.fixes.join("\n")).toMatch(/robust CV .* > 4\.0 %: raise --rounds or pin --threads/);

    const again = vi.fn(async () => scaled(genA, 0.75));
    const both = await gate(genA, noisyCandidate, { captureAgain: again });
    expect(again).toHaveBeenCalledTimes(1);
    expect(both.report.second_capture.taken).toBe(true);
    expect(both.report.analyses.map((a) => a.label)).toEqual(["capture 1", "capture 2", "pooled"]);
    expect(both.report.verdict).toBe("REGRESSION");
    expect(both.captures).toHaveLength(2);
  });

  it("the variance rule: a second capture that does not show the drop prevents the REGRESSION", async () => {
    const { report } = await gate(genA, scaled(genB, 0.75), { captureAgain: async () => genB });
    expect(report.second_capture.taken).toBe(true);
    expect(report.verdict).not.toBe("REGRESSION");
  });

  it("another hardware fingerprint is INCOMPARABLE with exit 4, naming what differs", async () => {
    const again = vi.fn(async () => genB);
    const { report } = await gate(genA, otherHardware(genB), { captureAgain: again });
    expect(report.verdict).toBe("INCOMPARABLE");
    expect(report.exit_code).toBe(EXIT.incomparable);
    expect(report.reasons[0]).toMatch(/environment\.hardware\.cpu_model/);
    expect(again).not.toHaveBeenCalled();
    expect(report.analyses).toEqual([]);
  });

  it("a changed output digest is reported beside the verdict, which it does not change", async () => {
    const quiet = squeezed(genA, 0.1);
    const other = squeezed(genB, 0.1);
    other.output.digest = "a".repeat(64);
    const { report } = await gate(quiet, other);
    expect(report.verdict).toBe("PASS");
    expect(report.output.changed).toBe(true);
    expect(report.output.note).toMatch(/other token ids/);
    expect(renderGateText(report)).toMatch(/output digest differs/);
  });

  it("too few rounds cannot decide", async () => {
    const few = clone(genB);
    few.samples = few.samples.slice(0, 3);
    const { report } = await gate(genA, few);
    expect(report.verdict).toBe("INCONCLUSIVE");
    expect(report.reasons[0]).toMatch(/3 rounds, fewer than 5/);
  });

  it("verdict exit codes are distinct, and distinct from a bad result file", () => {
    const codes = [...Object.values(VERDICT_EXIT), EXIT.badResultFile, EXIT.usage];
    expect(new Set(codes).size).toBe(codes.length);
    expect(VERDICT_EXIT).toEqual({ PASS: 0, REGRESSION: 1, INCONCLUSIVE: 3, INCOMPARABLE: 4 });
  });

  it("prints the evidence: medians, ratio, CI, p, robust CVs, n", async () => {
    const { report } = await gate(genA, genB, { captureAgain: async () => genA });
    const text = renderGateText(report);
    const a = report.analyses[0];
    expect(a).toBeDefined();
    if (!a) return;
    for (const s of ["median", "robust CV", "ratio", "95 % CI", " p", "baseline", "capture 1"])
      expect(text).toContain(s);
    expect(text).toContain(a.ratio.toFixed(3));
    expect(text).toContain(`[${a.ci.low.toFixed(3)}, ${a.ci.high.toFixed(3)}]`);
    expect(text).toContain(String(a.candidate.n));
    expect(text).toMatch(new RegExp(`^${report.verdict}: `, "m"));
  });
});

describe("the rebaseline trigger", () => {
  it("a changed engine version makes the baseline stale; the verdict still compares by default", async () => {
    const b = squeezed(genB, 0.1);
    b.engine.versions.llama_cpp = "b9999";
    const { report } = await gate(squeezed(genA, 0.1), b);
    expect(report.stale.stale).toBe(true);
    expect(report.stale.reasons[0]).toMatch(/engine\.versions\.llama_cpp .* -> b9999/);
    expect(report.verdict).toBe("PASS");
    expect(report.fixes.join("\n")).toMatch(/baseline stale: recapture/);
  });

  it('with on_stale "incomparable" a stale baseline is INCOMPARABLE', async () => {
    const strict = parseGateConfig({ rebaseline: { on_stale: "incomparable" } }, "cfg");
    const b = clone(genB);
    b.environment.node = "21.0.0";
    const { report } = await runGate({
      baseline: genA,
      candidate: b,
      config: strict,
      baselineSource: "b",
      candidateSource: "c",
    });
    expect(report.verdict).toBe("INCOMPARABLE");
    expect(report.reasons[0]).toMatch(/baseline stale: recapture: environment\.node/);
  });

  it("core and tokenizer changes since the baseline's commit, asked of git through the function given", () => {
    const asked: string[][] = [];
    const changed = (_commit: string, paths: readonly string[]) => {
      asked.push([...paths]);
      return paths.includes("src/workload/") ? ["src/workload/workload.ts"] : [];
    };
    const r = checkStaleness(genA, [], config, changed);
    expect(asked).toEqual([config.rebaseline.core, config.rebaseline.tokenizer]);
    expect(r.stale).toBe(true);
    expect(r.reasons).toEqual([
      `tokenizer path changed since baseline commit ${genA.git?.commit.slice(0, 12)}: src/workload/workload.ts`,
    ]);
    const shallow = checkStaleness(genA, [], config, () => null);
    expect(shallow.stale).toBe(false);
    expect(shallow.unchecked[0]).toMatch(/not in this repository/);
    const noGit = clone(genA);
    noGit.git = null;
    expect(checkStaleness(noGit, [], config, changed).unchecked[0]).toMatch(/no git commit/);
  });
});

describe("configuration", () => {
  it("the committed perf-baseline.config.json holds the documented defaults", () => {
    const committed = JSON.parse(
      readFileSync(join(import.meta.dirname, "..", "..", "perf-baseline.config.json"), "utf8"),
    );
    // the release tests (test/unit/release-tests.test.ts) and the phase metrics' thresholds (notes/gate-accuracy.md,
    // "Per-metric gates") are the keys the committed file sets beyond the defaults
    const { release_tests, metrics, ...rest } = parseGateConfig(committed, "perf-baseline.config.json");
    const { release_tests: _r, metrics: _m, ...defaults } = config;
    expect(rest).toEqual(defaults);
    expect(release_tests?.length).toBe(4);
    expect(metrics).toEqual({
      prefill_tokens_per_second: { threshold: 0.12 },
      decode_tokens_per_second: { threshold: 0.12 },
    });
    expect(config.thresholds).toEqual({ generation: 0.12, embedding: 0.15 });
    expect(config.alpha).toBe(0.01);
  });

  it("a bad or unknown field is a one-line error naming the file and field", () => {
    expect(() => parseGateConfig({ thresholds: { generation: 12 } }, "cfg.json")).toThrow(ConfigFileError);
    expect(() => parseGateConfig({ thresholds: { generation: 12 } }, "cfg.json")).toThrow(
      /^cfg\.json: field thresholds\.generation/,
    );
    expect(() => parseGateConfig({ treshold: 1 }, "cfg.json")).toThrow(/Unrecognized key/);
    expect(parseGateConfig({ thresholds: { generation: 0.2 } }, "c").thresholds).toEqual({
      generation: 0.2,
      embedding: 0.15,
    });
  });
});

describe("baselines", () => {
  it("pools captures into a valid baseline with its between-capture noise", () => {
    const pooled = poolCaptures([genA, genB], "perf-baseline baseline");
    expect(() => parseResult(pooled, "pooled")).not.toThrow();
    expect(pooled.samples).toHaveLength(genA.samples.length + genB.samples.length);
    expect(pooled.samples.map((s) => s.round)).toEqual(pooled.samples.map((_, i) => i));
    expect(pooled.rounds).toBe(pooled.samples.length);
    const block = pooled.baseline;
    expect(block?.captures).toBe(2);
    expect(block?.rounds_per_capture).toEqual([genA.samples.length, genB.samples.length]);
    expect(block?.capture_medians[0]).toBeCloseTo(genA.statistics.tokens_per_second?.median ?? 0, 10);
    const [m1, m2] = block?.capture_medians ?? [0, 0];
    expect(block?.between_capture_spread).toBeCloseTo(
      Math.abs((m1 ?? 0) - (m2 ?? 0)) / (((m1 ?? 0) + (m2 ?? 0)) / 2),
      10,
    );
    expect(pooled.invocation.command).toBe("perf-baseline baseline");
    expect(poolCaptures([genA], "x").baseline?.between_capture_spread).toBeNull();
    expect(() => poolCaptures([genA, otherHardware(genB)], "x")).toThrow(CapturesDisagreeError);
  });

  it("a baseline keeps each warning text of its captures once, and says when their outputs differ", () => {
    const same = poolCaptures([genA, clone(genA)], "x");
    expect(same.warnings).toEqual(genA.warnings);
    const b = clone(genA);
    b.output.digest = "0".repeat(64);
    const differ = poolCaptures([genA, b], "x");
    expect(differ.warnings).toEqual([
      ...genA.warnings,
      {
        code: "captures_differ_in_output",
        text: "captures computed different outputs: the engine is not deterministic here",
      },
    ]);
  });

  it("the seed's redirect form (a plain result) is a valid baseline too", async () => {
    expect(genA.baseline).toBeUndefined();
    const { report } = await gate(genA, genB);
    expect(report.baseline_block).toEqual({ captures: 1, between_capture_spread: null });
  });

  it("a baseline's between-capture noise above T/3 calls for a second capture", async () => {
    const quiet = squeezed(genA, 0.1);
    const pooled = poolCaptures([quiet, scaled(quiet, 0.9)], "x");
    const again = vi.fn(async () => scaled(quiet, 0.7));
    const { report } = await gate(pooled, scaled(quiet, 0.7), { captureAgain: again });
    expect(again).toHaveBeenCalledTimes(1);
    expect(report.second_capture.why.join(" ")).toMatch(/baseline captures differ by 10\.\d %/);
    expect(report.verdict).toBe("REGRESSION");
  });

  it("writing never loses a corrupted baseline and never writes an invalid one", () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-baseline-"));
    const path = join(dir, "baseline-generation.json");
    writeFileSync(path, "{ not json");
    const [w] = writeBaselines([{ path, result: poolCaptures([genA, genB], "x") }]);
    expect(w?.kept_corrupted_as).toMatch(/baseline-generation\.json\.corrupt-/);
    expect(readFileSync(w?.kept_corrupted_as ?? "", "utf8")).toBe("{ not json");
    expect(readResult(path).baseline?.captures).toBe(2);

    const invalid = clone(genA);
    (invalid as { rounds: number }).rounds = -1;
    const other = join(dir, "baseline-embedding.json");
    expect(() =>
      writeBaselines([
        { path: other, result: embA },
        { path: path, result: invalid },
      ]),
    ).toThrow(ResultFileError);
    expect(existsSync(other)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("the release report", () => {
  it("follows the seed's Performance report template and carries the evidence", async () => {
    const g = await gate(genA, genB, { captureAgain: async () => genA });
    const e = await gate(embA, embB, { captureAgain: async () => embA });
    const md = renderReleaseReport({
      date: "2026-01-01T00:00:00.000Z",
      gates: [
        {
          report: g.report,
          baseline: genA,
          captures: g.captures,
          capture_files: ["captures/generation-1.json"],
        },
        {
          report: e.report,
          baseline: embA,
          captures: e.captures,
          capture_files: ["captures/embedding-1.json"],
        },
      ],
      config,
      command: "perf-baseline check-release",
      overall: { verdict: "PASS", exit_code: 0 },
      evidence_dir: "evidence/x",
    });
    expect(md).toMatch(/^- Date\/hardware: 2026-01-01T00:00:00\.000Z; .*logical cores/m);
    expect(md).toMatch(/^- Baseline files: generation \+ embedding snapshots/m);
    expect(md).toMatch(/^- Generation regression gate: `12%` throughput drop\. \*\*(PASS|INCONCLUSIVE)\*\*/m);
    expect(md).toMatch(/^- Embedding regression gate: `15%` throughput drop\. \*\*/m);
    expect(md).toMatch(
      /^- Manual trigger condition: rerun baseline for changes in core or tokenizer\/tokenization path\./m,
    );
    expect(md).toContain("| baseline |");
    expect(md).toContain("perf-baseline check-release");
    expect(md).toContain(genA.invocation.command);
  });
});

describe("between-capture drift and a busier machine", () => {
  it("Student's t upper tail matches tabulated critical values", () => {
    expect(studentTUpperTail(6.314, 1)).toBeCloseTo(0.05, 4);
    expect(studentTUpperTail(2.92, 2)).toBeCloseTo(0.05, 4);
    expect(studentTUpperTail(2.764, 10)).toBeCloseTo(0.01, 4);
    expect(studentTUpperTail(0, 3)).toBe(0.5);
    expect(studentTUpperTail(-2.92, 2)).toBeCloseTo(0.95, 4);
  });

  it("the capture-level test: needs three medians, takes the floor as known drift, else its estimate", () => {
    expect(driftTest([100], [80])).toBeNull();
    const tight = driftTest([100, 101], [80, 81], Math.log1p(0.04));
    expect(tight?.df).toBeNull(); // spread below the floor: the floor is the known drift
    expect(tight?.p_value).toBeLessThan(0.001);
    const drifting = driftTest([100, 130], [80, 105], Math.log1p(0.04));
    expect(drifting?.df).toBe(2);
    expect(drifting?.p_value).toBeGreaterThan(0.05);
  });

  it("a drop within the drift between the baseline's captures is not a REGRESSION", async () => {
    const quiet = squeezed(genA, 0.05);
    // the baseline's own captures differ by 30 %: a 25 % drop is within that drift
    const baseline = poolCaptures([quiet, scaled(quiet, 1.3)], "x");
    const slow = scaled(quiet, 0.85);
    const { report } = await gate(baseline, slow, { captureAgain: async () => slow });
    expect(report.verdict).toBe("INCONCLUSIVE");
    expect(report.drift?.df).toBe(2);
    expect(report.reasons[0]).toMatch(/within the drift between captures/);
  });

  it("a busier machine is not a slower runtime: a contended capture never makes a REGRESSION", async () => {
    const quiet = squeezed(genA, 0.1);
    const baseline = {
      ...quiet,
      machine_load: { other_cores: 0.02, process_cores: 1.0, loadavg_1m: 0.1, wall_s: 3 },
    };
    const busy = {
      ...scaled(quiet, 0.7),
      machine_load: { other_cores: 1.4, process_cores: 0.6, loadavg_1m: 4, wall_s: 4 },
    };
    const again = vi.fn(async () => busy);
    const { report } = await gate(baseline, busy, { captureAgain: again });
    expect(again).toHaveBeenCalledTimes(1);
    expect(report.verdict).toBe("INCONCLUSIVE");
    expect(report.reasons[0]).toMatch(/busier than during the baseline/);
    expect(report.fixes.join("\n")).toMatch(
      /other processes used 1\.40 CPU cores .*run the gate on a quiet machine/,
    );
    expect(report.machine_load).toEqual({ baseline_other_cores: 0.02, candidate_other_cores: [1.4, 1.4] });
    // the same drop on a machine as quiet as the baseline's is a REGRESSION
    const notBusy = {
      ...busy,
      machine_load: { other_cores: 0.03, process_cores: 1.0, loadavg_1m: 0.2, wall_s: 4 },
    };
    expect((await gate(baseline, notBusy, { captureAgain: async () => notBusy })).report.verdict).toBe(
      "REGRESSION",
    );
  });
});
