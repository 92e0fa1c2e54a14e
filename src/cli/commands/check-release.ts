/**
 * `perf-baseline check-release` (`make check-release`): runs the generation and embedding benchmarks, gates
 * each against its committed baseline (capturing again where the variance rule asks) and counts its
 * instructions where it can, joins the verdicts (src/gate/combine.ts) and hands everything to the release
 * evidence (src/report/evidence/release-evidence.ts), which writes the folder.
 */
import { join } from "node:path";
import { fileStamp } from "../../baseline/files.js";
import { assertConfiguredBaseline, findGateConfig } from "../../config/find-config.js";
import type { GateConfig } from "../../config/gate-config.js";
import { combineVerdicts, type VerdictPart } from "../../gate/combine.js";
import { runGate } from "../../gate/verdict.js";
import { assertEvidenceFolder, EvidenceFolder } from "../../report/evidence/folder.js";
import { ReleaseEvidence } from "../../report/evidence/release-evidence.js";
import { getFormat } from "../../report/registry.js";
import type { BenchmarkResult } from "../../results/schema.js";
import type { FlagValues } from "../../util/flags.js";
import type { Mode } from "../../workload/workload.js";
import { AGAINST_FLAGS, againstAsked, checkReleaseAgainst } from "../against.js";
import { type Command, type FlagTable, stringFlag } from "../args.js";
import { runCapture } from "../capture.js";
import { countsVerdict } from "../check-release-counts.js";
import { CONFIG_FLAG, MODE_SELECTION_FLAG, selectedModes } from "../common-flags.js";
import { capturePlanFor, gitChangedPaths, readBaseline, thisCommand } from "../gate-support.js";
import { RECORD_HISTORY_FLAG } from "../history-flags.js";
import { status } from "../progress.js";
import { captureFlags, ownFlagNames } from "../run-flags.js";

/** The flags of `check-release`: its own, and those of a capture against a baseline. */
const FLAGS: FlagTable = {
  "evidence-dir": {
    kind: "path",
    description: "the evidence folder: new or empty (one folder holds one run; written whole at the end)",
    default: "evidence/<timestamp>",
  },
  mode: MODE_SELECTION_FLAG,
  config: CONFIG_FLAG,
  ...captureFlags(),
  history: RECORD_HISTORY_FLAG,
  ...AGAINST_FLAGS,
};

/** One mode's committed baseline. */
interface ReleaseBaseline {
  mode: Mode;
  path: string;
  result: BenchmarkResult;
}

/** `perf-baseline check-release`. */
export const checkReleaseCommand: Command = {
  name: "check-release",
  summary: "Run both benchmarks, gate each against its baseline and write the release evidence folder.",
  usage: "perf-baseline check-release [--evidence-dir DIR] [--mode both|generation|embedding] [options]",
  flags: FLAGS,
  async run(values) {
    const found = findGateConfig(stringFlag(values, "config"));
    const { config, path: configPath } = found;
    const modes = selectedModes(values);
    const date = new Date();
    const dir = stringFlag(values, "evidence-dir") ?? join("evidence", fileStamp(date));
    assertEvidenceFolder(dir);
    if (againstAsked(values))
      return checkReleaseAgainst(values, { found, modes, dir, ownFlags: ownFlagNames(FLAGS) });
    // every baseline is validated before anything runs: a bad one is exit 5 at once
    for (const m of modes)
      assertConfiguredBaseline(found, m, "give a configuration that names one with --config FILE");
    const baselines = modes.map((m) => ({
      mode: m,
      path: config.baselines[m],
      result: readBaseline(config.baselines[m], m),
    }));
    const folder = EvidenceFolder.stage(dir);
    try {
      const evidence = new ReleaseEvidence(folder);
      for (const b of baselines) await checkMode(values, config, b, evidence);
      const overall = combineVerdicts(verdictParts(evidence));
      await evidence.finish({
        date,
        command: thisCommand(),
        config,
        configPath,
        overall: { verdict: overall.verdict, exit_code: overall.exit_code },
        history: stringFlag(values, "history"),
        log: status,
      });
      process.stdout.write(
        `evidence in ${dir} (report.md, report.html, verdicts.json, commands.txt, captures/)\n${overall.verdict}: exit code ${overall.exit_code}\n`,
      );
      return overall.exit_code;
    } finally {
      folder.discard();
    }
  },
};

/** Every mode's time verdict, then every instruction verdict that was not skipped. */
function verdictParts(evidence: ReleaseEvidence): VerdictPart[] {
  return [
    ...evidence.gates.map(
      (g): VerdictPart => ({ kind: "time", mode: g.report.mode, verdict: g.report.verdict }),
    ),
    ...evidence.counts.flatMap((c): VerdictPart[] =>
      c.report ? [{ kind: "instructions", mode: c.mode, verdict: c.report.verdict }] : [],
    ),
  ];
}

/**
 * One mode: captures it, gates it against its baseline (capturing again where the variance rule asks), counts
 * its instructions where it can; hands both to the evidence and prints both verdicts.
 */
async function checkMode(
  values: FlagValues,
  config: GateConfig,
  b: ReleaseBaseline,
  evidence: ReleaseEvidence,
): Promise<void> {
  const { engine, plan } = capturePlanFor(b.result, values, ownFlagNames(FLAGS));
  const first = await runCapture(engine, plan, `${b.mode} capture 1`);
  const { report, captures } = await runGate({
    baseline: b.result,
    candidate: first,
    config,
    baselineSource: b.path,
    candidateSource: `${b.mode} run`,
    captureAgain: () => runCapture(engine, plan, `${b.mode} capture 2 (variance rule)`),
    changedPaths: gitChangedPaths,
  });
  evidence.addGate(report, b.result, b.path, captures);
  process.stdout.write(`${getFormat("text").render({ kind: "gate", report })}\n`);
  const counts = await countsVerdict(b.result, engine, plan, config);
  evidence.addCounts(counts);
  process.stdout.write(`${counts.text}\n`);
}
