/**
 * The words of a gate of imported results (src/gate/imported.ts): one block per test, the tests left
 * unmatched, and the overall verdict. Pure.
 */
import type { ImportedComparison, ImportedGate, ImportedReason, SummaryKind } from "../gate/imported.js";
import { fmtP, fmtRate, pct } from "../util/format.js";

const REASONS: Record<ImportedReason, string> = {
  not_comparable: "the tools' settings differ",
  metric_missing: "a side does not carry this metric",
  no_direction: "the format does not say which way this metric gets better: give --direction higher|lower",
  summary_kinds_differ: "the two sides summarise differently: not comparable",
  too_few_samples: "fewer samples than min_rounds on a side",
  capture_1_pass: "the interval lies above 1 - T",
  capture_1_regression: "drop >= T, significant, interval below 1",
  capture_1_not_significant: "a clean capture that does not show a drop of T",
  no_second_capture: "noisy or straddling capture: give a second --candidate",
  second_capture_missing_test: "the second capture lacks this test",
  two_captures_regression: "capture 1, capture 2 and the pooled samples each show the drop",
  pooled_pass: "the pooled interval lies above 1 - T",
  not_shown_by_each: "not every capture shows the drop",
  summary_pass: "the drop is below T",
  summary_one_capture: "one capture drops by T or more: a second --candidate can confirm it",
  summary_confirmed: "a second capture confirms the drop of T or more",
  summary_not_confirmed: "the second capture does not confirm the drop",
};

const KINDS: Record<SummaryKind, string> = {
  samples: "samples, compared by their mean",
  mean: "a mean",
  median: "a median",
  value: "a figure of unstated kind",
};

/** The reason's words; summary_kinds_differ names what each side gives ("baseline: a median; candidate: ..."). */
function reasonText(g: ImportedGate): string {
  const k = g.summary_kinds;
  if (g.reason !== "summary_kinds_differ" || !k) return REASONS[g.reason];
  const names = k.candidates.length === 1 ? ["candidate"] : k.candidates.map((_, i) => `capture ${i + 1}`);
  const sides = [`baseline: ${KINDS[k.baseline]}`, ...k.candidates.map((c, i) => `${names[i]}: ${KINDS[c]}`)];
  return `the two sides summarise differently (${sides.join("; ")}): not comparable`;
}

function evidence(g: ImportedGate): string[] {
  if (g.summary) {
    const drops = g.summary.drops.map((d) => pct(d)).join(", then ");
    return [
      `    ${g.summary.value_kind} ${fmtRate(g.summary.baseline)} -> ${g.summary.candidates.map(fmtRate).join(", ")} ${g.unit}: drop ${drops} (T ${pct(g.threshold)})`,
      "    summaries only: no interval could be computed; no confidence is claimed (the specification's rule)",
    ];
  }
  return g.analyses.map(
    (a) =>
      `    ${a.label}: median ${fmtRate(a.baseline.median)} -> ${fmtRate(a.candidate.median)} ${g.unit} (n ${a.baseline.n} vs ${a.candidate.n}), drop ${pct(a.drop)}, ratio ${a.ratio.toFixed(3)} [${a.ci.low.toFixed(3)}, ${a.ci.high.toFixed(3)}] ${Math.round(a.ci.confidence * 100)} %, p ${fmtP(a.p_value)} (T ${pct(g.threshold)})`,
  );
}

function block(g: ImportedGate): string[] {
  const dir = g.direction === null ? "direction unknown" : `${g.direction} is better`;
  const lines = [`  ${g.test}  ${g.metric} (${dir}): ${g.verdict}: ${reasonText(g)}`];
  for (const d of g.key.differences) lines.push(`    differs: ${d.field}: ${d.baseline} -> ${d.candidate}`);
  lines.push(...evidence(g));
  if (g.key.unknown.length > 0)
    lines.push(`    not recorded on both sides (not checked): ${g.key.unknown.join(", ")}`);
  if (g.versions)
    lines.push(
      `    tool version ${g.versions.baseline ?? "(unknown)"} -> ${g.versions.candidate ?? "(unknown)"}: compared; establish a new baseline`,
    );
  return lines;
}

/** The comparison as text: a header, one block per test, unmatched tests, the verdict. */
export function renderImportedText(
  c: ImportedComparison,
  baselineSource: string,
  candidateSources: readonly string[],
): string {
  const formats = [...new Set(c.gates.map((g) => g.format))].join(", ") || "no matched test";
  const out = [`perf-baseline: ${baselineSource} (baseline) vs ${candidateSources.join(" + ")} (${formats})`];
  for (const g of c.gates) out.push(...block(g));
  if (c.unmatched_baseline.length > 0)
    out.push(`  baseline tests with no candidate: ${c.unmatched_baseline.join("; ")}`);
  if (c.unmatched_candidate.length > 0)
    out.push(`  candidate tests with no baseline: ${c.unmatched_candidate.join("; ")}`);
  out.push(`verdict: ${c.verdict}`);
  return `${out.join("\n")}\n`;
}
