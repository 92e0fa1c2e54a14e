import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collectResults } from "../../src/history/import.js";
import { defaultHistoryPath } from "../../src/history/open.js";
import { recordToHistory } from "../../src/history/record.js";
import { resultDigest } from "../../src/history/row.js";
import { openSqliteStore } from "../../src/history/sqlite.js";
import { buildTrends } from "../../src/history/trend.js";
import { renderTrendsText, sparkline } from "../../src/report/trend-text.js";
import { serializeResult } from "../../src/results/io.js";
import { HistoryStoreError } from "../../src/util/errors.js";
import { clone, fixture, otherHardware } from "../support/gate-fixtures.js";
import { generationSeries } from "../support/history-fixtures.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pb-history-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("SQLite history store", () => {
  it("stores each result once, fills a missing verdict, and finds it by id or digest", async () => {
    const store = openSqliteStore(join(dir, "h.sqlite"));
    const [a, b] = generationSeries(2);
    if (!a || !b) throw new Error("fixture");
    expect(await store.add([{ result: a, verdict: null, source: "a.json" }])).toEqual({
      added: 1,
      duplicates: 0,
    });
    // the same content with other key order is the same result
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    expect(
      await store.add([
        { result: reordered, verdict: "PASS", source: "copy.json" },
        { result: b, verdict: "REGRESSION", source: "b.json" },
      ]),
    ).toEqual({ added: 1, duplicates: 1 });
    expect(await store.count()).toBe(2);
    const got = await store.get(resultDigest(a).slice(0, 10));
    expect(got?.row.verdict).toBe("PASS");
    expect(got?.row.source).toBe("a.json");
    expect(got?.result).toEqual(a);
    expect((await store.get(String(got?.row.id)))?.row.digest).toBe(resultDigest(a));
    expect(await store.get("nothing")).toBeNull();
    await store.close();
    // reopening runs no migration twice and keeps the data
    const again = openSqliteStore(join(dir, "h.sqlite"));
    expect(await again.count()).toBe(2);
    await again.close();
  });

  it("groups by the gate's comparability: other hardware or other threads never share a trend", async () => {
    const store = openSqliteStore(join(dir, "h.sqlite"));
    const series = generationSeries(6);
    const moved = series.slice(0, 3).map((r) => otherHardware(r));
    const threads = series.slice(0, 2).map((r) => {
      const c = clone(r);
      c.settings.threads = 2;
      return c;
    });
    await store.add(
      [...series, ...moved, ...threads].map((result) => ({ result, verdict: null, source: "x" })),
    );
    const t = await buildTrends(store, "generation", "tokens_per_second");
    expect(t.groups.map((g) => g.points.length).sort()).toEqual([2, 3, 6]);
    expect(new Set(t.groups.map((g) => g.identity.hardware_fingerprint)).size).toBe(2);
    await store.close();
  });

  it("finds the level shift of a trend with the commits on either side", async () => {
    const store = openSqliteStore(":memory:");
    const series = generationSeries(30, { at: 18, step: -0.15, seed: 4 });
    await store.add(series.map((result) => ({ result, verdict: null, source: "s" })));
    const t = await buildTrends(store, "generation", "tokens_per_second");
    const cps = t.groups[0]?.change_points ?? [];
    expect(cps).toHaveLength(1);
    expect(Math.abs((cps[0]?.index ?? 0) - 18)).toBeLessThanOrEqual(2);
    expect(cps[0]?.magnitude).toBeLessThan(-0.1);
    expect(cps[0]?.after.git_commit).toBe(series[cps[0]?.index ?? 0]?.git?.commit);
    const text = renderTrendsText(t);
    expect(text).toContain("change point at point");
    expect(text).toContain("tokens/s");
    await store.close();
  });

  it("gives a one-line HistoryStoreError for a path that cannot be a database", () => {
    writeFileSync(join(dir, "not-a-db.sqlite"), "hello, I am text and not SQLite".repeat(100));
    expect(() => openSqliteStore(join(dir, "not-a-db.sqlite"))).toThrow(HistoryStoreError);
    expect(() => openSqliteStore(join(dir, "not-a-db.sqlite"))).toThrow(
      /^history store sqlite:.*not-a-db\.sqlite: cannot be opened \([^\n]*\)[^\n]*$/,
    );
  });
});

describe("history import and recording", () => {
  it("reads evidence folders with their verdicts, skips other JSON, and rejects a named non-result", () => {
    const ev = join(dir, "evidence", "run1");
    mkdirSync(join(ev, "captures"), { recursive: true });
    mkdirSync(join(ev, "baselines"), { recursive: true });
    writeFileSync(join(ev, "captures", "generation-1.json"), serializeResult(fixture("generation-b")));
    writeFileSync(
      join(ev, "baselines", "baseline-generation.json"),
      serializeResult(fixture("generation-a")),
    );
    writeFileSync(
      join(ev, "verdicts.json"),
      JSON.stringify({ gates: [{ verdict: "PASS", candidate_sources: ["captures/generation-1.json"] }] }),
    );
    writeFileSync(join(ev, "other.json"), "{}");
    const { entries, skipped } = collectResults([join(dir, "evidence")]);
    expect(entries.map((e) => [e.source.replace(dir, ""), e.verdict])).toEqual([
      ["/evidence/run1/baselines/baseline-generation.json", null],
      ["/evidence/run1/captures/generation-1.json", "PASS"],
    ]);
    expect(skipped.map((s) => s.path.replace(dir, ""))).toEqual(["/evidence/run1/other.json"]);
    expect(() => collectResults([join(ev, "other.json")])).toThrow(/other\.json: /);
    expect(() => collectResults([join(dir, "missing")])).toThrow(/missing: not found/);
  });

  it("records only when a store is configured, and never throws when it cannot", async () => {
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    const r = fixture("generation-a");
    expect(await recordToHistory([{ result: r, source: "x" }], { env: {}, log })).toBeNull();
    expect(lines).toEqual([]);
    const path = join(dir, "rec.sqlite");
    expect(await recordToHistory([{ result: r, source: "x" }], { history: path, env: {}, log })).toEqual({
      added: 1,
      duplicates: 0,
    });
    expect(
      await recordToHistory([{ result: r, source: "x" }], { env: { PERF_BASELINE_HISTORY: path }, log }),
    ).toEqual({
      added: 0,
      duplicates: 1,
    });
    mkdirSync(join(dir, "a-folder.sqlite"));
    expect(
      await recordToHistory([{ result: r, source: "x" }], {
        history: join(dir, "a-folder.sqlite"),
        env: {},
        log,
      }),
    ).toBeNull();
    expect(lines.at(-1)).toMatch(
      /^perf-baseline: history not recorded: history store sqlite:.*a-folder\.sqlite: cannot be opened .*\(the result is not affected\)$/,
    );
  });

  it("defaults under XDG_DATA_HOME, else ~/.local/share", () => {
    expect(defaultHistoryPath({ XDG_DATA_HOME: "/data" })).toBe("/data/perf-baseline/history.sqlite");
    expect(defaultHistoryPath({})).toMatch(/\.local\/share\/perf-baseline\/history\.sqlite$/);
  });

  it("draws a sparkline over the range of the values", () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([5, 5])).toBe("▄▄");
  });
});

describe("content digest", () => {
  it("uses the same canonical JSON as the environment capture's canonicalJson", async () => {
    const { sha256OfJson } = await import("../../src/util/canonical-json.js");
    // the reference: keys sorted by a JSON.stringify replacer
    const canonicalJson = (value: unknown) =>
      JSON.stringify(value, (_k, v) =>
        v && typeof v === "object" && !Array.isArray(v)
          ? Object.fromEntries(
              Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
            )
          : v,
      );
    const { canonicalJson: fastCanonicalJson } = await import("../../src/util/canonical-json.js");
    for (const r of [
      fixture("generation-a"),
      fixture("embedding-b"),
      { a: [1, undefined, { z: 1, b: "x" }], u: undefined },
    ]) {
      expect(fastCanonicalJson(r)).toBe(canonicalJson(r));
    }
    expect(resultDigest(fixture("generation-a"))).toBe(sha256OfJson(fixture("generation-a")));
  });
});
