/**
 * Issue 20 item 4: embeddings that are not numbers. A vector of `null` (llama.cpp #13854, TEI #51), a value
 * that is not finite, vectors of differing dimensions or not one vector per input fail the request with
 * cause bad_response and a detail saying what was wrong; they are never hashed (a null as 0). Against the
 * scripted server of test/support/scripted-server.ts, on 127.0.0.1 only.
 */
import { describe, expect, it } from "vitest";
import { checkEmbeddings } from "../../src/engines/openai/client.js";
import { runServingBenchmark } from "../../src/execute/serving.js";
import { EngineError } from "../../src/util/errors.js";
import type { Script } from "../support/scripted-server.js";
import { scriptedServerPerTest, servingOptions } from "../support/serving-fixtures.js";

const serve = scriptedServerPerTest();

/**
 * Every request answered by `bad`: the run fails with every request a bad_response; returns the failure's
 * detail, as the one-line error quotes it.
 */
async function failureOf(bad: Script, batchSize = 2): Promise<string> {
  const s = await serve(() => bad);
  const run = runServingBenchmark(servingOptions(s.baseUrl, { mode: "embedding", batchSize }));
  const err = await run.then(
    () => new Error("the run succeeded"),
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(EngineError);
  expect(err.message).not.toMatch(/\n/);
  const m = /bad_response x\d+ \((.*)\)$/.exec(err.message);
  expect(m, err.message).not.toBeNull();
  return m?.[1] ?? "";
}

describe("embedding vectors must be finite numbers, one dimension, one per input", () => {
  it("a vector of null is bad_response, never hashed as zeros", async () => {
    const f = await failureOf({
      kind: "embeddings",
      vectors: [
        [null, null, null],
        [0.1, 0.2, 0.3],
      ],
    });
    expect(f).toMatch(/input 0 holds null at position 0, not a finite number/);
  });

  it("a string or a value too large for float32 is bad_response", async () => {
    const f = await failureOf({
      kind: "embeddings",
      vectors: [
        [0.5, "0.5", 1],
        [0.1, 0.2, 0.3],
      ],
    });
    expect(f).toMatch(/holds "0.5" at position 1/);
    const g = await failureOf({
      kind: "embeddings",
      vectors: [
        [0.5, 1e39, 1],
        [0.1, 0.2, 0.3],
      ],
    });
    expect(g).toMatch(/holds 1e\+39 at position 1, not a finite number/);
  });

  it("vectors of differing dimensions, or an empty one, are bad_response", async () => {
    const f = await failureOf({
      kind: "embeddings",
      vectors: [
        [0.5, 1, 2],
        [0.1, 0.2],
      ],
    });
    expect(f).toMatch(/differ in length \(3 and 2 dimensions/);
    const g = await failureOf({ kind: "embeddings", vectors: [[], []] });
    expect(g).toMatch(/is empty/);
  });

  it("not one vector per input (a count, a repeated or an out-of-range index) is bad_response", async () => {
    const f = await failureOf({ kind: "embeddings", count: 3 });
    expect(f).toMatch(/3 vectors for 2 inputs/);
    const twice = [
      { index: 0, embedding: [1, 2] },
      { index: 0, embedding: [1, 2] },
    ];
    expect(await failureOf({ kind: "embeddings", items: twice })).toMatch(/two vectors for input 0/);
    const outside = [
      { index: 0, embedding: [1, 2] },
      { index: 2.5, embedding: [1, 2] },
    ];
    expect(await failureOf({ kind: "embeddings", items: outside })).toMatch(/index 2.5, not one of 0 to 1/);
  });

  it("finite numbers pass and hash as before (the digest of the float32 vectors, in input order)", () => {
    const a = checkEmbeddings(
      [
        { index: 1, embedding: [3, 4] },
        { index: 0, embedding: [1, 2] },
      ],
      2,
    );
    const b = checkEmbeddings([{ embedding: [1, 2] }, { embedding: [3, 4] }], 2);
    expect(a).toEqual(b);
    expect(typeof a === "string" ? a : a.dimensions).toBe(2);
  });
});
