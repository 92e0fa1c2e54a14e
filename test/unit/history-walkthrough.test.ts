/**
 * What a new user sees from `history` on small stores (through the CLI, SQLite in a temporary folder): the
 * import line counts files and results apart (a file of JSON Lines is one file), imported rows carry the same
 * `i<id>` in `list` and `trend` (and `show` takes it), and a `--mode` with nothing stored says so in one line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const FIX = join(import.meta.dirname, "..", "fixtures");
let dir: string;
let store: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pb-history-walk-"));
  store = join(dir, "history.sqlite");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function history(...args: string[]) {
  return runCli(["history", ...args, "--history", store]);
}

describe("history as a new user meets it", () => {
  it("import of one JSON Lines file of results: 1 file, 2 results", () => {
    const lines = ["result-generation.json", "result-embedding.json"].map((f) =>
      JSON.stringify(JSON.parse(readFileSync(join(FIX, f), "utf8"))),
    );
    const path = join(dir, "matrix.jsonl");
    writeFileSync(path, `${lines.join("\n")}\n`);
    const run = history("import", path);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^imported 1 file: 2 results, 2 new \(0 already stored\) into /);
    const json = JSON.parse(history("import", path, "--json").stdout);
    expect(json).toMatchObject({ files: 1, results: 2, added: 0, duplicates: 2 });
  });

  it("import of another tool's JSON Lines file: 1 file, its tests", () => {
    const run = history("import", join(FIX, "import", "llama-bench", "readme.jsonl"));
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^imported 1 file: 2 tests of other tools' files, 2 new \(0 already stored\) into /,
    );
  });

  it("--input-format forces the format of a named file (the fix the import's own error names)", () => {
    const file = join(FIX, "import", "llama-bench", "real-run-a.json");
    const forced = history("import", "--input-format", "llama-bench", file);
    expect(forced.status).toBe(0);
    expect(forced.stdout).toMatch(/^imported 1 file: 2 tests of other tools' files/);
    const wrong = history("import", "--input-format", "hyperfine", file);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
    expect(history("list", "--input-format", "llama-bench").stderr).toMatch(
      /--input-format is for history import/,
    );
  });

  it("imported rows are i<id> in list and trend alike; show takes the ids as printed", () => {
    const run = history(
      "import",
      join(FIX, "import", "llama-bench", "readme.json"),
      join(FIX, "result-generation.json"),
    );
    expect(run.status).toBe(0);
    const list = history("list").stdout;
    const trend = history("trend", "--mode", "generation").stdout;
    const ids = (text: string) => [...text.matchAll(/^ *([#i]\d+) /gm)].map((m) => m[1]).sort();
    expect(ids(list)).toEqual(["#1", "i1", "i2"]);
    expect(ids(trend)).toEqual(ids(list));
    expect(JSON.parse(history("show", "i1").stdout)).toMatchObject({ kind: "imported", id: 1 });
    expect(JSON.parse(history("show", "#1").stdout)).toMatchObject({ mode: "generation" });
  });

  it("list --mode with nothing of that mode: one line naming the filter, exit 0", () => {
    expect(history("import", join(FIX, "result-generation.json")).status).toBe(0);
    const run = history("list", "--mode", "embedding");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`no stored results match --mode embedding in sqlite:${store}\n`);
  });
});

describe("the test column of history list", () => {
  it("comes from the group key: the test's name before the digest, none for a digest alone", async () => {
    const { testOfGroupKey } = await import("../../src/history/grouping.js");
    const digest = "a".repeat(64);
    expect(testOfGroupKey(`pp512:${digest}`)).toBe("pp512");
    expect(testOfGroupKey(`tg32 @ d512:${digest}`)).toBe("tg32 @ d512");
    expect(testOfGroupKey(digest)).toBeNull();
    expect(testOfGroupKey("pp512:not-a-digest")).toBeNull();
  });

  it("history list shows each own row's test", () => {
    const run = history("import", join(FIX, "result-generation.json"));
    expect(run.status).toBe(0);
    const list = history("list").stdout.split("\n");
    expect(list[1]).toMatch(/\bmode\s+test\s+kind\b/);
  });
});

describe("the trend of a prompt-only test", () => {
  it("points to the prompt rate instead of leaving tokens/s at 0 unexplained", () => {
    expect(history("import", join(FIX, "..", "..", "docs", "baselines", "pp512.json")).status).toBe(0);
    const trend = history("trend", "--mode", "generation").stdout;
    expect(trend).toContain(
      "pp512 is a prompt-only test (llama-bench's pp): it generates no tokens; follow its prompt rate with --metric prefill_tokens_per_second",
    );
    expect(
      history("trend", "--mode", "generation", "--metric", "prefill_tokens_per_second").stdout,
    ).not.toContain("prompt-only test");
  });
});
