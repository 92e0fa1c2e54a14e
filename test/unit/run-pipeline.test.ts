/**
 * measure/ and the run pipeline driven by the fake engine (no native addon): rounds, warmup, samples on a
 * virtual clock, the result's fields and warnings, interruption through the AbortSignal, and the outcome's
 * exit code.
 */

import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { LocalEngineFactory, LocalEngineFactoryOptions } from "../../src/engines/local/define.js";
import { type LocalOptions, localOptionsFromFlags } from "../../src/engines/local/options.js";
import { getEngine } from "../../src/engines/registry.js";
import { runLocalBenchmark } from "../../src/execute/engine-process/local-run.js";
import { inProcessExecutor } from "../../src/execute/in-process.js";
import { completedResult, exitCodeOf } from "../../src/execute/outcome.js";
import { parseResult } from "../../src/results/io.js";
import { EngineError, EXIT, InterruptedError } from "../../src/util/errors.js";
import { extraWorkDevice } from "../support/engine-devices.js";
import { fakeFactory, fakeModel } from "../support/fake-engine.js";

const model = fakeModel();

function request(mode: "generation" | "embedding", rounds = 4) {
  return {
    engine: "fake-for-tests",
    model,
    options: localOptionsFromFlags({}),
    shape: { mode, rounds, warmup: 2, maxNewTokens: mode === "generation" ? 8 : 0 },
    invocation: { command: "test", argv: [], cwd: "/" },
  };
}

describe("the run pipeline on the fake engine", () => {
  it("generation: warmup not counted, samples from the virtual clock, a valid result", async () => {
    const seen: number[] = [];
    const r = await runLocalBenchmark(
      fakeFactory({ beforeRound: (i) => seen.push(i) }),
      request("generation"),
    );
    if (r?.mode !== "generation") throw new Error("expected a generation result");
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.samples).toHaveLength(4);
    // 8 tokens, 1 ms each after a 2 ms prefill: 10 ms a round, 800 tokens/s
    expect(r.samples[0]?.elapsed_s).toBeCloseTo(0.01, 9);
    expect(r.tokens_per_second).toBeCloseTo(800, 6);
    expect(r.samples[0]?.ttft_ms).toBeCloseTo(3, 9);
    expect(r.complete).toBe(true);
    expect(r.output.consistent).toBe(true);
    expect(r.warnings).toContainEqual({
      code: "dummy_weights",
      text: "dummy weights: throughput is real, generated text is not meaningful",
    });
    expect(() => parseResult(r, "fake")).not.toThrow();
  });

  it("embedding: calls/s from the virtual clock", async () => {
    const r = await runLocalBenchmark(fakeFactory(), request("embedding"));
    if (r?.mode !== "embedding") throw new Error("expected an embedding result");
    // 3 ms per call
    expect(r.calls_per_second).toBeCloseTo(1000 / 3, 6);
  });

  it("an aborted signal stops after the round in flight: a partial result with its warning", async () => {
    const stop = new AbortController();
    const r = await runLocalBenchmark(
      fakeFactory({ beforeRound: (i) => (i === 3 ? stop.abort() : undefined) }),
      request("generation", 100),
      { signal: stop.signal },
    );
    expect(r?.complete).toBe(false);
    expect(r?.samples).toHaveLength(2);
    expect(r?.warnings).toContainEqual({
      code: "partial_result",
      rounds_done: 2,
      rounds_planned: 100,
      text: expect.stringMatching(/interrupted: 2 of 100 measured rounds ran/),
    });
  });

  it("stopped before a measured round: no result", async () => {
    const stop = new AbortController();
    const r = await runLocalBenchmark(
      fakeFactory({ beforeRound: (i) => (i === 0 ? stop.abort() : undefined) }),
      request("generation"),
      { signal: stop.signal },
    );
    expect(r).toBeNull();
  });

  it("the in-process executor: the run's outcome, the engine wrapped by a test device", async () => {
    const outcome = await inProcessExecutor.run(
      {
        engine: { name: "fake-for-tests", load: async () => fakeFactory() },
        options: localOptionsFromFlags({}),
        model,
        device: extraWorkDevice(0.5),
      },
      { ...request("generation", 2).shape, invocation: { command: "test", argv: [], cwd: "/" } },
    );
    const r = completedResult(outcome);
    expect(r.engine.details.test_extra_work).toBe(0.5);
    expect(r.samples).toHaveLength(2);
    // 8 tokens reported of the 12 decoded: 2 ms prefill + 12 x 1 ms per round
    expect(r.samples[0]?.elapsed_s).toBeCloseTo(0.014, 9);
  });

  it("--llama-lib is a typed option that reaches the engine's factory", async () => {
    const shape = request("generation", 1).shape;
    const options = getEngine("llama-cpp").optionsFromFlags({ "llama-lib": "some/build" }, shape);
    expect(options).toMatchObject({ llamaLib: resolve("some/build") });
    const seen: LocalEngineFactoryOptions[] = [];
    const create = fakeFactory();
    const recording: LocalEngineFactory = async (o) => {
      seen.push(o);
      return create(o);
    };
    await runLocalBenchmark(recording, {
      ...request("generation", 1),
      options: options as LocalOptions,
    });
    expect(seen[0]?.llamaLib).toBe(resolve("some/build"));
    expect(seen[0]?.counted).toBe(false);
    expect(seen[0]?.cpuVariant).toBeUndefined();
  });

  it("outcomes map to exit codes in one place", () => {
    expect(exitCodeOf({ state: "interrupted", result: null })).toBe(EXIT.interrupted);
    expect(exitCodeOf({ state: "failed", error: new EngineError("x"), result: null })).toBe(EXIT.runFailed);
    expect(() => completedResult({ state: "interrupted", result: null })).toThrow(InterruptedError);
  });
});
