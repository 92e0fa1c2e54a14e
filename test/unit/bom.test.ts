/**
 * Issue 20 item 8: a UTF-8 byte-order mark at the start of a result or a configuration file (Windows editors
 * save one) is skipped, not refused as "not valid JSON (Unexpected token ...)"; and every error message is
 * one printable line whatever it quotes (a newline, a BOM or another invisible character in an excerpt is
 * escaped).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readGateConfig } from "../../src/config/read-config.js";
import { readResult } from "../../src/results/io.js";
import { ConfigFileError, EngineError, oneLine, ResultFileError, UsageError } from "../../src/util/errors.js";
import { stripBom } from "../../src/util/read-file.js";

const dir = mkdtempSync(join(tmpdir(), "pb-bom-"));
const BOM = "\uFEFF";
const fixture = join(import.meta.dirname, "..", "fixtures", "result-generation.json");

describe("a leading byte-order mark is read", () => {
  it("a result file with a BOM reads as the same result", () => {
    const p = join(dir, "bom-result.json");
    writeFileSync(p, BOM + readFileSync(fixture, "utf8"));
    expect(readResult(p)).toEqual(readResult(fixture));
  });

  it("a configuration file with a BOM reads as without", () => {
    const plain = join(dir, "plain.config.json");
    const bom = join(dir, "bom.config.json");
    const text = readFileSync(join(import.meta.dirname, "..", "..", "perf-baseline.config.json"), "utf8");
    writeFileSync(plain, text);
    writeFileSync(bom, BOM + text);
    expect(readGateConfig(bom).config).toEqual(readGateConfig(plain).config);
  });

  it("only one leading BOM is skipped: one inside the text is still refused, in one line", () => {
    expect(stripBom(`${BOM}{}`)).toBe("{}");
    const p = join(dir, "two-boms.json");
    writeFileSync(p, `${BOM}${BOM}{\n}`);
    let err: unknown;
    try {
      readResult(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ResultFileError);
    expect((err as Error).message).toMatch(/not valid JSON/);
    expect((err as Error).message).toContain("\\u{FEFF}");
    expect((err as Error).message).not.toMatch(/[\n\r\uFEFF]/);
  });
});

describe("every error message is one printable line", () => {
  it("newlines, tabs, controls and invisible characters in a quoted excerpt are escaped", () => {
    expect(oneLine("a\nb\r\nc\td")).toBe("a\\nb\\r\\nc\\td");
    expect(oneLine("x\u200By\u202Ez\u0000\u2028")).toBe("x\\u{200B}y\\u{202E}z\\u{0000}\\u{2028}");
    expect(oneLine("µs · 5 % — naïve")).toBe("µs · 5 % — naïve");
  });

  it("each error class makes its message one line", () => {
    for (const e of [
      new UsageError("bad\nflag"),
      new EngineError("server said:\n<html>\n"),
      new ConfigFileError(
        "c.json",
        `not valid JSON (Unexpected token '${BOM}', "${BOM}{\n" is not valid JSON)`,
      ),
      new ResultFileError("r.json", "x\u2029y"),
    ])
      expect(e.message).not.toMatch(/[\n\r\u2028\u2029\uFEFF]/);
  });

  it("a result file that is not JSON and spans lines is quoted on one line", () => {
    const p = join(dir, "multi-line.json");
    writeFileSync(p, '{\n  "a": 1,\n  oops\n}\n');
    expect(() => readResult(p)).toThrow(/^[^\n]*not valid JSON[^\n]*$/);
  });
});
