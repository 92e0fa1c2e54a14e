/**
 * Raw samples that stay bounded (src/results/samples-file.ts): a result of more than MAX_INLINE_SAMPLES
 * samples is written with them in a gzip side file named with its sha256, and read back whole; a side file
 * that is missing, another one, or not gzip is refused with one line naming it; a smaller result and a
 * local result (one sample per round) keep their samples inline.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { collectResults } from "../../src/history/import.js";
import { generationFigures } from "../../src/results/build.js";
import { readResult, writeResult } from "../../src/results/io.js";
import { MAX_INLINE_SAMPLES, samplesFileName } from "../../src/results/samples-file.js";
import type { GenerationResult } from "../../src/results/schema.js";
import { ResultFileError } from "../../src/util/errors.js";
import { fixture } from "../support/gate-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "perf-baseline-samples-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A serving result's shape: the generation fixture with a load block and `n` samples (its own, repeated). */
function withSamples(n: number, serving = true): GenerationResult {
  const r = fixture("generation-a") as GenerationResult;
  if (serving)
    r.load = {
      endpoint: "completions",
      concurrency: 64,
      request_rate: null,
      burstiness: 1,
      arrival_seed: 0,
      num_requests: n,
      duration_s: null,
      output_length: "fixed",
      stream: true,
    };
  const samples = Array.from({ length: n }, (_, i) => ({
    ...(r.samples[i % r.samples.length] as GenerationResult["samples"][number]),
    round: i,
  }));
  return { ...r, rounds: n, samples, ...generationFigures(samples) };
}

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ResultFileError);
    return (err as Error).message;
  }
  throw new Error("not refused");
};

describe("the samples side file", () => {
  it("above the limit: samples in a gzip file named with its sha256, read back whole", () => {
    const big = withSamples(MAX_INLINE_SAMPLES + 1);
    const path = join(dir, "big.json");
    writeResult(path, big);
    const doc = JSON.parse(readFileSync(path, "utf8"));
    expect(doc.samples).toEqual([]);
    expect(doc.samples_file).toMatchObject({ path: "big.samples.json.gz", count: MAX_INLINE_SAMPLES + 1 });
    expect(doc.samples_file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(dir, samplesFileName(path)))).toBe(true);
    const back = readResult(path);
    expect(back.samples).toEqual(big.samples);
    expect("samples_file" in back).toBe(false);
    // history import reads results as readResult does: the samples come back
    const [entry] = collectResults([path]).entries;
    expect(entry?.result.samples).toHaveLength(MAX_INLINE_SAMPLES + 1);
  });

  it("at the limit, and a local result of any size: inline", () => {
    const path = join(dir, "small.json");
    writeResult(path, withSamples(MAX_INLINE_SAMPLES));
    expect(JSON.parse(readFileSync(path, "utf8")).samples).toHaveLength(MAX_INLINE_SAMPLES);
    expect(existsSync(join(dir, "small.samples.json.gz"))).toBe(false);
    const local = join(dir, "local.json");
    writeResult(local, withSamples(MAX_INLINE_SAMPLES + 1, false));
    expect(JSON.parse(readFileSync(local, "utf8")).samples).toHaveLength(MAX_INLINE_SAMPLES + 1);
  });

  it("a side file missing, replaced or not gzip: one line naming it", () => {
    const path = join(dir, "checked.json");
    writeResult(path, withSamples(MAX_INLINE_SAMPLES + 2));
    const side = join(dir, "checked.samples.json.gz");
    const good = readFileSync(side);
    writeFileSync(side, gzipSync("[]"));
    expect(refusal(() => readResult(path))).toMatch(
      /checked\.samples\.json\.gz: sha256 .* is not the .* names: not its samples file$/,
    );
    rmSync(side);
    expect(refusal(() => readResult(path))).toMatch(/checked\.samples\.json\.gz/);
    writeFileSync(side, good);
    expect(readResult(path).samples).toHaveLength(MAX_INLINE_SAMPLES + 2);
    const doc = JSON.parse(readFileSync(path, "utf8"));
    const junk = Buffer.from("not gzip");
    writeFileSync(join(dir, "junk.gz"), junk);
    const sha256 = createHash("sha256").update(junk).digest("hex");
    writeFileSync(
      path,
      JSON.stringify({ ...doc, samples_file: { ...doc.samples_file, path: "junk.gz", sha256 } }),
    );
    expect(refusal(() => readResult(path))).toMatch(/junk\.gz: not a gzip file of JSON samples/);
    writeFileSync(path, JSON.stringify({ ...doc, samples_file: { ...doc.samples_file, path: "../x.gz" } }));
    expect(refusal(() => readResult(path))).toMatch(/field samples_file/);
  });
});
