/**
 * A held run (what a counted run uses to switch callgrind's instrumentation on after the model load): the
 * supervisor's `beforeRounds` gets the engine process's pid once the model is loaded and before any round;
 * the rounds start when it resolves, and a rejection fails the run with its error and ends the process.
 * Real engine process, llama-cpp engine, micro model; no valgrind needed.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LocalRunRequest } from "../../src/execute/engine-process/local-run.js";
import { runSupervised } from "../../src/execute/engine-process/supervisor.js";
import { inspectModel } from "../../src/models/model-info.js";
import { EngineError } from "../../src/util/errors.js";
import { writeMicroModel } from "../support/micro-model.js";

const dir = mkdtempSync(join(tmpdir(), "pb-hold-"));
const modelPath = join(dir, "micro.gguf");
writeMicroModel(modelPath);

function request(): LocalRunRequest {
  return {
    engine: "llama-cpp",
    model: inspectModel(modelPath),
    options: { preset: "micro", seed: 7, gpu: "off", threads: 1 },
    shape: { mode: "generation", rounds: 2, warmup: 1, maxNewTokens: 4 },
    invocation: { command: "test", argv: [], cwd: dir },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("a held engine process", () => {
  it("calls beforeRounds with the process's pid after the model load and before any round", async () => {
    const events: string[] = [];
    let heldPid = 0;
    const outcome = await runSupervised(
      request(),
      { onRound: (done, _total, warmup) => events.push(`${warmup ? "warmup" : "round"} ${done}`) },
      {
        beforeRounds: async (pid) => {
          heldPid = pid;
          events.push("before rounds");
          // the process waits: no round may start while this is pending
          await new Promise((r) => setTimeout(r, 300));
          events.push("released");
        },
      },
    );
    expect(outcome.state).toBe("completed");
    expect(heldPid).toBeGreaterThan(0);
    expect(events.slice(0, 2)).toEqual(["before rounds", "released"]);
    expect(events.filter((e) => e.startsWith("round")).length).toBe(2);
    if (outcome.state === "completed") expect(outcome.result.samples.length).toBe(2);
  }, 120_000);

  it("a rejected beforeRounds fails the run with its error, runs no round and ends the process", async () => {
    let rounds = 0;
    let heldPid = 0;
    const outcome = await runSupervised(
      request(),
      { onRound: () => rounds++ },
      {
        beforeRounds: async (pid) => {
          heldPid = pid;
          throw new EngineError("callgrind_control could not switch instrumentation on (test)");
        },
      },
    );
    expect(outcome.state).toBe("failed");
    if (outcome.state === "failed") {
      expect(outcome.error).toBeInstanceOf(EngineError);
      expect(outcome.error.message).toBe("callgrind_control could not switch instrumentation on (test)");
    }
    expect(rounds).toBe(0);
    expect(alive(heldPid)).toBe(false);
  }, 120_000);
});
