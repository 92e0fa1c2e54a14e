/**
 * Matrix runs of `bench` (issue 22 item 2), on controlled inputs: the combinations and their order, the
 * interleaved schedule (the order rotating between repetitions, the rounds split between blocks), the flags
 * read as lists with each value's own error, the join of a combination's blocks, JSON Lines and the table.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type BenchReading, planMatrix } from "../../src/cli/matrix-flags.js";
import { logicalCores } from "../../src/engines/local/settings.js";
import {
  blockRounds,
  defaultRepetitions,
  MAX_COMBINATIONS,
  matrixCombinations,
  matrixSchedule,
} from "../../src/execute/matrix.js";
import { joinBlocks } from "../../src/execute/matrix-join.js";
import { matrixSummaryLines } from "../../src/report/run-summary.js";
import { parseResult } from "../../src/results/io.js";
import { serializeResultLines, writeResultLines } from "../../src/results/json-lines.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { UsageError } from "../../src/util/errors.js";
import { clone, fixture } from "../support/gate-fixtures.js";

const gen: BenchReading = { mode: "generation", counted: false, commandFlags: ["mode", "repetitions"] };
const plan = (values: Record<string, unknown>, how = gen) => planMatrix(values, how);
const invocation = { command: "perf-baseline bench --threads 1,2", argv: ["--threads", "1,2"], cwd: "/" };

describe("the combinations and the schedule", () => {
  it("every combination, the first flag varying slowest, values in the order given", () => {
    const c = matrixCombinations([
      { flag: "threads", values: ["2", "1"] },
      { flag: "prompt-tokens", values: ["128", "512"] },
    ]);
    expect(c.map((x) => x.values.map(([f, v]) => `${f}=${v}`).join(" "))).toEqual([
      "threads=2 prompt-tokens=128",
      "threads=2 prompt-tokens=512",
      "threads=1 prompt-tokens=128",
      "threads=1 prompt-tokens=512",
    ]);
    expect(c.map((x) => x.index)).toEqual([0, 1, 2, 3]);
  });

  it(`at most ${MAX_COMBINATIONS} combinations, refused in one line`, () => {
    const nine = Array.from({ length: 9 }, (_, i) => String(i + 1));
    const axes = [
      { flag: "prompt-tokens", values: nine.slice(0, 8) },
      { flag: "depth", values: nine },
    ];
    expect(() => matrixCombinations(axes)).toThrow(UsageError);
    expect(() => matrixCombinations(axes)).toThrow(/make 72 combinations: a matrix run takes at most 64$/);
    expect(matrixCombinations([{ flag: "depth", values: nine.slice(0, 8) }, axes[0] as never])).toHaveLength(
      64,
    );
  });

  it("rounds split between blocks: the first blocks one round longer; every block at least one", () => {
    expect(blockRounds(30, 3)).toEqual([10, 10, 10]);
    expect(blockRounds(10, 3)).toEqual([4, 3, 3]);
    expect(blockRounds(2, 2)).toEqual([1, 1]);
    expect(() => blockRounds(2, 3)).toThrow(RangeError);
    expect(defaultRepetitions(30)).toBe(3);
    expect(defaultRepetitions(2)).toBe(2);
  });

  it("two combinations alternate as ab's sides do (AB, BA, AB); three rotate", () => {
    const order = (n: number, k: number) =>
      matrixSchedule(n, k, k)
        .map((b) => "ABC"[b.combination])
        .join("");
    expect(order(2, 3)).toBe("ABBAAB");
    expect(order(3, 3)).toBe("ABCBCACAB");
    const s = matrixSchedule(2, 3, 10);
    expect(s.map((b) => [b.repetition, b.rounds])).toEqual([
      [0, 4],
      [0, 4],
      [1, 3],
      [1, 3],
      [2, 3],
      [2, 3],
    ]);
  });
});

describe("flags given as lists", () => {
  it("no list: one run as before (null); --repetitions needs a list", () => {
    expect(plan({ threads: "1" })).toBeNull();
    expect(() => plan({ repetitions: "2" })).toThrow(/--repetitions applies to a matrix run/);
  });

  it("a 2x2 matrix: each combination's options and shape, in declared order; repetitions default 3", () => {
    const p = plan({ "prompt-tokens": "8,16", "max-new-tokens": "4,0", rounds: "6" });
    expect(p?.repetitions).toBe(3);
    expect(
      p?.entries.map((e) => [e.engine.name, (e.options as { promptTokens: number }).promptTokens]),
    ).toEqual([
      ["llama-cpp", 8],
      ["llama-cpp", 8],
      ["llama-cpp", 16],
      ["llama-cpp", 16],
    ]);
    expect(p?.entries.map((e) => [e.shape.maxNewTokens, e.shape.rounds])).toEqual([
      [4, 6],
      [0, 6],
      [4, 6],
      [0, 6],
    ]);
  });

  it("each value keeps its flag's own error, prefixed with the list", () => {
    expect(() => plan({ threads: "1,0" })).toThrow(
      /^--threads 1,0: --threads must be a whole number of threads from 1 to the \d+ logical cores here/,
    );
    const over = String(logicalCores() + 1);
    expect(() => plan({ threads: `1,${over}` })).toThrow(
      `--threads 1,${over}: --threads ${over} is more than`,
    );
    expect(() => plan({ "batch-size": "8,70000" })).toThrow(
      /^--batch-size 8,70000: --batch-size must be a positive integer up to 65536/,
    );
    expect(() => plan({ threads: "1,1" })).toThrow("--threads 1,1: 1 is given twice");
    expect(() => plan({ threads: "1," })).toThrow('--threads "1,": a list is values separated by commas');
    expect(() => plan({ depth: "1,2" }, { ...gen, mode: "embedding" })).toThrow(
      /^--depth 1,2: --depth applies to --mode generation/,
    );
  });

  it("refused for --engine openai, pointing to --concurrency lists", () => {
    expect(() => plan({ engine: "openai", "max-new-tokens": "8,16" })).toThrow(
      "--max-new-tokens 8,16: lists run a matrix on the local engines only; --engine openai sweeps load with --concurrency lists",
    );
  });

  it("--repetitions: at most --rounds; a counted run has one block per combination", () => {
    expect(() => plan({ depth: "0,8", rounds: "2", repetitions: "3" })).toThrow(
      "--repetitions 3 is more than --rounds 2: every block needs a measured round",
    );
    expect(plan({ depth: "0,8", rounds: "2" })?.repetitions).toBe(2);
    expect(() => plan({ depth: "0,8", repetitions: "0" })).toThrow(/--repetitions must be/);
  });
});

/** A block of a result: `rounds` of its samples from `from`, complete or not. */
function block(r: BenchmarkResult, from: number, rounds: number, complete = true): BenchmarkResult {
  const c = clone(r);
  const samples: Array<{ round: number }> = c.samples;
  (c as { samples: unknown }).samples = samples
    .slice(from, from + rounds)
    .map((s, round) => ({ ...s, round }));
  c.rounds = rounds;
  c.complete = complete;
  return c;
}

describe("a combination's blocks joined into one result", () => {
  const gen20 = fixture("generation-a");

  it("the samples pooled and renumbered, the statistics recomputed: the same as one run of all rounds", () => {
    const n = gen20.samples.length;
    const blocks = [block(gen20, 0, 7), block(gen20, 7, 7), block(gen20, 14, n - 14)];
    const j = joinBlocks(blocks, { blocks: 3, rounds: n }, invocation);
    expect(j.rounds).toBe(n);
    expect(j.samples.map((s) => s.round)).toEqual([...Array(n).keys()]);
    expect(j.samples.map((s) => s.elapsed_s)).toEqual(gen20.samples.map((s) => s.elapsed_s));
    expect(j.mode === "generation" && j.statistics.tokens_per_second.median).toBeCloseTo(
      gen20.mode === "generation" ? gen20.statistics.tokens_per_second.median : 0,
      9,
    );
    expect(j.complete).toBe(true);
    expect(j.invocation.command).toBe(invocation.command);
    expect(j.test).toBe(gen20.test);
    expect(() => parseResult(j, "joined")).not.toThrow();
  });

  it("fewer blocks than planned, or a partial one: not complete, with a partial_result warning", () => {
    const j = joinBlocks(
      [block(gen20, 0, 10), block(gen20, 10, 4, false)],
      { blocks: 3, rounds: 30 },
      invocation,
    );
    expect(j.complete).toBe(false);
    expect(j.rounds).toBe(14);
    expect(j.warnings.filter((w) => w.code === "partial_result")).toMatchObject([
      { rounds_done: 14, rounds_planned: 30 },
    ]);
    expect(() => parseResult(j, "joined")).not.toThrow();
  });

  it("embedding blocks join too", () => {
    const emb = fixture("embedding-a");
    const n = emb.samples.length;
    const j = joinBlocks([block(emb, 0, 5), block(emb, 5, n - 5)], { blocks: 2, rounds: n }, invocation);
    expect(j.rounds).toBe(n);
    expect(() => parseResult(j, "joined")).not.toThrow();
  });
});

describe("JSON Lines and the table", () => {
  const a = fixture("generation-a");
  const b = fixture("generation-b");

  it("one compact result per line, in order, each parseable; written atomically to a file", () => {
    const text = serializeResultLines([a, b]);
    const lines = text.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    expect(parseResult(JSON.parse(lines[0] as string), "line 1").started_at).toBe(a.started_at);
    expect(parseResult(JSON.parse(lines[1] as string), "line 2").started_at).toBe(b.started_at);
    const path = join(mkdtempSync(join(tmpdir(), "matrix-")), "out.jsonl");
    writeResultLines(path, [a, b]);
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it("one row per combination: test, the settings that vary, rounds, median, unit, robust CV", () => {
    const lines = matrixSummaryLines([
      { settings: [["threads", "1"]], result: a },
      { settings: [["threads", "2"]], result: { ...b, complete: false } },
    ]);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\| test +\| --threads \| +rounds \| median \| unit +\| robust CV \|$/);
    expect(lines[1]).toMatch(/^\|-+\|-+:\|/);
    expect(lines[2]).toContain(" tokens/s ");
    expect(lines[3]).toContain("(partial)");
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});
