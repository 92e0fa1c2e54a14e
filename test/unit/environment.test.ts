import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captureEnvironment } from "../../src/environment/capture.js";
import { ensureDummyModel, modelCacheDir } from "../../src/models/cache.js";
import { canonicalJson, sha256OfJson } from "../../src/util/canonical-json.js";
import { UsageError } from "../../src/util/errors.js";
import { embeddingWorkload, generationWorkload, workloadDigest } from "../../src/workload/workload.js";

describe("environment capture", () => {
  it("fills the seed's fields and a stable hardware fingerprint", () => {
    const a = captureEnvironment();
    const b = captureEnvironment();
    expect(a.node).toBe(process.versions.node);
    expect(a.platform).toMatch(/^\w+-.+-\w+$/);
    expect(a.processor.length).toBeGreaterThan(0);
    expect(a.hardware_fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hardware_fingerprint).toBe(a.hardware_fingerprint);
    expect(sha256OfJson(a.hardware)).toBe(a.hardware_fingerprint);
  });
  it("changes the fingerprint when the hardware differs", () => {
    const env = captureEnvironment();
    expect(sha256OfJson({ ...env.hardware, logical_cores: env.hardware.logical_cores + 1 })).not.toBe(
      env.hardware_fingerprint,
    );
  });
  it("hashes canonically: key order does not matter", () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(sha256OfJson({ x: 1, y: 2 })).toBe(sha256OfJson({ y: 2, x: 1 }));
  });
});

describe("workload digest", () => {
  it("is stable and separates modes and token counts", () => {
    expect(workloadDigest(generationWorkload(64))).toBe(workloadDigest(generationWorkload(64)));
    expect(workloadDigest(generationWorkload(64))).not.toBe(workloadDigest(generationWorkload(32)));
    expect(workloadDigest(embeddingWorkload())).not.toBe(workloadDigest(generationWorkload(64)));
    expect(embeddingWorkload().texts?.length).toBe(2);
  });
});

describe("model cache", () => {
  it("respects XDG_CACHE_HOME", () => {
    expect(modelCacheDir({ XDG_CACHE_HOME: "/x/cache" })).toBe("/x/cache/perf-baseline/models");
    expect(modelCacheDir({})).toMatch(/\.cache\/perf-baseline\/models$/);
  });
  it("writes on first use, reuses after, and rewrites a damaged copy", () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-cache-"));
    const first = ensureDummyModel("tiny", 42, dir);
    expect(first.generated).toBe(true);
    expect(first.sha256).toBe("b8e171bfb614151168f155bd575b69dca65a26711a63fd2ae6be222a766224f8");
    const second = ensureDummyModel("tiny", 42, dir);
    expect(second.generated).toBe(false);
    expect(second.path).toBe(first.path);
    writeFileSync(first.path, "damaged");
    const third = ensureDummyModel("tiny", 42, dir);
    expect(third.generated).toBe(true);
    expect(third.sha256).toBe(first.sha256);
  });
  it("names an unknown preset", () => {
    expect(() => ensureDummyModel("huge", 1, tmpdir())).toThrow(UsageError);
  });
});
