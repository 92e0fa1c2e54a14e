/**
 * Real instruction captures (bench --counter instructions), only where valgrind is installed (CI installs
 * it in .ci/run): tiny model, one round, no warmup, each mode. About 15-25 s each on a quiet 2-core machine
 * (the engine process starts uninstrumented, on the pinned CPU variant); minutes on a saturated one, hence
 * the long bound. A test device (test/support/engine-devices.ts) reaches the compiled engine process of a
 * counted run.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localOptionsFromFlags } from "../../src/engines/local/options.js";
import { DEFAULT_ENGINE } from "../../src/engines/registry.js";
import { completedResult } from "../../src/execute/outcome.js";
import { runBenchmark } from "../../src/execute/run-benchmark.js";
import { COUNTED_CPU_VARIANT_X64 } from "../../src/instructions/valgrind.js";
import { parseResult } from "../../src/results/io.js";
import { ROOT, runCli } from "../support/cli.js";
import { extraWorkDevice } from "../support/engine-devices.js";
import { sayWhySkipped } from "../support/skips.js";

// PERF_BASELINE_SKIP_VALGRIND_TEST=1 skips the real capture (minutes on a saturated shared machine)
const hasValgrind =
  spawnSync("valgrind", ["--version"]).status === 0 && !process.env.PERF_BASELINE_SKIP_VALGRIND_TEST;

sayWhySkipped(
  !hasValgrind,
  "instruction counts under valgrind",
  "no valgrind on PATH (apt-get install valgrind), or PERF_BASELINE_SKIP_VALGRIND_TEST is set",
);

describe.skipIf(!hasValgrind)("instruction counts under valgrind", () => {
  it("a counted generation run records per-round counts, the counted functions and the CPU variant; the gate passes it against itself", () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-instr-"));
    const run = runCli(
      [
        "bench",
        "--mode",
        "generation",
        "--rounds",
        "1",
        "--warmup",
        "0",
        "--max-new-tokens",
        "2",
        "--counter",
        "instructions",
        "--preset",
        "tiny",
      ],
      { timeoutMs: 1_500_000 },
    );
    expect(run.stderr).not.toMatch(/Error:|at .*\.ts:\d+/);
    expect(run.status).toBe(0);
    const r = parseResult(JSON.parse(run.stdout), "stdout");
    const b = r.instructions;
    expect(b?.per_round.length).toBe(1);
    expect(b?.per_round[0]).toBeGreaterThan(1_000_000);
    expect(b?.per_unit).toBeCloseTo((b?.per_round[0] ?? 0) / 2, 6);
    expect(b?.counted_functions).toContain("llama_decode");
    expect(b?.threads).toBe(1);
    if (process.arch === "x64") expect(b?.cpu_backend_variant).toBe(COUNTED_CPU_VARIANT_X64);
    expect(b?.wall_time_comparable).toBe(false);
    expect(r.warnings).toContainEqual(
      expect.objectContaining({
        code: "counted_under_valgrind",
        text: expect.stringMatching(/not comparable/),
      }),
    );
    const file = join(dir, "counted.json");
    writeFileSync(file, run.stdout);
    const gate = runCli(["gate", "--baseline", file, "--candidate", file]);
    expect(gate.stdout).toMatch(/generation instructions: PASS/);
    expect(gate.status).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(run.stdout);
  }, 1_600_000);

  it("a counted embedding run counts every call of its round, per call", () => {
    const run = runCli(
      ["bench", "--mode", "embedding", "--rounds", "1", "--warmup", "0", "--counter", "instructions"],
      { timeoutMs: 1_500_000 },
    );
    expect(run.stderr).not.toMatch(/Error:|at .*\.ts:\d+/);
    expect(run.status).toBe(0);
    const r = parseResult(JSON.parse(run.stdout), "stdout");
    const b = r.instructions;
    const calls = r.mode === "embedding" ? (r.samples[0]?.calls ?? 0) : 0;
    expect(calls).toBeGreaterThan(0);
    expect(b?.unit).toBe("embedding_call");
    expect(b?.units_per_round).toEqual([calls]);
    expect(b?.per_unit).toBeCloseTo((b?.per_round[0] ?? 0) / calls, 6);
    expect(b?.per_unit).toBeGreaterThan(1_000_000);
    if (process.arch === "x64") expect(b?.cpu_backend_variant).toBe(COUNTED_CPU_VARIANT_X64);
  }, 1_600_000);
});

describe.skipIf(!hasValgrind)(
  `a test device in a counted run${hasValgrind ? "" : " (skipped: no valgrind on PATH, or PERF_BASELINE_SKIP_VALGRIND_TEST set)"}`,
  () => {
    it("wraps the engine in the compiled engine process under callgrind (extra work, counted)", async () => {
      const options = localOptionsFromFlags({ preset: "tiny", seed: "42", counter: "instructions" });
      const invocation = { command: "test", argv: [], cwd: ROOT };
      const spec = { mode: "generation" as const, rounds: 1, warmup: 0, maxNewTokens: 2, invocation };
      const outcome = await runBenchmark(DEFAULT_ENGINE, options, spec, { device: extraWorkDevice(0.5) });
      const r = completedResult(outcome);
      expect(r.engine.details.test_extra_work).toBe(0.5);
      // the device decodes ceil(0.5 x 2) = 1 extra token and reports 2: the counts are per reported token
      expect(r.instructions?.units_per_round).toEqual([2]);
      expect(r.instructions?.per_round[0]).toBeGreaterThan(1_000_000);
    }, 1_600_000);
  },
);

describe("instruction counts: bad input", () => {
  it("--counter with an unknown value is a one-line usage error", () => {
    const run = runCli(["bench", "--counter", "cycles", "--rounds", "1"]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split("\n").length).toBe(1);
    expect(run.stderr).toMatch(/--counter/);
  });

  it("without valgrind on PATH: one line naming the install command, exit 2", () => {
    const empty = mkdtempSync(join(tmpdir(), "pb-nopath-"));
    const run = runCli(["bench", "--counter", "instructions", "--rounds", "1"], { env: { PATH: empty } });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split("\n").length).toBe(1);
    expect(run.stderr).toMatch(/apt-get install valgrind/);
  });
});
