/**
 * Keep behaviour (issue 18): compare, gate and the ab analysis still give, on every fixture pair, the verdicts,
 * reasons, exit codes, figures and digests recorded in test/golden/verdicts.json before the restructuring
 * (what is recorded and what is stripped: test/golden/golden-verdicts.ts). It runs the CLI in child processes
 * but no engine. Keys added to a JSON report since (issue 19) are ignored: see {@link withoutAddedKeys}.
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

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * `actual` without the object keys `expected` does not have, at every depth (arrays element by element; an
 * element or value of another kind is kept as it is). Keys added to a JSON report after the golden file was
 * recorded (issue 19: a reason's `code` beside its text) are allowed; a changed or removed value still differs.
 */
function withoutAddedKeys(expected: unknown, actual: unknown): unknown {
  if (Array.isArray(expected) && Array.isArray(actual))
    return actual.map((a, i) => (i < expected.length ? withoutAddedKeys(expected[i], a) : a));
  if (isObject(expected) && isObject(actual))
    return Object.fromEntries(
      Object.keys(actual)
        .filter((k) => k in expected)
        .map((k) => [k, withoutAddedKeys(expected[k], actual[k])]),
    );
  return actual;
}

/** `actual` with each recorded `report` object (compare, gate, ab) cut to the keys the golden file has. */
function reportsCutToGolden(expected: GoldenVerdicts, actual: GoldenVerdicts): GoldenVerdicts {
  const cut = <T extends { report: unknown }>(
    e: Record<string, Record<string, T>>,
    a: Record<string, Record<string, T>>,
  ): Record<string, Record<string, T>> =>
    Object.fromEntries(
      Object.entries(a).map(([x, byB]) => [
        x,
        Object.fromEntries(
          Object.entries(byB).map(([y, v]) => {
            const recorded = e[x]?.[y];
            return [y, recorded ? { ...v, report: withoutAddedKeys(recorded.report, v.report) } : v];
          }),
        ),
      ]),
    );
  return {
    ...actual,
    compare: cut(expected.compare, actual.compare),
    gate: cut(expected.gate, actual.gate),
    ab: cut(expected.ab, actual.ab),
  };
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
    const computed = JSON.parse(serializeGolden(await computeGoldenVerdicts())) as GoldenVerdicts;
    const expected = readGolden();
    const actual = reportsCutToGolden(expected, computed);
    const differing = differingEntries(expected, actual);
    if (differing.length > 0) {
      mkdirSync(join(ROOT, "test-output"), { recursive: true });
      writeFileSync(join(ROOT, ACTUAL_FILE), serializeGolden(computed));
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
      const recorded = golden[job.command][job.a]?.[job.b];
      const run = runs[i];
      const cut = run && recorded ? { ...run, report: withoutAddedKeys(recorded.report, run.report) } : run;
      expect(cut, `${job.command} ${job.a} ${job.b}`).toEqual(recorded);
    });
  });
});
