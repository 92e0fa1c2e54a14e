/**
 * The gate on the real engine and the tiny default model, few rounds and tokens: same-machine PASS, a 25 %
 * slowdown is a REGRESSION (decided on a real capture slowed exactly; the test-only slowdown wrapper's run is
 * checked for what holds under any load), a noisy capture triggers the second capture,
 * another hardware fingerprint is INCOMPARABLE, a corrupted baseline is a one-line error with exit 5, compare
 * never loads the native addon, and check-release writes the evidence folder.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { poolCaptures } from "../../src/baseline/pool.js";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { localOptionsFromFlags } from "../../src/engines/local/options.js";
import { DEFAULT_ENGINE } from "../../src/engines/registry.js";
import type { EngineDevice } from "../../src/execute/device.js";
import { completedResult } from "../../src/execute/outcome.js";
import { runBenchmark } from "../../src/execute/run-benchmark.js";
import { runGate } from "../../src/gate/verdict.js";
import { readResult, serializeResult } from "../../src/results/io.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { EXIT } from "../../src/util/errors.js";
import { type CliRun, ROOT, runCli } from "../support/cli.js";
import { slowdownDevice } from "../support/engine-devices.js";
import { mapMetric, scaled, squeezed } from "../support/gate-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "pb-gate-"));
const config = defaultGateConfig();
const ROUNDS = 8;
const TOKENS = 16;

async function capture(device?: EngineDevice, mode: "generation" | "embedding" = "generation") {
  const options = localOptionsFromFlags({ preset: "tiny", seed: "42" });
  const shape = { mode, rounds: ROUNDS, warmup: 1, maxNewTokens: TOKENS };
  const invocation = { command: "test", argv: [], cwd: ROOT };
  const testing = device ? { device } : {};
  return completedResult(await runBenchmark(DEFAULT_ENGINE, options, { ...shape, invocation }, testing));
}

/** One line on stderr naming the problem, nothing on stdout, the exit code, no stack trace. */
function expectOneLineError(run: CliRun, code: number, pattern: RegExp) {
  expect(run.stdout).toBe("");
  const lines = run.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^perf-baseline: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.status).toBe(code);
}

let baseline: BenchmarkResult;
let firstCapture: BenchmarkResult;
let baselinePath: string;

beforeAll(async () => {
  // a baseline as `perf-baseline baseline` makes it: two captures, pooled
  firstCapture = await capture();
  baseline = poolCaptures([firstCapture, await capture()], "test baseline");
  baselinePath = join(dir, "baseline-generation.json");
  writeFileSync(baselinePath, serializeResult(baseline));
});

describe("the gate on the real engine", () => {
  it("same machine, same code: comparable, the same output; identical rounds PASS", async () => {
    // Two real captures of separate engine loads: comparable, the same tokens, at most one capture again.
    // Their verdict is not asserted: on this kind of VM the same code's captures drift by up to 2x within
    // minutes at a full core (notes/gate-accuracy.md, 1 Dec 2026), so a stored-baseline A/A verdict on real
    // captures depends on the machine; the A/A rule is decided here on controlled input (the same rounds).
    let again = 0;
    const { report } = await runGate({
      baseline,
      candidate: await capture(),
      config,
      baselineSource: baselinePath,
      candidateSource: "run",
      captureAgain: () => {
        again++;
        return capture();
      },
    });
    expect(report.comparability.comparable).toBe(true);
    expect(report.output.changed).toBe(false);
    expect(again).toBeLessThanOrEqual(1);
    expect(["PASS", "INCONCLUSIVE", "REGRESSION"]).toContain(report.verdict);
    const quiet = squeezed(firstCapture, 0.1);
    const same = await runGate({
      baseline: quiet,
      candidate: quiet,
      config,
      baselineSource: baselinePath,
      candidateSource: "the same rounds",
      captureAgain: async () => quiet,
    });
    expect(same.report.verdict, JSON.stringify(same.report.analyses)).toBe("PASS");
  });

  it("a 25 % slowdown: REGRESSION, decided on a real capture slowed by exactly 25 % (not on the machine's load)", async () => {
    // Controlled input: a real capture of this machine, its spread squeezed to a tenth, against the same rounds
    // at 0.75 of their throughput. On a busy machine two real captures differ by the load as much as by the
    // slowdown, so a verdict on them depends on the machine (it once came out PASS in a full `make test`); the
    // contention rules themselves are tested on synthesised loads in test/unit/gate-contention.test.ts.
    const quiet = squeezed(firstCapture, 0.1);
    const slowed = scaled(quiet, 0.75);
    const { report } = await runGate({
      baseline: quiet,
      candidate: slowed,
      config,
      baselineSource: baselinePath,
      candidateSource: "slowed run",
      captureAgain: async () => slowed,
    });
    expect(report.verdict, JSON.stringify(report.analyses)).toBe("REGRESSION");
    expect(report.exit_code).toBe(EXIT.regression);
    expect(report.analyses[report.analyses.length - 1]?.ratio).toBeCloseTo(0.75, 6);
  });

  it("the real slowed engine: the same tokens, comparable, marked as slowed; a gate on it never compares as INCOMPARABLE", async () => {
    // properties that hold however busy the machine is (its verdict does not: see the test above)
    const slowed = await capture(slowdownDevice(0.25));
    expect(slowed.output.digest).toBe(baseline.output.digest);
    expect(slowed.engine.details.test_slowdown).toBeDefined();
    const { report } = await runGate({
      baseline,
      candidate: slowed,
      config,
      baselineSource: baselinePath,
      candidateSource: "slowed run",
    });
    expect(report.comparability.comparable).toBe(true);
    expect(report.verdict).not.toBe("INCOMPARABLE");
    expect(report.machine_load.baseline_other_cores).not.toBeUndefined();
    expect(report.machine_load.candidate_other_cores).toHaveLength(1);
  });

  it("a noisy capture triggers the second capture", async () => {
    // decided on inputs made from a real capture, so that how busy the machine is cannot change the path: a
    // quiet baseline (the capture's spread squeezed to a tenth, pooled twice) and candidates whose every other
    // round is 40 % slower, a robust CV far above T/3 = 4 %
    const quiet = squeezed(firstCapture, 0.1);
    const quietBaseline = poolCaptures([quiet, structuredClone(quiet)], "quiet test baseline");
    const jittered = () => mapMetric(quiet, (x, i) => (i % 2 === 1 ? x * 0.6 : x));
    let again = 0;
    const { report, captures } = await runGate({
      baseline: quietBaseline,
      candidate: jittered(),
      config,
      baselineSource: baselinePath,
      candidateSource: "jittered run",
      captureAgain: async () => {
        again++;
        return jittered();
      },
    });
    expect(report.analyses[0]?.candidate.robust_cv).toBeGreaterThan(0.04);
    expect(again).toBe(1);
    expect(captures).toHaveLength(2);
    expect(report.second_capture).toMatchObject({ needed: true, taken: true });
    expect(report.second_capture.why.join(" ")).toMatch(/candidate robust CV/);
    expect(report.analyses.map((a) => a.label)).toEqual(["capture 1", "capture 2", "pooled"]);
  });
});

describe("the gate command", () => {
  it("another hardware fingerprint: INCOMPARABLE (exit 4), naming what differs", () => {
    const other = structuredClone(baseline);
    other.environment.hardware.cpu_model = "Some Other CPU";
    other.environment.hardware_fingerprint = "0".repeat(64);
    const path = join(dir, "other-hardware.json");
    writeFileSync(path, serializeResult(other));
    const run = runCli(["gate", "--baseline", path, "--rounds", "5", "--warmup", "0"]);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.status).toBe(EXIT.incomparable);
    expect(run.stdout).toMatch(/^INCOMPARABLE: /m);
    expect(run.stdout).toMatch(/environment\.hardware\.cpu_model: Some Other CPU -> /);
  });

  it("a corrupted baseline: one line naming the file, exit 5, nothing run", () => {
    const path = join(dir, "corrupt.json");
    writeFileSync(path, '{"schema_version": 1, "mode": "generation", "rounds": ');
    expectOneLineError(
      runCli(["gate", "--baseline", path]),
      EXIT.badResultFile,
      /corrupt\.json: not valid JSON/,
    );
    const wrongMode = join(dir, "wrong-mode.json");
    writeFileSync(wrongMode, serializeResult({ ...baseline }));
    expectOneLineError(
      runCli(["gate", "--mode", "embedding", "--baseline", wrongMode]),
      EXIT.badResultFile,
      /wrong-mode\.json: field mode: "generation", but a embedding baseline is needed/,
    );
    const badField = join(dir, "bad-field.json");
    writeFileSync(badField, JSON.stringify({ ...baseline, elapsed_s: "fast" }));
    expectOneLineError(
      runCli(["gate", "--candidate", baselinePath, "--baseline", badField]),
      EXIT.badResultFile,
      /bad-field\.json: field elapsed_s/,
    );
  });

  it("compare gates two files without ever loading a native engine (node-llama-cpp, koffi)", () => {
    const env = { NODE_OPTIONS: `--import=${join(ROOT, "test", "support", "forbid-llama.mjs")}` };
    // the guard works: a command that loads the engine is stopped by it
    const guarded = runCli(["bench", "--rounds", "1", "--warmup", "0", "--max-new-tokens", "2"], { env });
    expect(guarded.status).not.toBe(0);
    expect(guarded.stderr).toMatch(/FORBIDDEN_IMPORT (koffi|node-llama-cpp)/);
    const candidate = join(dir, "candidate.json");
    writeFileSync(candidate, serializeResult(baseline));
    const run = runCli(["compare", baselinePath, candidate], { env });
    // only the timing line: no native log, no warning
    expect(run.stderr).toMatch(/^perf-baseline: loaded \d+ \+ \d+ rounds in \S+ s; analysis took \S+ s\n$/);
    // identical samples: PASS, or INCONCLUSIVE when they are too noisy to exclude a drop of T from files alone
    expect(run.stdout).toMatch(/^(PASS|INCONCLUSIVE): capture 1: ratio 1\.000/m);
    // the verdict itself depends on the shared machine's drift; this test is about the evidence
    expect([EXIT.ok, EXIT.regression, EXIT.inconclusive]).toContain(run.status);
  });
});

describe("baseline and check-release commands", () => {
  it("baseline keeps a corrupted previous baseline aside and writes a valid one", () => {
    const out = join(dir, "docs");
    const run0 = runCli([
      "baseline",
      "--dir",
      out,
      "--mode",
      "embedding",
      "--captures",
      "1",
      "--rounds",
      "2",
      // the timed baseline only: where valgrind is installed a counted capture would follow (minutes)
      "--counter",
      "time",
    ]);
    expect(run0.status, run0.stderr).toBe(0);
    const path = join(out, "baseline-embedding.json");
    writeFileSync(path, "garbage");
    const run = runCli([
      "baseline",
      "--dir",
      out,
      "--mode",
      "embedding",
      "--captures",
      "2",
      "--rounds",
      "3",
      "--counter",
      "time",
    ]);
    expect(run.status, run.stderr).toBe(0);
    const kept = readdirSync(out).filter((f) => f.startsWith("baseline-embedding.json.corrupt-"));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(out, kept[0] as string), "utf8")).toBe("garbage");
    const b = readResult(path);
    expect(b.baseline?.captures).toBe(2);
    expect(b.baseline?.rounds_per_capture).toEqual([3, 3]);
    expect(b.samples).toHaveLength(6);
    expect(run.stdout).toMatch(/was kept as .*corrupt-/);
  });

  it("check-release writes the evidence folder and appends report.md to the job summary", () => {
    const evidence = join(dir, "evidence");
    const summary = join(dir, "summary.md");
    writeFileSync(summary, "# earlier step\n");
    const cfg = join(dir, "config.json");
    writeFileSync(cfg, JSON.stringify({ baselines: { generation: baselinePath, embedding: baselinePath } }));
    const run = runCli(
      ["check-release", "--config", cfg, "--mode", "generation", "--evidence-dir", evidence, "--rounds", "5"],
      { env: { GITHUB_STEP_SUMMARY: summary } },
    );
    expect(run.stderr).not.toMatch(/internal error/);
    // the verdict itself depends on the shared machine's drift; this test is about the evidence
    expect([EXIT.ok, EXIT.regression, EXIT.inconclusive]).toContain(run.status);
    for (const f of ["report.md", "verdicts.json", "commands.txt", "captures/generation-1.json"]) {
      expect(existsSync(join(evidence, f)), f).toBe(true);
    }
    readResult(join(evidence, "captures", "generation-1.json"));
    const verdicts = JSON.parse(readFileSync(join(evidence, "verdicts.json"), "utf8"));
    expect(verdicts.gates[0].mode).toBe("generation");
    expect(verdicts.overall.exit_code).toBe(run.status);
    const md = readFileSync(join(evidence, "report.md"), "utf8");
    expect(md).toMatch(/^- Generation regression gate: `12%` throughput drop\./m);
    expect(md).toMatch(/^- Manual trigger condition: /m);
    expect(readFileSync(summary, "utf8")).toBe(`# earlier step\n${md}`);
    expect(readFileSync(join(evidence, "commands.txt"), "utf8")).toMatch(
      /perf-baseline bench --engine llama-cpp --mode generation --rounds 5 --warmup 1 --max-new-tokens 16/,
    );
    // the last line is the verdict and its exit code (make cannot pass the code through)
    expect(run.stdout.trim().split("\n").at(-1)).toBe(`${verdicts.overall.verdict}: exit code ${run.status}`);
    // the folder now holds this run: a second check-release into it is refused before anything runs
    const again = runCli([
      "check-release",
      "--config",
      cfg,
      "--mode",
      "generation",
      "--evidence-dir",
      evidence,
    ]);
    expectOneLineError(again, EXIT.output, /evidence.*already holds \d+ entries of another run/);
    expect(readdirSync(join(evidence, "captures"))).toEqual([
      "generation-1.json",
      ...(verdicts.gates[0].candidate_sources.length > 1 ? ["generation-2.json"] : []),
    ]);
    expect(readdirSync(dir).filter((f) => f.includes(".partial-"))).toEqual([]);
  });
});
