/**
 * A result that contradicts itself: `history import` took a result whose summary said 179 tokens/s while its
 * rounds said 100. Reading a result of this tool now recomputes its summaries from its samples and refuses
 * the file in one line naming the file and the field (src/results/consistency.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseResult } from "../../src/results/io.js";
import { ResultFileError } from "../../src/util/errors.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "result-generation.json");

describe("a result's summaries against its samples", () => {
  it("the committed fixture reads", () => {
    expect(parseResult(JSON.parse(readFileSync(FIXTURE, "utf8")), FIXTURE).mode).toBe("generation");
  });

  it("a median that contradicts the rounds is refused, naming the file and the field", () => {
    const doc = JSON.parse(readFileSync(FIXTURE, "utf8"));
    doc.statistics.tokens_per_second.median *= 1.79;
    const read = () => parseResult(doc, "doctored.json");
    expect(read).toThrow(ResultFileError);
    expect(read).toThrow(/doctored\.json.*statistics\.tokens_per_second\.median/);
    try {
      read();
    } catch (e) {
      expect((e as Error).message).not.toMatch(/\n/);
    }
  });

  it("a headline tokens/s that contradicts the rounds is refused", () => {
    const doc = JSON.parse(readFileSync(FIXTURE, "utf8"));
    doc.tokens_per_second = 179;
    expect(() => parseResult(doc, "doctored.json")).toThrow(/tokens_per_second: 179 but/);
  });
});
