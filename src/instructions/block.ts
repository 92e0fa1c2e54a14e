/**
 * The `instructions` block of a counted result (`--counter instructions`), from callgrind's profile parts:
 * nothing is run here (the counted run itself is src/execute/counted.ts, which adds this block to its result
 * with a warning that the result's wall-time figures are not comparable).
 *
 * Per round: callgrind dumps a profile part before each call of a ROUND_MARKERS function (both local engines
 * clear the context's memory at the start of every generation round and of every embedding call), so the
 * parts that counted anything are, in order, the warmup rounds' and the measured rounds' (embedding: one part per call, summed
 * per round). When the parts do not line up with the rounds the count is still exact over the whole run and
 * per_round is left empty.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchmarkResult, InstructionsBlock } from "../results/schema.js";
import { EngineError } from "../util/errors.js";
import { type CallgrindProfile, parseCallgrind, sumProfiles, topFunctions } from "./callgrind.js";
import { COUNTED_FUNCTIONS } from "./valgrind.js";

/** The profile parts of the engine process (the pid that counted the most), in part order. */
export function readParts(dir: string): CallgrindProfile[] {
  const byPid = new Map<string, CallgrindProfile[]>();
  for (const name of readdirSync(dir)) {
    const m = /^cg\.(\d+)(?:\.(\d+))?$/.exec(name);
    if (!m) continue;
    const text = readFileSync(join(dir, name), "utf8");
    if (text.trim() === "") continue;
    const p = parseCallgrind(text);
    const list = byPid.get(m[1] as string) ?? [];
    list.push(p);
    byPid.set(m[1] as string, list);
  }
  let best: CallgrindProfile[] = [];
  let bestTotal = -1;
  for (const parts of byPid.values()) {
    const t = parts.reduce((a, p) => a + p.total, 0);
    if (t > bestTotal) {
      best = parts;
      bestTotal = t;
    }
  }
  return best.sort((a, b) => a.part - b.part);
}

/** Units (output tokens or embedding calls) of each measured round of a result. */
export function unitsPerRound(result: BenchmarkResult): number[] {
  return result.mode === "generation"
    ? result.samples.map((s) => s.output_tokens)
    : result.samples.map((s) => s.calls);
}

/**
 * The instructions block of a counted result from its profile parts.
 * @param parts every part of the engine process, in order
 * @param callsPerRound marker calls per round expected (1 for generation, the embedding calls of a round);
 *   the parts' own count decides when it divides evenly into the rounds
 * @throws EngineError when nothing was counted (the counted functions never ran)
 */
export function instructionsBlock(
  result: BenchmarkResult,
  parts: readonly CallgrindProfile[],
  meta: { valgrindVersion: string; callsPerRound: number; wallTimeComparable: boolean },
): InstructionsBlock {
  const counted = parts.filter((p) => p.total > 0);
  if (counted.length === 0)
    throw new EngineError(
      `callgrind counted no instructions in ${COUNTED_FUNCTIONS.join(", ")}: this engine build does not call them`,
    );
  const units = unitsPerRound(result);
  const rounds = result.samples.length;
  const totalRounds = rounds + result.warmup_rounds;
  let measured: CallgrindProfile[];
  let perRound: number[] = [];
  // parts per round: the marker calls of a round (1 for generation; embedding: per call, plus any extra call)
  const perRoundParts =
    counted.length % totalRounds === 0 ? counted.length / totalRounds : meta.callsPerRound;
  if (counted.length === totalRounds * perRoundParts) {
    measured = counted.slice(result.warmup_rounds * meta.callsPerRound);
    for (let r = 0; r < rounds; r++)
      perRound.push(
        measured.slice(r * meta.callsPerRound, (r + 1) * meta.callsPerRound).reduce((a, p) => a + p.total, 0),
      );
  } else {
    // parts do not line up with rounds: count the whole run, warmup rounds as measured ones
    measured = counted;
    perRound = [];
  }
  const sum = sumProfiles(measured);
  const unitTotal =
    perRound.length > 0
      ? units.reduce((a, x) => a + x, 0)
      : units.reduce((a, x) => a + x, 0) + result.warmup_rounds * (units[0] ?? 0);
  const variant = result.engine.details.cpu_backend_variant;
  return {
    counter: "callgrind",
    valgrind_version: meta.valgrindVersion,
    cpu_backend_variant: typeof variant === "string" ? variant : null,
    threads: 1,
    counted_functions: [...COUNTED_FUNCTIONS],
    rounds,
    warmup_rounds: result.warmup_rounds,
    max_new_tokens: result.mode === "generation" ? result.max_new_tokens : 0,
    workload_digest: result.workload.digest,
    wall_time_comparable: meta.wallTimeComparable,
    unit: result.mode === "generation" ? "output_token" : "embedding_call",
    per_round: perRound,
    units_per_round: units,
    per_unit: unitTotal > 0 ? sum.total / unitTotal : 0,
    functions: topFunctions(sum, 15).map((f) => ({ name: f.name, self: f.self, inclusive: f.inclusive })),
  };
}

/** A timed baseline with the counts of a counted capture of the same code added (its wall time is the timed one's). */
export function withCounts(timed: BenchmarkResult, counted: BenchmarkResult): BenchmarkResult {
  if (!counted.instructions) return timed;
  return { ...timed, instructions: { ...counted.instructions, wall_time_comparable: true } };
}
