/**
 * Flags of a run: every numeric flag has a range checked before anything loads, thread counts above the
 * logical cores need --allow-oversubscribe, and the settings a result records are the ones the engine ran
 * with (llama.cpp pads the context to a multiple of 256).
 */
import { describe, expect, it } from "vitest";
import { parseCommandArgs } from "../../src/cli/args.js";
import { benchCommand } from "../../src/cli/commands/bench.js";
import { engineRunFromFlags, runShapeFromFlags, SHAPE_FLAGS } from "../../src/cli/run-flags.js";
import { effectiveContextSize, logicalCores } from "../../src/engines/local/settings.js";
import { effectiveSettings } from "../../src/engines/node-llama-cpp/engine.js";
import { UsageError } from "../../src/util/errors.js";
import { flagArgv } from "../../src/util/flags.js";

const shape = runShapeFromFlags({}, "generation");
const local = (values: Record<string, unknown>) => engineRunFromFlags(values, shape, []).options;

describe("numeric flags have ranges", () => {
  it("threads above the logical cores need --allow-oversubscribe", () => {
    const over = String(logicalCores() + 1);
    expect(() => local({ threads: over })).toThrow(UsageError);
    expect(() => local({ threads: over })).toThrow(
      /more than the \d+ logical cores here.*--allow-oversubscribe/,
    );
    expect(local({ threads: over, "allow-oversubscribe": true })).toMatchObject({ threads: Number(over) });
  });

  for (const [flag, value, pattern] of [
    ["threads", "999", /--threads/],
    ["threads", "9007199254740991", /--threads must be a positive integer up to 1024/],
    [
      "embedding-threads",
      "0",
      /--embedding-threads must be a whole number of threads from 1 to the \d+ logical cores here \(up to 1024 with --allow-oversubscribe\), got "0"/,
    ],
    ["batch-size", "70000", /--batch-size must be a positive integer up to 65536/],
    ["context-size", "9007199254740991", /--context-size must be a positive integer up to 1048576/],
    ["seed", "4294967296", /--seed must be a non-negative integer up to 4294967295/],
  ] as const) {
    it(`--${flag} ${value}`, () => {
      expect(() =>
        local({
          [flag]: value,
          "allow-oversubscribe": flag === "threads" && value === "999" ? undefined : true,
        }),
      ).toThrow(pattern);
    });
  }

  it("--rounds, --warmup, --max-new-tokens", () => {
    expect(() => runShapeFromFlags({ rounds: "100001" }, "generation")).toThrow(
      /--rounds must be a positive integer up to 100000/,
    );
    expect(() => runShapeFromFlags({ warmup: "10001" }, "generation")).toThrow(
      /--warmup must be a non-negative integer up to 10000/,
    );
    expect(() => runShapeFromFlags({ "max-new-tokens": "32769" }, "generation")).toThrow(
      /--max-new-tokens must be a non-negative integer up to 32768/,
    );
  });
});

describe("settings are recorded as run", () => {
  it("llama.cpp pads the context to a multiple of 256: 300 and the default both run with 512", () => {
    expect(effectiveContextSize(undefined, 64)).toBe(512);
    expect(effectiveContextSize(300, 64)).toBe(512);
    expect(effectiveContextSize(64, 100)).toBe(256);
    expect(effectiveContextSize(undefined, 1000)).toBe(1280);
  });

  it("the requested value is kept beside the effective one only where they differ", () => {
    const ran = {
      threads: 1,
      embedding_threads: null,
      batch_size: 256,
      context_size: 256,
      gpu: "off",
      gpu_layers: 0,
    };
    expect(effectiveSettings({ contextSize: 64, batchSize: 512 }, ran)).toEqual({
      ...ran,
      requested: { context_size: 64, batch_size: 512 },
    });
    expect(effectiveSettings({ contextSize: 256 }, ran)).toEqual(ran);
  });
});

describe("the bench command line a result records", () => {
  const cases: Array<[string, string[]]> = [
    ["llama-cpp generation", ["--engine", "llama-cpp", "--threads", "1", "--batch-size", "256"]],
    ["node-llama-cpp embedding", ["--engine", "node-llama-cpp", "--mode", "embedding", "--seed", "7"]],
    [
      "openai",
      [
        "--engine",
        "openai",
        "--base-url",
        "http://127.0.0.1:9/v1",
        "--concurrency",
        "4",
        "--request-rate",
        "2.5",
        "--omit-fields",
        "temperature",
        "--idle-timeout",
        "5",
      ],
    ],
  ];
  for (const [what, argv] of cases) {
    it(`${what}: parses with bench's own table and makes the same run again`, () => {
      const first = parseCommandArgs(benchCommand, argv).values;
      const mode = first.mode === "embedding" ? "embedding" : "generation";
      const shape1 = runShapeFromFlags(first, mode);
      const run1 = engineRunFromFlags(first, shape1, ["mode"]);
      const recorded = run1.engine.benchArgv(run1.options, shape1);
      const again = parseCommandArgs(benchCommand, recorded).values;
      const shape2 = runShapeFromFlags(again, mode);
      const run2 = engineRunFromFlags(again, shape2, ["mode"]);
      expect(run2.engine.name).toBe(run1.engine.name);
      expect(JSON.stringify(run2.options)).toBe(JSON.stringify(run1.options));
      expect(shape2).toEqual({
        ...shape1,
        rounds: run1.engine.name === "openai" ? shape2.rounds : shape1.rounds,
      });
    });
  }

  it("refuses to record a flag the table does not declare", () => {
    expect(() => flagArgv({ rounds: SHAPE_FLAGS.rounds }, [["threads", 1]])).toThrow(/not declared/);
  });
});
