/**
 * Real llama-bench runs recorded on the development VM (test/fixtures/import/llama-bench/SOURCE.md): every
 * output format imports with its per-repetition samples, and two runs of the same settings compare without a
 * REGRESSION (issue 24's "Done when").
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readResultsFile } from "../../src/import/registry.js";
import { EXIT } from "../../src/util/errors.js";
import { runCli } from "../support/cli.js";

const DIR = join(import.meta.dirname, "..", "fixtures", "import", "llama-bench");

describe("real llama-bench runs", () => {
  it("json and jsonl import every test with its five repetitions; csv (no samples_ts column) its mean", () => {
    const csv = readResultsFile(join(DIR, "real-run.csv"));
    expect(csv.map((r) => r.test).sort()).toEqual(["pp64", "tg16"]);
    for (const r of csv) expect(r.metrics[0]?.value, r.test).toBeGreaterThan(0);
    for (const [file, tests] of [
      ["real-run-a.json", 2],
      ["real-threads.jsonl", 4],
    ] as const) {
      const got = readResultsFile(join(DIR, file));
      expect(got.map((r) => r.test).sort(), file).toEqual(
        tests === 2 ? ["pp64", "tg16"] : ["pp64", "pp64", "tg16", "tg16"],
      );
      for (const r of got) expect(r.metrics[0]?.samples, `${file} ${r.test}`).toHaveLength(5);
    }
  });

  it("two runs of the same settings compare without a REGRESSION", () => {
    const r = runCli(["compare", join(DIR, "real-run-a.json"), join(DIR, "real-run-b.json")]);
    expect([EXIT.ok, EXIT.inconclusive], r.stdout + r.stderr).toContain(r.status);
    expect(r.stdout).toMatch(/pp64/);
    expect(r.stdout).toMatch(/tg16/);
  });
});
