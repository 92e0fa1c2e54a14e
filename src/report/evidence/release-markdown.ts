/**
 * The release report (report.md) from the specification's "Performance report template"
 * (docs/performance-baseline.md): date/hardware, baseline files, both regression gates, the manual trigger
 * condition; then the evidence of each gate, the exact commands and the instruction counts. GitHub-flavoured
 * Markdown, fit for $GITHUB_STEP_SUMMARY. Also verdicts.json, the same release as JSON. Pure: returns strings.
 */
import type { GateConfig } from "../../config/gate-config.js";
import type { InstructionGateReport } from "../../gate/instructions.js";
import type { Coded, CountsSkip } from "../../gate/reasons.js";
import type { GateReport } from "../../gate/verdict.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { pct } from "../../util/format.js";
import type { Mode } from "../../workload/workload.js";
import { gateSection } from "../markdown.js";

/** One gate of a release check: a release test on one metric. */
export interface ReleaseGate {
  report: GateReport;
  /** the release test's name (src/config/release-tests.ts); absent: the mode's test (named by the mode) */
  test?: string;
  baseline: BenchmarkResult;
  /** the candidate captures, in order */
  captures: BenchmarkResult[];
  /** evidence file names of the captures, relative to the evidence folder */
  capture_files: string[];
}

/** One test's instruction verdict, or why there is none. */
export interface ReleaseCounts {
  mode: Mode;
  /** the release test's name; absent: the mode's test */
  test?: string;
  /** null when skipped */
  report: InstructionGateReport | null;
  /** why it was skipped (null when not) */
  skipped: Coded<CountsSkip> | null;
  /** the counted capture (null when skipped before capturing) */
  capture: BenchmarkResult | null;
  /** the text printed */
  text: string;
}

/** Everything report.md shows. */
export interface ReleaseReportInput {
  date: string;
  gates: ReleaseGate[];
  config: GateConfig;
  /** the check-release command line */
  command: string;
  /** overall verdict and exit code of the check */
  overall: { verdict: string; exit_code: number };
  /** the evidence folder, as given */
  evidence_dir: string;
}

function hardwareLine(r: BenchmarkResult): string {
  const h = r.environment.hardware;
  const gpu = h.gpu_model ? `${h.gpu_count} x ${h.gpu_model} (${h.gpu_memory_mib} MiB)` : "no GPU";
  return `${h.cpu_model}, ${h.logical_cores} logical cores, ${h.memory_gib} GiB, ${gpu}, ${r.environment.platform}, Node ${r.environment.node} (hardware fingerprint \`${r.environment.hardware_fingerprint.slice(0, 12)}\`)`;
}

function baselineLine(g: ReleaseGate): string {
  const b = g.baseline;
  const block = b.baseline;
  const how = block
    ? `${block.captures} capture${block.captures > 1 ? "s" : ""} of ${block.rounds_per_capture.join(" + ")} rounds${
        block.between_capture_spread === null
          ? ""
          : `, between-capture spread ${pct(block.between_capture_spread)}`
      }`
    : `${b.samples.length} rounds, one capture`;
  const commit = b.git ? `, commit \`${b.git.commit.slice(0, 12)}\`${b.git.dirty ? " (dirty)" : ""}` : "";
  return `\`${g.report.baseline_source}\` (captured ${b.started_at}, ${how}${commit})`;
}

function gateLine(g: ReleaseGate): string {
  const r = g.report;
  const a = r.analyses[r.analyses.length - 1];
  const figures = a
    ? `: median ${a.candidate.median.toPrecision(4)} vs ${a.baseline.median.toPrecision(4)} ${r.metric.replace(/_/g, " ")}, ratio ${a.ratio.toFixed(3)}, CI [${a.ci.low.toFixed(3)}, ${a.ci.high.toFixed(3)}], p ${a.p_value.toPrecision(2)}`
    : "";
  return `**${r.verdict}**${figures}`;
}

function triggerLine(gates: readonly ReleaseGate[], config: GateConfig): string {
  const stale = gates.filter((g) => g.report.stale.stale);
  const unchecked = [...new Set(gates.flatMap((g) => g.report.stale.unchecked))];
  const paths = `core: ${config.rebaseline.core.map((p) => `\`${p}\``).join(", ")}; tokenizer: ${config.rebaseline.tokenizer.map((p) => `\`${p}\``).join(", ")}`;
  if (stale.length > 0) {
    const reasons = [...new Set(stale.flatMap((g) => g.report.stale.reasons))];
    return `**baseline stale: recapture** (\`make baseline\`): ${reasons.join("; ")} (${paths})`;
  }
  if (unchecked.length > 0) return `not fully checked: ${unchecked.join("; ")} (${paths})`;
  return `no engine/runtime version change and no change under the core or tokenizer paths since the baseline commits (${paths})`;
}

/** A gate's section: the gate's own, headed by its test and metric when it is not the mode's default test. */
function testSection(g: ReleaseGate): string[] {
  const lines = gateSection(g.report);
  if (g.test === undefined || g.test === g.report.mode) return lines;
  return [`## Test ${g.test} (${g.report.mode}, ${g.report.metric}): ${g.report.verdict}`, ...lines.slice(1)];
}

/** The line of the release tests: each gate's test, metric and verdict. */
function testsLine(gates: readonly ReleaseGate[]): string {
  return gates
    .map((g) => `\`${g.test ?? g.report.mode}\` ${g.report.metric}: **${g.report.verdict}**`)
    .join("; ");
}

/** report.md of a release check. */
export function renderReleaseReport(input: ReleaseReportInput): string {
  const { gates, config } = input;
  // the specification's gate of a mode is its own test (named by the mode); the other tests have their line
  const byMode = (m: string) => gates.find((g) => g.report.mode === m && (g.test ?? m) === m);
  const baselineGates = gates.filter(
    (g, i) => gates.findIndex((o) => o.report.baseline_source === g.report.baseline_source) === i,
  );
  const gen = byMode("generation");
  const emb = byMode("embedding");
  const first = gates[0]?.captures[0];
  const out: string[] = [];
  out.push(`# Performance report: ${input.overall.verdict}`);
  out.push("");
  out.push(`- Date/hardware: ${input.date}; ${first ? hardwareLine(first) : "no capture"}`);
  out.push(
    `- Baseline files: generation + embedding snapshots in \`docs/\`: ${baselineGates.map(baselineLine).join("; ")}`,
  );
  out.push(`- Release tests: ${testsLine(gates)}`);
  out.push(
    `- Generation regression gate: \`${Math.round(config.thresholds.generation * 100)}%\` throughput drop. ${gen ? gateLine(gen) : "not run"}`,
  );
  out.push(
    `- Embedding regression gate: \`${Math.round(config.thresholds.embedding * 100)}%\` throughput drop. ${emb ? gateLine(emb) : "not run"}`,
  );
  out.push(
    `- Manual trigger condition: rerun baseline for changes in core or tokenizer/tokenization path. ${triggerLine(gates, config)}`,
  );
  for (const g of gates) {
    out.push("");
    out.push(...testSection(g));
    out.push(`- Raw captures: ${g.capture_files.map((f) => `\`${f}\``).join(", ")}.`);
  }
  out.push("");
  out.push("## Invocation commands");
  out.push("");
  out.push("```sh");
  out.push(input.command);
  const commands = gates.flatMap((g) =>
    g.captures.map((c) => `# ${g.test ?? c.mode} capture: ${c.invocation.command}`),
  );
  out.push(...new Set(commands));
  out.push("```");
  out.push("");
  out.push(
    `Exit code ${input.overall.exit_code}. Evidence folder: \`${input.evidence_dir}\` (raw JSON of every capture, the baselines used, commands.txt, verdicts.json, this report).`,
  );
  return `${out.join("\n")}\n`;
}

/** The Markdown section of the instruction verdicts (empty when there are none). */
export function countsMarkdown(verdicts: readonly ReleaseCounts[]): string {
  if (verdicts.length === 0) return "";
  const lines = ["", "## Instruction counts", ""];
  for (const v of verdicts) {
    if (!v.report) lines.push(`- ${v.text}`);
    else
      lines.push(
        `- **${v.test ?? v.mode}: ${v.report.verdict}**`,
        ...v.report.reasons.map((r) => `  - ${r}`),
      );
  }
  return `${lines.join("\n")}\n`;
}

/** report.md: the release report, then the instruction counts. */
export function releaseMarkdown(input: ReleaseReportInput, counts: readonly ReleaseCounts[]): string {
  return `${renderReleaseReport(input)}${countsMarkdown(counts)}`;
}

/** verdicts.json: the date, command, overall verdict, configuration and every gate's report. */
export function releaseJson(input: ReleaseReportInput): string {
  const doc = {
    date: input.date,
    command: input.command,
    overall: input.overall,
    config: input.config,
    gates: input.gates.map((g) => ({ test: g.test, ...g.report })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** instructions.json: each mode's instruction verdict, or why it was skipped. */
export function countsJson(counts: readonly ReleaseCounts[]): string {
  const doc = counts.map(
    (c) => c.report ?? { mode: c.mode, skipped: c.text, ...(c.skipped ? { coded_skipped: c.skipped } : {}) },
  );
  return `${JSON.stringify(doc, null, 2)}\n`;
}
