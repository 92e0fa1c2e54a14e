/**
 * Other tools' results in the history store (src/history/imported.ts) on the fixtures of test/fixtures/import/
 * (SQLite in memory): grouped by format, tool, test and key (never mixed); the run's time from the file where
 * it has one, else the import time; a file stored once (same content digest); trends with change points on
 * synthesised values; report --html shows the groups with the format and tool in their heading.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collectResults } from "../../src/history/import.js";
import { fileRunTime, readImportedFile } from "../../src/history/imported.js";
import { buildImportedTrends } from "../../src/history/imported-trend.js";
import { openSqliteStore } from "../../src/history/sqlite.js";
import type { HistoryStore, ImportedEntry } from "../../src/history/types.js";
import { buildHtmlReportInput } from "../../src/report/html/input.js";
import { writeHtmlReport } from "../../src/report/html/write.js";
import { renderTrendsText } from "../../src/report/trend-text.js";

const IMP = join(import.meta.dirname, "..", "fixtures", "import");
const NOW = new Date("2026-01-02T03:04:05.000Z");
let dir: string;
let store: HistoryStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pb-imported-history-"));
  store = openSqliteStore(":memory:");
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A hand-made import of one test whose headline value is `v` (synthesised: no tool wrote it). */
function synth(v: number, day: number, key: Record<string, number | string | null> = { n_threads: 4 }) {
  const e: ImportedEntry = {
    imported: {
      format: "hyperfine",
      tool: "hyperfine",
      tool_version: null,
      source: `synth ${day}`,
      test: "sleep",
      mode: "generation",
      key,
      metrics: [
        { name: "time_s", unit: "s", direction: "lower", samples: [v, v, v], value: v, value_kind: "mean" },
      ],
      not_carried: [],
    },
    file_digest: `synth-${JSON.stringify(key)}-${day}`,
    started_at: new Date(Date.UTC(2026, 0, day)).toISOString(),
    time_from: "import",
  };
  return e;
}

describe("imported results in the history store", () => {
  it("llama-bench: one group per test, the run's time from test_time, samples kept", async () => {
    const entries = readImportedFile(join(IMP, "llama-bench", "readme.json"), NOW);
    expect(entries.map((e) => e.time_from)).toEqual(["file", "file"]);
    expect(entries[0]?.started_at).toBe("2025-04-24T11:58:50.000Z");
    expect(await store.addImported(entries)).toEqual({ added: 2, duplicates: 0 });
    const rows = await store.importedSeries();
    const groups = new Set(rows.map((r) => r.group_key));
    expect(groups.size).toBe(2);
    expect([...groups].map((g) => g.split(":")[0]).sort()).toEqual(["pp512", "tg128"]);
    expect(rows.filter((r) => r.position === 0).every((r) => r.value.n >= 1)).toBe(true);
  });

  it("vLLM's date is the run's time; hyperfine records none: the import time, and it says so", () => {
    expect(fileRunTime("vllm", readFileSync(join(IMP, "vllm", "summary.json"), "utf8"))).toBe(
      "2025-06-01T12:00:00.000Z",
    );
    const h = readImportedFile(join(IMP, "hyperfine", "export.json"), NOW);
    expect(h.every((e) => e.time_from === "import" && e.started_at === NOW.toISOString())).toBe(true);
  });

  it("the same file content is stored once, under another name too", async () => {
    copyFileSync(join(IMP, "llama-bench", "readme.json"), join(dir, "copy.json"));
    await store.addImported(readImportedFile(join(IMP, "llama-bench", "readme.json"), NOW));
    expect(await store.addImported(readImportedFile(join(dir, "copy.json"), NOW))).toEqual({
      added: 0,
      duplicates: 2,
    });
  });

  it("a group never mixes formats or keys", async () => {
    const { imported } = collectResults([
      join(IMP, "llama-bench", "readme.json"),
      join(IMP, "llama-bench", "readme.csv"),
      join(IMP, "hyperfine", "export.json"),
      join(IMP, "vllm", "summary.json"),
    ]);
    await store.addImported(imported);
    const rows = await store.importedSeries();
    const byGroup = new Map<string, Set<string>>();
    for (const r of rows)
      byGroup.set(r.group_key, (byGroup.get(r.group_key) ?? new Set()).add(`${r.format} ${r.key_json}`));
    for (const s of byGroup.values()) expect(s.size).toBe(1);
    await store.addImported([synth(1, 1, { n_threads: 4 }), synth(1, 2, { n_threads: 8 })]);
    const t = (await buildImportedTrends(store)).find((x) => x.metric.name === "time_s");
    expect(t?.groups.filter((g) => g.identity.test === "sleep")).toHaveLength(2);
  });

  it("trend and change points over an imported group (synthesised values: a step from 1 s to 2 s)", async () => {
    const entries = Array.from({ length: 24 }, (_, i) =>
      synth(i < 12 ? 1 + (i % 3) * 0.01 : 2 + (i % 3) * 0.01, i + 1),
    );
    await store.addImported(entries);
    const [t] = await buildImportedTrends(store);
    expect(t?.metric).toMatchObject({ name: "time_s", better: "lower" });
    expect(t?.groups).toHaveLength(1);
    const g = t?.groups[0];
    expect(g?.identity.engine).toBe("imported hyperfine (hyperfine)");
    expect(g?.points.map((p) => p.median).slice(0, 2)).toEqual([1, 1.01]);
    expect(g?.change_points.map((c) => c.index)).toContain(12);
    // ids as `history list` shows imported rows: i<id>, in the table and the change point's line
    const text = t ? renderTrendsText(t, 30) : "";
    expect(text).toMatch(/^ {2}i13 /m);
    expect(text).toMatch(/between - \(i12, .*\) and - \(i13, /);
    expect(text).not.toMatch(/#\d/);
  });

  it("report --html shows imported groups, their heading naming the format and tool", async () => {
    const input = await buildHtmlReportInput({
      paths: [join(IMP, "llama-bench", "readme.json"), join(IMP, "hyperfine", "export.json")],
      now: NOW,
    });
    const engines = input.trends.flatMap((t) => t.groups.map((g) => g.identity.engine));
    expect(engines.some((e) => e.startsWith("imported llama-bench (llama-bench"))).toBe(true);
    expect(engines.some((e) => e.startsWith("imported hyperfine (hyperfine"))).toBe(true);
    const html = readFileSync(writeHtmlReport(dir, input), "utf8");
    expect(html).toContain("imported llama-bench (llama-bench");
  });
});
