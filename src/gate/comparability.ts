/**
 * Comparability of two results: whether their throughput may be compared at all. Pure.
 *
 * The key: mode, workload digest, model identity (sha256, else name), engine name, the speed-relevant
 * settings, the hardware fingerprint and, when either result has one, the serving `load` block. Any
 * difference there makes the comparison INCOMPARABLE, naming each differing field. Engine versions and the
 * Node version do not block the comparison (comparing across a runtime update is what a baseline taken
 * before the update is for) but are reported: "establish a new baseline".
 */

import { CPU_IDENTITY_KEYS, CPU_REPORTED_KEYS } from "../environment/cpu.js";
import type { BenchmarkResult } from "../results/schema.js";
import { canonicalJson } from "../util/canonical-json.js";

/** One field that differs between baseline and candidate, values rendered as short text. */
export interface FieldDifference {
  /** dotted path, e.g. "settings.threads" or "environment.hardware.cpu_model" */
  field: string;
  baseline: string;
  candidate: string;
}

/** The outcome of {@link checkComparability}. */
export interface Comparability {
  comparable: boolean;
  /** differences that make the results incomparable (empty when comparable) */
  blocking: FieldDifference[];
  /** engine or runtime version changes: compared, but the baseline should be recaptured */
  versions: FieldDifference[];
  /** other differences worth printing beside the evidence (rounds, commit, tool version, ...) */
  informational: FieldDifference[];
}

const SETTINGS_KEYS = [
  "threads",
  "embedding_threads",
  "batch_size",
  "context_size",
  "gpu",
  "gpu_layers",
  // absent unless --ubatch-size was given (absent on both sides: the same)
  "ubatch_size",
] as const;

function show(v: unknown): string {
  if (v === undefined) return "(absent)";
  if (typeof v === "string") return v;
  return canonicalJson(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Leaf-level differences between two JSON values, as dotted paths under `prefix`. Objects are walked key
 * by key (a key present on one side only is a difference); arrays and scalars compare as canonical JSON.
 */
export function diffValues(prefix: string, a: unknown, b: unknown): FieldDifference[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffValues(`${prefix}.${k}`, a[k], b[k]));
  }
  if (canonicalJson(a) === canonicalJson(b)) return [];
  return [{ field: prefix, baseline: show(a), candidate: show(b) }];
}

function modelIdentity(r: BenchmarkResult): string | null {
  return r.model.sha256 ?? r.model.name;
}

/** The serving `load` block a result may carry (added by the serving work); undefined when absent. */
function loadOf(r: BenchmarkResult): unknown {
  return (r as { load?: unknown }).load;
}

/** What a result records of its CPU's identity when it does not record one. */
export const CPU_NOT_RECORDED =
  "(not recorded: the result predates the CPU identity; recapture it to compare CPUs)";

/**
 * The CPU identities' differences (environment.cpu, src/environment/cpu.ts): vendor, family, model, stepping
 * and the flags hash block a wall-time comparison; microcode and cache size are reported only. When one side
 * does not record an identity (a result from before it) nothing can be compared: that is reported, not
 * blocking, so that old pairs keep their verdicts.
 */
export function cpuDifferences(
  baseline: BenchmarkResult,
  candidate: BenchmarkResult,
): { blocking: FieldDifference[]; informational: FieldDifference[] } {
  const b = baseline.environment.cpu ?? null;
  const c = candidate.environment.cpu ?? null;
  if (b === null && c === null) return { blocking: [], informational: [] };
  if (b === null || c === null) {
    const shown = (x: typeof b) => (x === null ? CPU_NOT_RECORDED : show(x));
    return {
      blocking: [],
      informational: [{ field: "environment.cpu", baseline: shown(b), candidate: shown(c) }],
    };
  }
  const pick = (keys: readonly string[], x: Record<string, unknown>) =>
    Object.fromEntries(keys.map((k) => [k, x[k] ?? null]));
  return {
    blocking: diffValues("environment.cpu", pick(CPU_IDENTITY_KEYS, b), pick(CPU_IDENTITY_KEYS, c)),
    informational: diffValues("environment.cpu", pick(CPU_REPORTED_KEYS, b), pick(CPU_REPORTED_KEYS, c)),
  };
}

/** Checks whether `candidate` may be compared with `baseline`, naming every field that differs. */
export function checkComparability(baseline: BenchmarkResult, candidate: BenchmarkResult): Comparability {
  const blocking: FieldDifference[] = [];
  const same = (field: string, a: unknown, b: unknown) => {
    if (canonicalJson(a ?? null) !== canonicalJson(b ?? null))
      blocking.push({ field, baseline: show(a), candidate: show(b) });
  };
  same("mode", baseline.mode, candidate.mode);
  same("workload.digest", baseline.workload.digest, candidate.workload.digest);
  if (baseline.workload.digest !== candidate.workload.digest) {
    // name what makes the workloads differ, where the result shows it
    for (const d of diffValues("workload", baseline.workload, candidate.workload)) {
      if (d.field !== "workload.digest") blocking.push(d);
    }
    if (baseline.mode === "generation" && candidate.mode === "generation")
      same("max_new_tokens", baseline.max_new_tokens, candidate.max_new_tokens);
  }
  same(
    baseline.model.sha256 ? "model.sha256" : "model.name",
    modelIdentity(baseline),
    modelIdentity(candidate),
  );
  same("engine.name", baseline.engine.name, candidate.engine.name);
  for (const k of SETTINGS_KEYS) same(`settings.${k}`, baseline.settings[k], candidate.settings[k]);
  if (baseline.environment.hardware_fingerprint !== candidate.environment.hardware_fingerprint) {
    same(
      "environment.hardware_fingerprint",
      baseline.environment.hardware_fingerprint.slice(0, 12),
      candidate.environment.hardware_fingerprint.slice(0, 12),
    );
    blocking.push(
      ...diffValues("environment.hardware", baseline.environment.hardware, candidate.environment.hardware),
    );
  }
  const cpu = cpuDifferences(baseline, candidate);
  blocking.push(...cpu.blocking);
  const bl = loadOf(baseline);
  const cl = loadOf(candidate);
  if (bl !== undefined || cl !== undefined) blocking.push(...diffValues("load", bl, cl));

  const versions = [
    ...diffValues("engine.versions", baseline.engine.versions, candidate.engine.versions),
    ...diffValues("environment.node", baseline.environment.node, candidate.environment.node),
  ];

  const informational: FieldDifference[] = [];
  const note = (field: string, a: unknown, b: unknown) => {
    if (canonicalJson(a ?? null) !== canonicalJson(b ?? null))
      informational.push({ field, baseline: show(a), candidate: show(b) });
  };
  note(
    "rounds per capture",
    baseline.baseline?.rounds_per_capture[0] ?? baseline.samples.length,
    candidate.baseline?.rounds_per_capture[0] ?? candidate.samples.length,
  );
  note("warmup_rounds", baseline.warmup_rounds, candidate.warmup_rounds);
  note("git.commit", baseline.git?.commit.slice(0, 12), candidate.git?.commit.slice(0, 12));
  note("git.dirty", baseline.git?.dirty, candidate.git?.dirty);
  note("tool.version", baseline.tool.version, candidate.tool.version);
  note("environment.os_release", baseline.environment.os_release, candidate.environment.os_release);
  note("environment.hostname_hash", baseline.environment.hostname_hash, candidate.environment.hostname_hash);
  note("model.path", baseline.model.path, candidate.model.path);
  informational.push(...cpu.informational);

  return { comparable: blocking.length === 0, blocking, versions, informational };
}

/** "settings.threads: 1 vs 2; environment.hardware.cpu_model: A vs B" */
export function describeDifferences(diffs: readonly FieldDifference[]): string {
  return diffs.map((d) => `${d.field}: ${d.baseline} (baseline) vs ${d.candidate} (candidate)`).join("; ");
}
