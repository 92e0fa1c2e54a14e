/**
 * The gate on instruction counts (`--counter instructions`): deterministic counts need no statistics. Counts
 * are comparable when mode, workload of the counted run, model, engine name and versions and the ggml CPU
 * variant match (the hardware fingerprint is recorded but does not block: counts of the same code on the
 * same instruction set do not depend on the machine's speed). Then REGRESSION when the count per output token
 * (per embedding call) rose by at least the threshold, PASS otherwise. The evidence names the counted function
 * whose self count grew most: where the extra work is. Pure; the same rule as rustc-perf's and iai-callgrind's
 * instruction-count gates (a relative change against a fixed threshold).
 */
import type { GateConfig } from "../config/gate-config.js";
import type { BenchmarkResult, InstructionsBlock } from "../results/schema.js";
import type { FieldDifference } from "./comparability.js";
import { type Coded, coded, type InstructionReason } from "./reasons.js";
import type { Verdict } from "./verdict-exit.js";

/** One difference that makes counts incomparable. */
export type CountDifference = FieldDifference;

/** The verdict of the instruction gate and its evidence; JSON-serialisable. */
export interface InstructionGateReport {
  kind: "instructions";
  verdict: Exclude<Verdict, "INCONCLUSIVE">;
  mode: BenchmarkResult["mode"];
  unit: InstructionsBlock["unit"];
  /** the threshold, a fraction (0.02 = 2 %) */
  threshold: number;
  baseline_per_unit: number;
  candidate_per_unit: number;
  /** candidate / baseline - 1 (0.03 = 3 % more instructions per unit) */
  change: number;
  /** the function whose self count per unit grew most (null when none grew) */
  grew_most: { name: string; baseline_per_unit: number; candidate_per_unit: number; change: number } | null;
  /** what makes the counts incomparable (empty when comparable) */
  differences: CountDifference[];
  /** recorded, not blocking: the machines differ */
  hardware_differs: boolean;
  /** one line each: why this verdict */
  reasons: string[];
  /** `reasons` as codes (src/gate/reasons.ts), in the same order */
  coded_reasons: Coded<InstructionReason>[];
}

/** The fields that must match for counts to be compared (see the module comment). */
export function countDifferences(baseline: BenchmarkResult, candidate: BenchmarkResult): CountDifference[] {
  const b = baseline.instructions;
  const c = candidate.instructions;
  const out: CountDifference[] = [];
  const same = (field: string, x: unknown, y: unknown) => {
    const sx = typeof x === "string" ? x : JSON.stringify(x ?? null);
    const sy = typeof y === "string" ? y : JSON.stringify(y ?? null);
    if (sx !== sy) out.push({ field, baseline: sx, candidate: sy });
  };
  same("mode", baseline.mode, candidate.mode);
  same("instructions.workload_digest", b?.workload_digest, c?.workload_digest);
  same("model", baseline.model.sha256 ?? baseline.model.name, candidate.model.sha256 ?? candidate.model.name);
  same("engine.name", baseline.engine.name, candidate.engine.name);
  const keys = [
    ...new Set([...Object.keys(baseline.engine.versions), ...Object.keys(candidate.engine.versions)]),
  ].sort();
  for (const k of keys)
    same(`engine.versions.${k}`, baseline.engine.versions[k], candidate.engine.versions[k]);
  same("instructions.cpu_backend_variant", b?.cpu_backend_variant, c?.cpu_backend_variant);
  same("instructions.counted_functions", b?.counted_functions, c?.counted_functions);
  return out;
}

/** Per-unit self counts of the functions of a block, by name. */
function perUnitSelf(block: InstructionsBlock): Map<string, number> {
  const units = block.units_per_round.reduce((a, x) => a + x, 0);
  return new Map(block.functions.map((f) => [f.name, units > 0 ? f.self / units : 0]));
}

/**
 * The function whose self count per unit grew most. A block records only its largest functions, so a
 * function missing from the baseline's list counts as new only when its candidate count exceeds the smallest
 * one the baseline's list holds (below that it may have been cut off, not absent); one missing from the
 * candidate's list did not grow.
 */
export function functionGrewMost(
  b: InstructionsBlock,
  c: InstructionsBlock,
): InstructionGateReport["grew_most"] {
  const pb = perUnitSelf(b);
  const pc = perUnitSelf(c);
  const listedDownTo = pb.size > 0 ? Math.min(...pb.values()) : 0;
  let best: InstructionGateReport["grew_most"] = null;
  for (const name of pc.keys()) {
    const y = pc.get(name) ?? 0;
    const listed = pb.get(name);
    if (listed === undefined && y <= listedDownTo) continue;
    const x = listed ?? 0;
    if (y - x > 0 && (best === null || y - x > best.candidate_per_unit - best.baseline_per_unit))
      best = {
        name,
        baseline_per_unit: x,
        candidate_per_unit: y,
        change: x > 0 ? y / x - 1 : Number.POSITIVE_INFINITY,
      };
  }
  return best;
}

/** The reasons of a verdict on comparable counts: the counts, the function that grew most, the machines. */
function countReasons(
  b: InstructionsBlock,
  c: InstructionsBlock,
  change: number,
  threshold: number,
  grew: InstructionGateReport["grew_most"],
  hardwareDiffers: boolean,
): InstructionReason[] {
  const unit = b.unit;
  return [
    {
      code: "instruction_counts",
      unit,
      baseline_per_unit: b.per_unit,
      candidate_per_unit: c.per_unit,
      change,
      threshold,
    },
    grew ? { code: "grew_most", unit, ...grew } : { code: "no_function_grew" },
    ...(hardwareDiffers ? [{ code: "machines_differ" } satisfies InstructionReason] : []),
  ];
}

/**
 * Gates a candidate's instruction counts against a baseline's.
 * @param threshold the largest tolerated rise of the count per unit, a fraction in (0, 1)
 * @returns null when either result has no `instructions` block; else the verdict and its evidence
 */
export function gateInstructions(
  baseline: BenchmarkResult,
  candidate: BenchmarkResult,
  threshold: number,
): InstructionGateReport | null {
  const b = baseline.instructions;
  const c = candidate.instructions;
  if (!b || !c) return null;
  const differences = countDifferences(baseline, candidate);
  const change = b.per_unit > 0 ? c.per_unit / b.per_unit - 1 : Number.POSITIVE_INFINITY;
  const grew = functionGrewMost(b, c);
  const hardwareDiffers =
    baseline.environment.hardware_fingerprint !== candidate.environment.hardware_fingerprint;
  const comparable = differences.length === 0;
  const reasons: InstructionReason[] = comparable
    ? countReasons(b, c, change, threshold, grew, hardwareDiffers)
    : [{ code: "counts_not_comparable", differences }];
  const codedReasons = reasons.map(coded);
  return {
    kind: "instructions",
    verdict: !comparable ? "INCOMPARABLE" : change >= threshold ? "REGRESSION" : "PASS",
    mode: baseline.mode,
    unit: b.unit,
    threshold,
    baseline_per_unit: b.per_unit,
    candidate_per_unit: c.per_unit,
    change,
    grew_most: grew,
    differences,
    hardware_differs: hardwareDiffers,
    reasons: codedReasons.map((r) => r.text),
    coded_reasons: codedReasons,
  };
}

/**
 * The instruction verdict of a candidate against a baseline, at the mode's `instruction_thresholds`;
 * INCOMPARABLE when only one of them has counts.
 * @returns null when neither has counts
 */
export function instructionVerdict(
  baseline: BenchmarkResult,
  candidate: BenchmarkResult,
  config: GateConfig,
): InstructionGateReport | null {
  const threshold = config.instruction_thresholds[baseline.mode];
  const report = gateInstructions(baseline, candidate, threshold);
  if (report) return report;
  if (!baseline.instructions && !candidate.instructions) return null;
  const missing = coded<InstructionReason>({
    code: "counts_missing",
    side: baseline.instructions ? "candidate" : "baseline",
  });
  return {
    kind: "instructions",
    verdict: "INCOMPARABLE",
    mode: baseline.mode,
    unit: baseline.mode === "generation" ? "output_token" : "embedding_call",
    threshold,
    baseline_per_unit: baseline.instructions?.per_unit ?? 0,
    candidate_per_unit: candidate.instructions?.per_unit ?? 0,
    change: 0,
    grew_most: null,
    differences: [
      {
        field: "instructions",
        baseline: baseline.instructions ? "counted" : "absent",
        candidate: candidate.instructions ? "counted" : "absent",
      },
    ],
    hardware_differs: false,
    reasons: [missing.text],
    coded_reasons: [missing],
  };
}

/** True when a result's wall-time figures come from a counted run under valgrind (never time-gated). */
export function timedUnderValgrind(r: BenchmarkResult): boolean {
  return r.instructions !== undefined && !r.instructions.wall_time_comparable;
}
