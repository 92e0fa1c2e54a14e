/**
 * `perf-baseline compare A.json B.json`: the gate's analysis for any two result files. It loads no model and
 * never imports the native addon (a test proves it): only result files, statistics and the report.
 */
import { readGateConfig } from "../../config/read-config.js";
import { runGate } from "../../gate/verdict.js";
import { renderGateText } from "../../report/gate-text.js";
import { readResult } from "../../results/io.js";
import { atomicWriteText } from "../../util/atomic-file.js";
import { UsageError } from "../../util/errors.js";
import { assertWritablePath } from "../../util/output-path.js";
import { type Command, stringFlag } from "../args.js";
import { status } from "../progress.js";

/** `perf-baseline compare`: A is the baseline, B the candidate. */
export const compareCommand: Command = {
  name: "compare",
  summary: "Compare two result files (A = baseline, B = candidate) with the gate's analysis; loads no model.",
  usage: "perf-baseline compare A.json B.json [--config FILE] [--report-json FILE] [--allow-incomplete]",
  positionals: 2,
  flags: {
    config: { type: "string", description: "gate configuration file", default: "perf-baseline.config.json" },
    "report-json": {
      type: "string",
      description: "also write the verdict and its evidence as JSON to this file (- for standard output)",
    },
    "allow-incomplete": {
      type: "boolean",
      description: 'also compare partial results ("complete": false, an interrupted run); refused by default',
    },
  },
  async run(values, positionals) {
    const [a, b] = positionals;
    if (a === undefined || b === undefined)
      throw new UsageError("compare: needs two result files: A.json B.json");
    const { config } = readGateConfig(stringFlag(values, "config"));
    const reportPath = stringFlag(values, "report-json");
    if (reportPath !== undefined) assertWritablePath(reportPath);
    let t0 = process.hrtime.bigint();
    const baseline = readResult(a);
    const candidate = readResult(b);
    const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
    t0 = process.hrtime.bigint();
    const { report } = await runGate({
      baseline,
      candidate,
      config,
      baselineSource: a,
      candidateSource: b,
      allowIncomplete: values["allow-incomplete"] === true,
    });
    const analysisS = Number(process.hrtime.bigint() - t0) / 1e9;
    status(
      `loaded ${baseline.samples.length} + ${candidate.samples.length} rounds in ${loadS.toFixed(2)} s; analysis took ${analysisS.toFixed(2)} s`,
    );
    process.stdout.write(renderGateText(report));
    if (reportPath !== undefined) atomicWriteText(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    return report.exit_code;
  },
};
