/**
 * `perf-baseline ab` on the real engine and the tiny model, as short as it gets (two blocks of two rounds):
 * ABBA order of fresh engine runs, the report written, and a verdict-independent check (two blocks cannot
 * make a REGRESSION at alpha 0.01, whatever the machine's load). Verdicts are tested on synthesised blocks in
 * test/unit/paired.test.ts.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "pb-ab-"));

describe("perf-baseline ab on the real engine", () => {
  it("runs blocks in ABBA order, writes the report, exits with a verdict's code", () => {
    const report = join(dir, "ab.json");
    const run = runCli(
      [
        "ab",
        "--a",
        "--preset tiny --seed 42",
        "--b",
        "--preset tiny --seed 42 --threads 1",
        "--rounds",
        "2",
        "--warmup",
        "1",
        "--max-new-tokens",
        "4",
        "--min-blocks",
        "2",
        "--max-blocks",
        "2",
        "--report",
        `json=${report}`,
      ],
      { timeoutMs: 600_000 },
    );
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    const order = [...run.stderr.matchAll(/block (\d) ([AB]): generation/g)].map((m) => `${m[1]}${m[2]}`);
    expect(order).toEqual(["1A", "1B", "2B", "2A"]);
    expect([0, 3]).toContain(run.status);
    expect(run.stdout).toMatch(/^generation A\/B/);
    const doc = JSON.parse(readFileSync(report, "utf8"));
    expect(doc.kind).toBe("ab");
    expect(doc.blocks).toHaveLength(2);
    expect(doc.blocks.map((b: { order: string }) => b.order)).toEqual(["AB", "BA"]);
    for (const b of doc.blocks) {
      expect(b.a_median).toBeGreaterThan(0);
      expect(b.b_median).toBeGreaterThan(0);
      expect(b.a_other_cores).not.toBeUndefined();
    }
    expect(doc.verdict).not.toBe("REGRESSION");
    expect(doc.output.changed).toBe(false); // one thread or the default: the same greedy tokens
  }, 700_000);
});
