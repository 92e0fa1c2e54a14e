/**
 * The `--parallel` flag (issue 22 item 1) without an engine: its range, the engines and modes that refuse it
 * (one line each), its place in the workload block, test name and digest of a run (on the fake engine, which
 * ignores the shape: only the recording is checked here; test/integration/llama-cpp-parallel.test.ts runs it),
 * the gate's capture of a parallel baseline and the `bench` arguments; and itl_p99_ms as a gateable metric.
 */
import { describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import type { RunShape } from "../../src/engines/definition.js";
import { type LocalOptions, localBenchArgv, localCapturePlan } from "../../src/engines/local/options.js";
import { getEngine } from "../../src/engines/registry.js";
import { runLocalBenchmark } from "../../src/execute/engine-process/local-run.js";
import { metricSpec, metricsOfMode } from "../../src/gate/metrics.js";
import { UsageError } from "../../src/util/errors.js";
import { fakeFactory, fakeModel } from "../support/fake-engine.js";

const gen: RunShape = { mode: "generation", rounds: 2, warmup: 0, maxNewTokens: 8 };
const llamaCpp = getEngine("llama-cpp");

describe("--parallel", () => {
  it("reads 1 to 64; 1 is the default and recorded as absent", () => {
    expect((llamaCpp.optionsFromFlags({ parallel: "4" }, gen) as LocalOptions).parallel).toBe(4);
    expect((llamaCpp.optionsFromFlags({ parallel: "1" }, gen) as LocalOptions).parallel).toBeUndefined();
    expect(() => llamaCpp.optionsFromFlags({ parallel: "65" }, gen)).toThrow(UsageError);
    expect(() => llamaCpp.optionsFromFlags({ parallel: "0" }, gen)).toThrow(UsageError);
  });

  it("refused in one line by node-llama-cpp, openai and embedding", () => {
    expect(() => getEngine("node-llama-cpp").optionsFromFlags({ parallel: "2" }, gen)).toThrow(
      "--parallel is not supported by --engine node-llama-cpp (use --engine llama-cpp)",
    );
    // the CLI refuses a flag of another engine's table in one line (docs/cli.md): openai has no --parallel
    expect("parallel" in getEngine("openai").flags).toBe(false);
    expect(() =>
      llamaCpp.optionsFromFlags({ parallel: "2" }, { ...gen, mode: "embedding", maxNewTokens: 0 }),
    ).toThrow("--parallel applies to --mode generation");
  });

  it("is recorded in the workload block, the test name and the digest; the gate's capture keeps it", async () => {
    const options = llamaCpp.optionsFromFlags({ parallel: "3" }, gen) as LocalOptions;
    const request = {
      engine: "fake-for-tests",
      model: fakeModel({ context_length: 2048 }),
      options,
      shape: gen,
      invocation: { command: "test", argv: [], cwd: "/" },
    };
    const r = await runLocalBenchmark(fakeFactory({}), request);
    if (!r) throw new Error("expected a result");
    expect(r.workload.parallel).toBe(3);
    expect(r.test).toMatch(/^pp\d+\+tg8 B3$/);
    const plain = await runLocalBenchmark(fakeFactory({}), {
      ...request,
      options: { ...options, parallel: undefined },
    });
    expect(plain?.workload.digest).not.toBe(r.workload.digest);
    expect(localCapturePlan(r, {}).options.parallel).toBe(3);
    expect(localBenchArgv(options, gen).join(" ")).toContain("--parallel 3");
  });

  it("itl_p99_ms is gateable on generation, lower is better", () => {
    const spec = metricSpec(defaultGateConfig(), "generation", "itl_p99_ms");
    expect(spec.direction).toBe("lower");
    expect(metricsOfMode("generation", ["itl_p99_ms"])).toEqual(["itl_p99_ms"]);
    expect(() => metricsOfMode("embedding", ["itl_p99_ms"])).toThrow(UsageError);
  });
});
