import { existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/util/errors.js";
import { type CliRun, runCli, runSeedScript } from "../support/cli.js";
import { writeMicroModel } from "../support/micro-model.js";

const dir = mkdtempSync(join(tmpdir(), "pb-bad-"));

/** One line on stderr naming the problem, nothing on stdout, the expected exit code, no stack trace. */
function expectOneLineError(run: CliRun, code: number, pattern: RegExp) {
  expect(run.signal).toBeNull();
  expect(run.stdout).toBe("");
  const lines = run.stderr.trim().split("\n");
  const last = lines[lines.length - 1] ?? "";
  expect(last).toMatch(/^perf-baseline: /);
  expect(last).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.status).toBe(code);
}

describe("bad input gets a one-line error and a non-zero exit", () => {
  it("unknown mode", () => {
    expectOneLineError(
      runSeedScript(["--mode", "training"]),
      EXIT.usage,
      /--mode must be one of generation, embedding/,
    );
  });

  for (const [flag, value] of [
    ["--rounds", "0"],
    ["--rounds", "-5"],
    ["--rounds", "2.5"],
    ["--rounds", "many"],
    ["--max-new-tokens", "40000"],
    ["--max-new-tokens", "-1"],
    ["--max-new-tokens", "1.5"],
  ] as const) {
    it(`${flag} ${value}`, () => {
      expectOneLineError(
        runSeedScript(["--mode", "generation", flag, value]),
        EXIT.usage,
        new RegExp(`${flag} must be`),
      );
    });
  }

  it("an unknown flag", () => {
    expectOneLineError(
      runCli(["bench", "--roundz", "3"]),
      EXIT.usage,
      /unknown flag --roundz \(did you mean --rounds\?\)/,
    );
  });

  it("an unknown command", () => {
    expectOneLineError(runCli(["benchmark"]), EXIT.usage, /unknown command "benchmark"/);
  });

  it("a missing model file", () => {
    expectOneLineError(
      runCli(["bench", "--model", join(dir, "absent.gguf")]),
      EXIT.badModel,
      /absent\.gguf: file not found/,
    );
  });

  it("a file that is not GGUF", () => {
    const path = join(dir, "notes.gguf");
    writeFileSync(path, "hello, I am a text file\n".repeat(10));
    expectOneLineError(runCli(["bench", "--model", path]), EXIT.badModel, /not a GGUF file/);
  });

  it("a truncated GGUF", () => {
    const path = join(dir, "truncated.gguf");
    writeMicroModel(path);
    truncateSync(path, Math.floor(readFileSync(path).length / 2));
    expectOneLineError(runCli(["bench", "--model", path]), EXIT.badModel, /truncated/);
  });

  // Without validation these two abort the whole process inside llama.cpp (GGML_ASSERT, exit 134).
  for (const key of ["llama.feed_forward_length", "llama.attention.head_count", "llama.block_count"]) {
    it(`a GGUF missing ${key}`, () => {
      const path = join(dir, `missing-${key}.gguf`);
      writeMicroModel(path, { omitKeys: [key] });
      expectOneLineError(runCli(["bench", "--model", path, "--rounds", "1"]), EXIT.badModel, new RegExp(key));
    });
  }

  it("an output path that cannot be written, leaving nothing behind", () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    const before = readdirSync(dir).length;
    expectOneLineError(
      runCli(["bench", "--rounds", "1", "--output", join(file, "result.json")]),
      EXIT.output,
      /cannot write .*result\.json/,
    );
    expect(readdirSync(dir).length).toBe(before);
  });

  it("an output path that is a folder", () => {
    expectOneLineError(runCli(["bench", "--rounds", "1", "--output", dir]), EXIT.output, /cannot write/);
  });
});

describe("a valid micro GGUF runs through the real engine", () => {
  it("loads, generates exactly the requested tokens, and writes --output atomically", () => {
    const model = join(dir, "micro-ok.gguf");
    writeMicroModel(model);
    const out = join(dir, "micro-result.json");
    const run = runCli([
      "bench",
      "--model",
      model,
      "--rounds",
      "2",
      "--warmup",
      "0",
      "--max-new-tokens",
      "12",
      "-o",
      out,
    ]);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.status).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(JSON.parse(run.stdout));
    const r = JSON.parse(run.stdout);
    expect(r.samples.map((s: { output_tokens: number }) => s.output_tokens)).toEqual([12, 12]);
    expect(r.model.preset).toBe("micro");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
