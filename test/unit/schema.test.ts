import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readResult, writeResult } from "../../src/results/io.js";
import { resultJsonSchema, SCHEMA_VERSION } from "../../src/results/schema.js";
import { ResultFileError } from "../../src/util/errors.js";

const fixture = (name: string) => join(import.meta.dirname, "..", "fixtures", name);
const dir = mkdtempSync(join(tmpdir(), "pb-schema-"));

function writeVariant(name: string, change: (doc: Record<string, unknown>) => void): string {
  const doc = JSON.parse(readFileSync(fixture("result-generation.json"), "utf8")) as Record<string, unknown>;
  change(doc);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

function expectResultError(path: string, pattern: RegExp) {
  let caught: unknown;
  try {
    readResult(path);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ResultFileError);
  expect((caught as Error).message).toContain(path);
  expect((caught as Error).message).toMatch(pattern);
  expect((caught as Error).message).not.toContain("\n");
}

describe("result schema", () => {
  it("the committed JSON Schema is the one generated from the zod schema", () => {
    const committed = JSON.parse(
      readFileSync(join(import.meta.dirname, "..", "..", "schema", "result.schema.json"), "utf8"),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(resultJsonSchema())));
  });

  it("accepts real results of both modes with the seed's fields", () => {
    const gen = readResult(fixture("result-generation.json"));
    const emb = readResult(fixture("result-embedding.json"));
    expect(gen.schema_version).toBe(SCHEMA_VERSION);
    expect(gen.mode).toBe("generation");
    if (gen.mode === "generation") {
      expect(gen.max_new_tokens).toBe(16);
      expect(gen.tokens_per_second).toBeGreaterThan(0);
    }
    if (emb.mode === "embedding") expect(emb.input_texts).toBe(2);
    for (const r of [gen, emb]) {
      expect(r.rounds).toBe(r.samples.length);
      expect(r.elapsed_s).toBeGreaterThan(0);
      expect(r.calls_per_second).toBeGreaterThan(0);
      expect(r.environment.node).toMatch(/^\d+\.\d+\.\d+$/);
      expect(r.environment.platform).not.toBe("");
      expect(r.environment.processor).not.toBe("");
      expect(r.model_path).toBe(r.model.path);
    }
  });

  it("names the field that fails validation", () => {
    expectResultError(
      writeVariant("bad-rounds.json", (d) => {
        d.rounds = -3;
      }),
      /field rounds/,
    );
    expectResultError(
      writeVariant("bad-sample.json", (d) => {
        (d.samples as Array<Record<string, unknown>>)[2] = { round: 2 };
      }),
      /field samples\.2\./,
    );
    expectResultError(
      writeVariant("no-env.json", (d) => {
        delete d.environment;
      }),
      /field environment/,
    );
  });

  it("names another schema version, a non-object and bad JSON", () => {
    expectResultError(
      writeVariant("v99.json", (d) => {
        d.schema_version = 99;
      }),
      new RegExp(
        `field schema_version: 99 is newer than this tool reads \\(${SCHEMA_VERSION}\\): upgrade perf-baseline`,
      ),
    );
    const arr = join(dir, "array.json");
    writeFileSync(arr, "[1,2]");
    expectResultError(arr, /not a result object/);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{"mode": "generation",');
    expectResultError(broken, /not valid JSON/);
    expectResultError(join(dir, "missing.json"), /file not found/);
  });

  it("writes atomically and refuses to write an invalid result", () => {
    const good = readResult(fixture("result-generation.json"));
    const target = join(dir, "out.json");
    writeResult(target, good);
    expect(readResult(target)).toEqual(good);
    const bad = { ...good, rounds: 0 };
    expect(() => writeResult(target, bad)).toThrow(ResultFileError);
    expect(readResult(target)).toEqual(good);
  });
});
