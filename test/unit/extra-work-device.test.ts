/** The extra-work test device (test/support/slowdown-device.ts) adds the work it says, in whole tokens. */
import { describe, expect, it } from "vitest";
import { fakeEngine } from "../support/fake-engine.js";
import { withExtraWorkForTests } from "../support/slowdown-device.js";

describe("withExtraWorkForTests", () => {
  const texts = Array.from({ length: 2 }, (_, i) => `text ${i} ${"word ".repeat(48).trim()}`); // 50 tokens each

  it("embedding: the same calls, the last text lengthened by round(w x the round's tokens) tokens", async () => {
    const inner = fakeEngine();
    const r = await withExtraWorkForTests(inner, 0.03).embed(texts);
    expect(r.calls).toBe(2);
    expect(r.input_tokens).toBe(100 + 3);
    expect(r.vectors[0]).toEqual([(texts[0] as string).length, 1, 2]);
  });

  it("embedding: at least one token, none for w = 0", async () => {
    const short = ["a b", "c d"];
    expect((await withExtraWorkForTests(fakeEngine(), 0.03).embed(short)).input_tokens).toBe(5);
    expect((await withExtraWorkForTests(fakeEngine(), 0).embed(short)).input_tokens).toBe(4);
  });

  it("generation: ceil(w x n) extra tokens decoded, the first n reported", async () => {
    const r = await withExtraWorkForTests(fakeEngine(), 0.03).generate("a prompt", 16);
    expect(r.output_tokens).toBe(16);
    expect(r.token_ids).toHaveLength(16);
    expect(r.chunk_times_ns).toHaveLength(16);
  });
});
