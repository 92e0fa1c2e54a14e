/**
 * Counted runs shown as wall time: after check-release with valgrind, the HTML report's headline tiles read the
 * valgrind captures' tokens/s and `history trend` listed them as wall-time points. A counted capture (an
 * `instructions` block with wall_time_comparable false, or the counted_under_valgrind warning) never enters a
 * wall-time trend, tile or distribution; an evidence folder's report.html is titled with the final folder.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractMetrics, isCountedCapture } from "../../src/history/metrics.js";
import { writeEvidenceHtmlReport } from "../../src/report/evidence/html.js";
import { buildHtmlReportInput } from "../../src/report/html/input.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { warningRecord } from "../../src/results/warnings.js";
import { clone, fixture } from "../support/gate-fixtures.js";

function counted(r: BenchmarkResult): BenchmarkResult {
  const c = clone(r);
  c.warnings = [...c.warnings, warningRecord({ code: "counted_under_valgrind" })];
  c.started_at = "2099-01-01T00:00:00.000Z";
  c.finished_at = "2099-01-01T00:00:01.000Z";
  return c;
}

describe("counted captures in the wall-time views", () => {
  const gen = fixture("generation-a");

  it("have no wall-time metrics", () => {
    expect(isCountedCapture(gen)).toBe(false);
    expect(Object.keys(extractMetrics(gen))).toContain("tokens_per_second");
    expect(isCountedCapture(counted(gen))).toBe(true);
    expect(extractMetrics(counted(gen))).toEqual({});
  });

  it("never become a point of the HTML report's trends (its tiles read the latest point)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-counted-"));
    writeFileSync(join(dir, "wall.json"), JSON.stringify(gen));
    writeFileSync(join(dir, "counted.json"), JSON.stringify(counted(gen)));
    const input = await buildHtmlReportInput({ paths: [dir] });
    const points = input.trends.flatMap((t) => t.groups.flatMap((g) => g.points));
    expect(points.length).toBeGreaterThan(0);
    expect(points.every((p) => p.started_at !== "2099-01-01T00:00:00.000Z")).toBe(true);
  });

  it("an evidence folder's report.html is titled with the final folder, not the staging one", async () => {
    const parent = mkdtempSync(join(tmpdir(), "pb-ev-"));
    const staging = join(parent, ".ev.partial-abc");
    mkdirSync(staging);
    writeFileSync(join(staging, "capture.json"), JSON.stringify(gen));
    const page = await writeEvidenceHtmlReport(staging, { shownAs: join(parent, "ev"), log: () => {} });
    expect(page).not.toBeNull();
    const html = readFileSync(page as string, "utf8");
    expect(html).toContain(`perf-baseline release evidence ${join(parent, "ev")}`);
    expect(html).not.toContain(".ev.partial-");
  });
});
