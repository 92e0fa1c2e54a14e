/**
 * Versioned reading: every older result format stays readable. The v1 files here are the committed
 * baselines as they were when the format changed (copied into test/fixtures/v1/, so that later recaptures of
 * docs/ do not take this test's inputs away), plus the v1 fixtures of the gate tests.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { runGate } from "../../src/gate/verdict.js";
import { readResult } from "../../src/results/io.js";
import { migrateToCurrent } from "../../src/results/migrations.js";
import { SCHEMA_VERSION } from "../../src/results/schema.js";
import { ROOT } from "../support/cli.js";

const V1 = [
  "test/fixtures/v1/baseline-generation.json",
  "test/fixtures/v1/baseline-embedding.json",
  "test/fixtures/result-generation.json",
  "test/fixtures/gate/generation-a.json",
  "test/fixtures/gate/embedding-b.json",
];

describe("reading older result formats", () => {
  for (const f of V1) {
    it(`${f} (v1) is read and migrated to v${SCHEMA_VERSION}`, () => {
      const raw = JSON.parse(readFileSync(join(ROOT, f), "utf8")) as Record<string, unknown>;
      expect(raw.schema_version).toBe(1);
      expect((raw.engine as { name: string }).name).toBe("llama");
      const r = readResult(join(ROOT, f));
      expect(r.schema_version).toBe(SCHEMA_VERSION);
      expect(r.engine.name).toBe("node-llama-cpp");
    });
  }

  it("v1 baselines are gated and compared after the change (A/A on one file: comparable, never a REGRESSION)", async () => {
    for (const mode of ["generation", "embedding"] as const) {
      const path = join(ROOT, `test/fixtures/v1/baseline-${mode}.json`);
      const r = readResult(path);
      const { report } = await runGate({
        baseline: r,
        candidate: readResult(path),
        config: defaultGateConfig(),
        baselineSource: path,
        candidateSource: path,
      });
      expect(report.comparability.comparable).toBe(true);
      expect(report.verdict).not.toBe("REGRESSION");
      expect(report.verdict).not.toBe("INCOMPARABLE");
    }
  });

  it("a v1 baseline against a v2 result of the same engine is comparable", async () => {
    const v1 = readResult(join(ROOT, "test/fixtures/gate/generation-a.json"));
    const raw = JSON.parse(readFileSync(join(ROOT, "test/fixtures/gate/generation-b.json"), "utf8"));
    const v2 = migrateToCurrent(raw, SCHEMA_VERSION);
    if ("error" in v2) throw new Error(v2.error);
    expect(v2.doc.schema_version).toBe(SCHEMA_VERSION);
    const { report } = await runGate({
      baseline: v1,
      candidate: readResult(join(ROOT, "test/fixtures/gate/generation-b.json")),
      config: defaultGateConfig(),
      baselineSource: "a",
      candidateSource: "b",
    });
    expect(report.comparability.blocking).toEqual([]);
  });

  // the baselines committed in format 2 (kept as the golden verdicts' inputs since docs/ was recaptured)
  for (const f of [
    "test/golden/inputs/docs/baseline-generation.json",
    "test/golden/inputs/docs/baseline-embedding.json",
  ]) {
    it(`${f} (v2, once committed) reads with each text warning as {code: "text", text}`, () => {
      const raw = JSON.parse(readFileSync(join(ROOT, f), "utf8")) as {
        schema_version: number;
        warnings: string[];
      };
      expect(raw.schema_version).toBe(2);
      const r = readResult(join(ROOT, f));
      expect(r.schema_version).toBe(SCHEMA_VERSION);
      expect(raw.warnings.length).toBeGreaterThan(0);
      expect(r.warnings).toEqual(raw.warnings.map((text) => ({ code: "text", text })));
    });
  }

  it("v1 text warnings are objects after the migrations, in their order", () => {
    const raw = JSON.parse(readFileSync(join(ROOT, "test/fixtures/v1/baseline-generation.json"), "utf8"));
    const r = readResult(join(ROOT, "test/fixtures/v1/baseline-generation.json"));
    expect(r.warnings.map((w) => w.text)).toEqual(raw.warnings);
    expect(new Set(r.warnings.map((w) => w.code))).toEqual(new Set(["text"]));
  });

  it("a v3 result keeps its warning objects as written (migrating a current document is the identity)", () => {
    const w = { code: "partial_result", rounds_done: 2, rounds_planned: 5, text: "interrupted" };
    expect(migrateToCurrent({ schema_version: SCHEMA_VERSION, warnings: [w] }, SCHEMA_VERSION)).toEqual({
      doc: { schema_version: SCHEMA_VERSION, warnings: [w] },
    });
    expect(migrateToCurrent({ schema_version: 2, warnings: ["a", "b"] }, SCHEMA_VERSION)).toEqual({
      doc: {
        schema_version: SCHEMA_VERSION,
        warnings: [
          { code: "text", text: "a" },
          { code: "text", text: "b" },
        ],
      },
    });
  });

  it("refuses a version that is not one (one line naming the field)", () => {
    expect(migrateToCurrent({ schema_version: "1" }, SCHEMA_VERSION)).toEqual({
      error: 'field schema_version: "1" is not a result format version',
    });
    expect(migrateToCurrent({ schema_version: 0 }, SCHEMA_VERSION)).toMatchObject({
      error: /not a result format/,
    });
  });
});
