/**
 * A matrix run of `bench` (issue 22 item 2) on the llama-cpp engine and the real tiny model: a 2x2 matrix
 * prints 4 JSON lines in declared order, each a valid result with its own test name and settings, the same
 * lines in the -o file, the blocks interleaved with the order rotating, and the table on stderr. Few rounds,
 * few tokens; nothing here depends on how fast the machine is.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseResult } from "../../src/results/io.js";
import { EXIT } from "../../src/util/errors.js";
import { runCli } from "../support/cli.js";
import { runCliAsync } from "../support/processes.js";

describe("bench with flags given as lists: a matrix", () => {
  it("--batch-size 16,32 --max-new-tokens 4,0: four results as JSON Lines, in declared order", () => {
    const out = join(mkdtempSync(join(tmpdir(), "bench-matrix-")), "matrix.jsonl");
    const args = ["bench", "--prompt-tokens", "16", "--batch-size", "16,32", "--max-new-tokens", "4,0"];
    const run = runCli([...args, "--rounds", "2", "--warmup", "0", "-o", out], { timeoutMs: 300_000 });
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.status).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe("");
    const results = lines.slice(0, 4).map((l, i) => parseResult(JSON.parse(l), `line ${i + 1}`));
    expect(results.map((r) => [r.test, r.settings.batch_size])).toEqual([
      ["pp16+tg4", 16],
      ["pp16", 16],
      ["pp16+tg4", 32],
      ["pp16", 32],
    ]);
    for (const r of results) {
      expect(r.complete).toBe(true);
      expect(r.rounds).toBe(2);
      expect(r.samples.map((s) => s.round)).toEqual([0, 1]);
      expect(r.mode === "generation" && r.samples.every((s) => s.prompt_tokens === 16)).toBe(true);
      expect(r.invocation.argv).toEqual([...args, "--rounds", "2", "--warmup", "0", "-o", out]);
    }
    expect(readFileSync(out, "utf8")).toBe(run.stdout);
    // two repetitions of one round each; the second starts with the second combination
    const blocks = [...run.stderr.matchAll(/block \d+\/8: (--batch-size \d+ --max-new-tokens \d+)/g)];
    expect(blocks.map((m) => m[1])).toEqual([
      "--batch-size 16 --max-new-tokens 4",
      "--batch-size 16 --max-new-tokens 0",
      "--batch-size 32 --max-new-tokens 4",
      "--batch-size 32 --max-new-tokens 0",
      "--batch-size 16 --max-new-tokens 0",
      "--batch-size 32 --max-new-tokens 4",
      "--batch-size 32 --max-new-tokens 0",
      "--batch-size 16 --max-new-tokens 4",
    ]);
    const table = run.stderr.split("\n").filter((l) => l.startsWith("perf-baseline: |"));
    expect(table).toHaveLength(6);
    expect(table[0]).toMatch(/\| test +\| --batch-size \| --max-new-tokens \|/);
    expect(table[3]).toMatch(/\| pp16 +\| +16 \| +0 \| +2 \| .* prefill tokens\/s/);
  });

  it("a combination that does not fit the model's context is refused before any block runs", () => {
    const run = runCli(["bench", "--depth", "0,4000", "--context-size", "2048", "--rounds", "1"]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).not.toMatch(/block 1/);
    expect(run.stderr.trim()).toBe(
      "perf-baseline: --depth 4000: --depth 4000 + --prompt-tokens 0 + --max-new-tokens 64 = 4064 tokens do not fit the model's context of 2048 tokens",
    );
  });

  it("Ctrl-C in the first block's measured rounds: exit 130, the partial result of the first combination only", async () => {
    let sent = false;
    let seen = "";
    const run = await runCliAsync(
      ["bench", "--max-new-tokens", "4,8", "--rounds", "20000", "--repetitions", "2", "--warmup", "0"],
      {
        env: { PERF_BASELINE_PROGRESS: "lines" },
        timeoutMs: 180_000,
        onStart: (child) =>
          child.stderr?.on("data", (d: Buffer | string) => {
            seen += String(d);
            if (!sent && /block 1\/4: round 2\/10000/.test(seen)) {
              sent = true;
              child.kill("SIGINT");
            }
          }),
      },
    );
    expect(run.status).toBe(EXIT.interrupted);
    expect(run.stderr).not.toMatch(/\n\s+at |internal error|block 2\/4/);
    const lines = run.stdout.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    const r = parseResult(JSON.parse(lines[0] as string), "line 1");
    expect(r.test).toBe("pp38+tg4");
    expect(r.complete).toBe(false);
    expect(r.warnings).toContainEqual(
      expect.objectContaining({ code: "partial_result", rounds_planned: 20000 }),
    );
    expect(run.stderr).toMatch(/\| pp38\+tg4 .*\(partial\)/);
  });
});
