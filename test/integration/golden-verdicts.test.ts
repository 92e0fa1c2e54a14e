/**
 * Keep behaviour (issue 18): compare, gate and the ab analysis still give, on every fixture pair, the verdicts,
 * reasons, exit codes, figures and digests recorded in test/golden/verdicts.json before the restructuring
 * (what is recorded and what is stripped: test/golden/golden-verdicts.ts). It runs the CLI in child processes
 * but no engine.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  allCliJobs,
  computeGoldenVerdicts,
  GOLDEN_FILE,
  type GoldenVerdicts,
  ROOT,
  runCliJobs,
  serializeGolden,
} from "../golden/golden-verdicts.js";

const ACTUAL_FILE = "test-output/golden-verdicts.actual.json";

function readGolden(): GoldenVerdicts {
  return JSON.parse(readFileSync(join(ROOT, GOLDEN_FILE), "utf8")) as GoldenVerdicts;
}

/** The entries (section, or section > A > B) whose recorded value differs, at most `max` of them. */
function differingEntries(expected: GoldenVerdicts, actual: GoldenVerdicts, max = 20): string[] {
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  const out: string[] = [];
  for (const section of ["about", "inputs", "compare", "gate", "ab"] as const) {
    const e = expected[section] as unknown;
    const a = actual[section] as unknown;
    if (same(e, a)) continue;
    if (section === "about" || section === "inputs" || typeof e !== "object" || typeof a !== "object") {
      out.push(section);
      continue;
    }
    const es = e as Record<string, Record<string, unknown>>;
    const as = a as Record<string, Record<string, unknown>>;
    for (const x of new Set([...Object.keys(es), ...Object.keys(as)]))
      for (const y of new Set([...Object.keys(es[x] ?? {}), ...Object.keys(as[x] ?? {})]))
        if (!same(es[x]?.[y], as[x]?.[y])) out.push(`${section} > ${x} > ${y}`);
  }
  return out.length > max ? [...out.slice(0, max), `... and ${out.length - max} more`] : out;
}

describe("the golden verdicts (test/golden/verdicts.json)", () => {
  it("compare, gate and the ab analysis give what they gave before the restructuring", async () => {
    const t0 = performance.now();
    const actual = JSON.parse(serializeGolden(await computeGoldenVerdicts())) as GoldenVerdicts;
    const expected = readGolden();
    const differing = differingEntries(expected, actual);
    if (differing.length > 0) {
      mkdirSync(join(ROOT, "test-output"), { recursive: true });
      writeFileSync(join(ROOT, ACTUAL_FILE), serializeGolden(actual));
    }
    expect(
      actual,
      [
        `behaviour changed: ${differing.length} entries differ from ${GOLDEN_FILE}:`,
        ...differing.map((d) => `  ${d}`),
        `what came out now is in ${ACTUAL_FILE}: look with \`diff -u ${GOLDEN_FILE} ${ACTUAL_FILE}\`.`,
        "Issue 18 must not change it; an intended change of behaviour rewrites it with `npx tsx tools/write-golden-verdicts.ts`, said in the commit.",
      ].join("\n"),
    ).toEqual(expected);
    process.stderr.write(`golden verdicts recomputed in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  });

  it("the batch children print what `node bin/perf-baseline.js` prints, one process per command", async () => {
    // a sample: for each command, the first pair of each exit code the golden file holds
    const golden = readGolden();
    const seen = new Set<string>();
    const sample = allCliJobs().filter((job) => {
      const key = `${job.command} ${golden[job.command][job.a]?.[job.b]?.exit_code}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    expect(sample.length).toBeGreaterThanOrEqual(6);
    const runs = await runCliJobs(sample, "separate");
    sample.forEach((job, i) => {
      expect(runs[i], `${job.command} ${job.a} ${job.b}`).toEqual(golden[job.command][job.a]?.[job.b]);
    });
  });
});
