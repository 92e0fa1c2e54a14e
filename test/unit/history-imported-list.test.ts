/**
 * `history list` / `history show` of imported rows (issue 24): other tools' tests stored by `history import`
 * listed beside this tool's results, found by `i<id>` or digest prefix, and counted by the store's count().
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readImportedFile } from "../../src/history/imported.js";
import { findImported, importedListRows } from "../../src/history/imported-list.js";
import { openSqliteStore } from "../../src/history/sqlite.js";
import { renderImportedListText } from "../../src/report/imported-list-text.js";
import { generationSeries } from "../support/history-fixtures.js";

const LLAMA_BENCH = join(import.meta.dirname, "..", "fixtures", "import", "llama-bench", "readme.json");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pb-history-imported-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("imported rows in history list and show", () => {
  it("lists, shows and counts imported tests beside this tool's results", async () => {
    const store = openSqliteStore(join(dir, "h.sqlite"));
    const [a] = generationSeries(1);
    if (!a) throw new Error("fixture");
    await store.add([{ result: a, verdict: null, source: "a.json" }]);
    const entries = readImportedFile(LLAMA_BENCH, new Date("2026-01-02T03:04:05Z"));
    expect(entries.length).toBeGreaterThan(0);
    await store.addImported(entries);
    expect(await store.count()).toBe(1 + entries.length);
    const series = await store.importedSeries();
    const { rows, total } = importedListRows(series);
    expect(total).toBe(entries.length);
    expect(rows.every((r) => r.kind === "imported" && r.tool === "llama-bench")).toBe(true);
    const text = renderImportedListText(rows, total);
    expect(text).toMatch(/imported tests? \(other tools' files/);
    expect(text).toContain(`i${rows[0]?.id}`);
    const first = rows[0];
    if (!first) throw new Error("no imported row");
    const shown = findImported(series, `i${first.id}`);
    expect(shown?.test).toBe(first.test);
    expect(shown?.metrics[0]?.metric).toBe(first.metric);
    expect(findImported(series, first.digest.slice(0, 12))?.id).toBe(first.id);
    expect(findImported(series, "i999999")).toBeNull();
    expect(importedListRows(series, { mode: "embedding" }).total).toBe(0);
    expect(importedListRows(series, { limit: 1 }).rows).toHaveLength(1);
    await store.close();
  });

  it("renders nothing when no test was imported", () => {
    expect(renderImportedListText([], 0)).toBe("");
  });
});
