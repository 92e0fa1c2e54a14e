/**
 * `history import` (and the report's result files) read through the importers: a file of JSON Lines of this
 * tool's results gives each of them; another tool's file named on the command line is refused in one line
 * naming its format (nothing stored), and one found in a folder is skipped and reported.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collectResults } from "../../src/history/import.js";
import { ResultFileError } from "../../src/util/errors.js";

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
    const { entries } = collectResults([path]);
    expect(entries.map((e) => [e.result.mode, e.source])).toEqual([
      ["generation", `${path} line 1`],
      ["embedding", `${path} line 2`],
    ]);
  });

  it("another tool's file named explicitly: one line naming its format", () => {
    const path = join(FIX, "import", "llama-bench", "readme.json");
    expect(() => collectResults([path])).toThrow(ResultFileError);
    expect(() => collectResults([path])).toThrow(
      `${path}: is a llama-bench file (llama-bench): the history store keeps this tool's results only (compare and gate read llama-bench files)`,
    );
  });

  it("another tool's file in a folder: skipped and reported, the results beside it stored", () => {
    copyFileSync(join(FIX, "import", "hyperfine", "export.json"), join(dir, "hyperfine.json"));
    copyFileSync(join(FIX, "result-generation.json"), join(dir, "result.json"));
    const { entries, skipped } = collectResults([dir]);
    expect(entries).toHaveLength(1);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.why).toMatch(/is a hyperfine file/);
  });
});
