/**
 * `perf-baseline check-release` (`make check-release`): runs every release test of the configuration
 * (`release_tests`, src/config/release-tests.ts: by default the specification's generation and embedding
 * tests), gates each against its committed baseline on its metrics (capturing again where the variance rule
 * asks) and counts its instructions where the test is counted, joins every verdict (src/gate/combine.ts: a
 * REGRESSION in any test is a REGRESSION) and hands everything to the release evidence
 * (src/report/evidence/release-evidence.ts), which writes the folder.
 */
import { join } from "node:path";
import { fileStamp } from "../../baseline/files.js";
import { assertReleaseBaseline, findGateConfig } from "../../config/find-config.js";
import type { GateConfig } from "../../config/gate-config.js";
import type { ReleaseTest } from "../../config/release-tests.js";
import { type Combined, combineVerdicts, type VerdictPart } from "../../gate/combine.js";
import { type GateMetricName, metricsToGate, roundValues } from "../../gate/metrics.js";
import type { ChangedPathsFn } from "../../gate/staleness.js";
import { assertEvidenceFolder, EvidenceFolder } from "../../report/evidence/folder.js";
import { ReleaseEvidence } from "../../report/evidence/release-evidence.js";
import { getFormat } from "../../report/registry.js";
import { readResult } from "../../results/io.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { ResultFileError, UsageError } from "../../util/errors.js";
import type { FlagValues } from "../../util/flags.js";
import type { Mode } from "../../workload/workload.js";
import { AGAINST_FLAGS, againstAsked, checkReleaseAgainst } from "../against.js";
import { type Command, type FlagTable, stringFlag } from "../args.js";
import { runCapture } from "../capture.js";
import { type CountsVerdict, countsVerdict } from "../check-release-counts.js";
import { CONFIG_FLAG, MODE_SELECTION_FLAG } from "../common-flags.js";
import { capturePlanFor, gitChangedPaths, thisCommand } from "../gate-support.js";
import { RECORD_HISTORY_FLAG } from "../history-flags.js";
import { gateEachMetric, METRIC_FLAG, type MetricOutcome, readMetrics } from "../metric-gates.js";
import { status } from "../progress.js";
import { chosenReleaseTests, TEST_FLAG } from "../release-tests.js";
import { captureFlags, ownFlagNames } from "../run-flags.js";

/** The flags of `check-release`: its own, and those of a capture against a baseline. */
const FLAGS: FlagTable = {
  "evidence-dir": {
    kind: "path",
    description: "the evidence folder: new or empty (one folder holds one run; written whole at the end)",
    default: "evidence/<timestamp>",
  },
  mode: { ...MODE_SELECTION_FLAG, description: "the release tests of which modes" },
  test: TEST_FLAG,
  metric: { ...METRIC_FLAG, default: "each test's metrics (release_tests), else its mode's metric" },
  config: CONFIG_FLAG,
  ...captureFlags(),
  history: RECORD_HISTORY_FLAG,
  ...AGAINST_FLAGS,
};

/** One release test ready to run: its committed baseline and the metrics it is gated on. */
export interface ReleaseTestPlan {
  test: ReleaseTest;
  /** the baseline file */
  path: string;
  baseline: BenchmarkResult;
  metrics: GateMetricName[];
}

/** One release test's verdicts: one gate per metric, and its instruction verdict (null: not counted). */
export interface ReleaseTestOutcome {
  plan: ReleaseTestPlan;
  gates: MetricOutcome[];
  counts: CountsVerdict | null;
}

/** `perf-baseline check-release`. */
export const checkReleaseCommand: Command = {
  name: "check-release",
  summary:
    "Run the release tests, gate each against its baseline (time, and instructions where counted) and write the release evidence folder.",
  usage:
    "perf-baseline check-release [--evidence-dir DIR] [--mode both|generation|embedding] [--test NAME] [--metric NAME] [options]",
  flags: FLAGS,
  async run(values) {
    const found = findGateConfig(stringFlag(values, "config"));
    const { config, path: configPath } = found;
    const date = new Date();
    const dir = stringFlag(values, "evidence-dir") ?? join("evidence", fileStamp(date));
    assertEvidenceFolder(dir);
    const tests = chosenReleaseTests(found, values);
    if (againstAsked(values)) {
      const modes = [...new Set(tests.map((t) => t.mode))] as Mode[];
      return checkReleaseAgainst(values, { found, modes, dir, ownFlags: ownFlagNames(FLAGS) });
    }
    // every baseline and metric is validated before anything runs: a bad one is an error at once
    for (const t of tests) assertReleaseBaseline(found, t);
    const plans = tests.map((t) => releaseTestPlan(t, readMetrics(values)));
    const folder = EvidenceFolder.stage(dir);
    try {
      const evidence = new ReleaseEvidence(folder);
      const outcomes: ReleaseTestOutcome[] = [];
      for (const p of plans) outcomes.push(await checkTest(values, config, p, evidence));
      const { combined, regressed } = combineRelease(outcomes);
      await evidence.finish({
        date,
        command: thisCommand(),
        config,
        configPath,
        overall: { verdict: combined.verdict, exit_code: combined.exit_code },
        history: stringFlag(values, "history"),
        log: status,
      });
      // the last line stays the verdict and its exit code (make cannot pass the code through)
      const which = regressed.length > 0 ? `regressed: ${regressed.join(", ")}\n` : "";
      process.stdout.write(
        `evidence in ${dir} (report.md, report.html, verdicts.json, commands.txt, captures/)\n${which}${combined.verdict}: exit code ${combined.exit_code}\n`,
      );
      return combined.exit_code;
    } finally {
      folder.discard();
    }
  },
};

/**
 * Reads a release test's baseline and decides its metrics: `--metric` (those of them every baseline round
 * carries), else the test's configured metrics, else its default metric.
 * @throws ResultFileError (exit 5) for an invalid baseline, one of another mode or of another test;
 *   UsageError when none of the --metric names applies to the test.
 */
export function releaseTestPlan(test: ReleaseTest, given: readonly GateMetricName[]): ReleaseTestPlan {
  const baseline = readResult(test.baseline);
  const recapture = `recapture it with \`perf-baseline baseline --test '${test.name}'\``;
  if (baseline.mode !== test.mode)
    throw new ResultFileError(
      test.baseline,
      `a ${baseline.mode} result, but test ${test.name} is ${test.mode}; ${recapture}`,
    );
  const isDefault = test.name === test.mode && Object.keys(test.flags).length === 0;
  if (!isDefault && baseline.test !== undefined && baseline.test !== test.name)
    throw new ResultFileError(test.baseline, `holds test ${baseline.test}, not ${test.name}; ${recapture}`);
  let metrics: GateMetricName[];
  if (given.length === 0) metrics = metricsToGate(baseline, test.metrics as GateMetricName[]);
  else {
    const carried = (m: GateMetricName) =>
      roundValues(baseline, m).every((v) => typeof v === "number" && Number.isFinite(v) && v > 0);
    metrics = given.filter(carried);
    if (metrics.length === 0)
      throw new UsageError(
        `--metric ${given.join(",")}: the rounds of test ${test.name} carry none of them; choose the tests with --test`,
      );
  }
  return { test, path: test.baseline, baseline, metrics };
}

/**
 * Gates one capture of a release test (and a second one where the variance rule asks) on each of its metrics.
 * @param capture takes a capture of the test, labelled for the status line.
 */
export function gateReleaseTest(
  plan: ReleaseTestPlan,
  config: GateConfig,
  capture: (label: string) => Promise<BenchmarkResult>,
  changedPaths?: ChangedPathsFn,
): Promise<MetricOutcome[]> {
  const name = plan.test.name;
  return capture(`${name} capture 1`).then((first) =>
    gateEachMetric(
      {
        baseline: plan.baseline,
        candidate: first,
        config,
        baselineSource: plan.path,
        candidateSource: `${name} run`,
        captureAgain: () => capture(`${name} capture 2 (variance rule)`),
        ...(changedPaths ? { changedPaths } : {}),
      },
      plan.metrics,
    ),
  );
}

/**
 * The overall verdict of a release check: every test's every metric gate and every instruction verdict, joined
 * by the combiner (src/gate/combine.ts), and the tests that regressed, in order.
 */
export function combineRelease(outcomes: readonly ReleaseTestOutcome[]): {
  combined: Combined;
  regressed: string[];
} {
  const parts: VerdictPart[] = [];
  const regressed = new Set<string>();
  for (const o of outcomes) {
    const mode = o.plan.test.mode;
    const own: VerdictPart[] = o.gates.map((g) => ({
      kind: "metric",
      mode,
      verdict: g.report.verdict,
      metric: g.metric,
    }));
    if (o.counts?.report) own.push({ kind: "instructions", mode, verdict: o.counts.report.verdict });
    if (own.some((p) => p.verdict === "REGRESSION")) regressed.add(o.plan.test.name);
    parts.push(...own);
  }
  return { combined: combineVerdicts(parts), regressed: [...regressed] };
}

/**
 * One release test: captures it, gates it against its baseline on each metric, counts its instructions where
 * the test is counted; hands everything to the evidence and prints each verdict.
 */
async function checkTest(
  values: FlagValues,
  config: GateConfig,
  p: ReleaseTestPlan,
  evidence: ReleaseEvidence,
): Promise<ReleaseTestOutcome> {
  const { engine, plan } = capturePlanFor(p.baseline, values, ownFlagNames(FLAGS));
  const gates = await gateReleaseTest(p, config, (label) => runCapture(engine, plan, label), gitChangedPaths);
  // the specification's two tests are named by their mode, which the report already names
  const label = p.test.name === p.test.mode ? "" : `${p.test.name}: `;
  for (const g of gates) {
    evidence.addGate(g.report, p.baseline, p.path, g.captures, p.test.name);
    process.stdout.write(`${label}${getFormat("text").render({ kind: "gate", report: g.report })}\n`);
  }
  if (!p.test.counted) {
    process.stdout.write(`${p.test.name} instructions: not counted (release_tests: counted false)\n`);
    return { plan: p, gates, counts: null };
  }
  const counts = await countsVerdict(p.baseline, engine, plan, config, p.test.name);
  evidence.addCounts(counts);
  process.stdout.write(`${counts.text}\n`);
  return { plan: p, gates, counts };
}
