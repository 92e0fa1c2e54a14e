/** Every test file that skips tests on a condition also says why (test/support/skips.ts). */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith(".test.ts") ? [join(dir, e.name)] : [],
  );
}

describe("skip reasons", () => {
  it("each file that skips on a condition prints the reason when it skips", () => {
    const silent = testFiles(join(ROOT, "test"))
      .filter((f) => {
        const text = readFileSync(f, "utf8");
        const skips = /\.(skipIf|runIf)\(|\.skip\(/.test(text);
        const says = /sayWhySkipped\(|ctx\.skip\(\s*["'`]|process\.stderr\.write\([^)]*skipped/.test(text);
        return skips && !says && !f.endsWith("skip-reasons.test.ts");
      })
      .map((f) => f.slice(ROOT.length + 1));
    expect(silent).toEqual([]);
  });
});
