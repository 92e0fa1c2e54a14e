/**
 * `history import` (and the report's result files) read through the importers: a file of JSON Lines of this
 * tool's results gives each of them; another tool's file (named, or found in a folder) gives its tests, stored
 * apart (test/unit/imported-history.test.ts); a file of no known format found in a folder is skipped.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collectResults } from "../../src/history/import.js";

const FIX = join(import.meta.dirname, "..", "fixtures");
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pb-import-history-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("history import reads through the importers", () => {
  it("JSON Lines of this tool's results: one entry per line", () => {
    const one = JSON.stringify(JSON.parse(readFileSync(join(FIX, "result-generation.json"), "utf8")));
    const two = JSON.stringify(JSON.parse(readFileSync(join(FIX, "result-embedding.json"), "utf8")));
    const path = join(dir, "matrix.jsonl");
    writeFileSync(path, `${one}\n${two}\n`);
    const { entries, files } = collectResults([path]);
    expect(files).toBe(1);
    expect(entries.map((e) => [e.result.mode, e.source])).toEqual([
      ["generation", `${path} line 1`],
      ["embedding", `${path} line 2`],
    ]);
  });

  it("another tool's file named explicitly: its tests, none of this tool's results", () => {
    const path = join(FIX, "import", "llama-bench", "readme.json");
    const { entries, imported } = collectResults([path]);
    expect(entries).toHaveLength(0);
    expect(imported.map((i) => [i.imported.format, i.imported.test])).toEqual([
      ["llama-bench", "pp512"],
      ["llama-bench", "tg128"],
    ]);
  });

  it("another tool's file in a folder: read beside the results; a file of no known format skipped", () => {
    copyFileSync(join(FIX, "import", "hyperfine", "export.json"), join(dir, "hyperfine.json"));
    copyFileSync(join(FIX, "result-generation.json"), join(dir, "result.json"));
    writeFileSync(join(dir, "other.json"), '{"hello": 1}');
    const { entries, imported, skipped, files } = collectResults([dir]);
    expect(files).toBe(2);
    expect(entries).toHaveLength(1);
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.every((i) => i.imported.format === "hyperfine")).toBe(true);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.path).toBe(join(dir, "other.json"));
  });
});
