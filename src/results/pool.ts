/**
 * Several results of one benchmark joined into one: their samples pooled and renumbered with the figures
 * recomputed over them (build.ts, the one home of the figures), and their machine load over their combined
 * wall time. Shared by the baseline's captures (src/baseline/pool.ts) and a matrix combination's blocks
 * (src/execute/matrix-join.ts). Pure.
 */
import { sum } from "../stats/index.js";
import { embeddingFigures, generationFigures } from "./build.js";
import type { BenchmarkResult, EmbeddingResult, GenerationResult } from "./schema.js";

/**
 * The pooled samples (renumbered from 0) and the figures over them, of the results' mode (the first's).
 * @param results at least one, all of one mode.
 */
export function pooledFigures(results: readonly BenchmarkResult[]) {
  const renumber = <S extends { round: number }>(s: readonly S[]) => s.map((x, round) => ({ ...x, round }));
  if (results[0]?.mode === "generation") {
    const samples = renumber((results as GenerationResult[]).flatMap((r) => r.samples));
    return { samples, ...generationFigures(samples), rounds: samples.length };
  }
  const samples = renumber((results as EmbeddingResult[]).flatMap((r) => r.samples));
  return { samples, ...embeddingFigures(samples), rounds: samples.length };
}

type MachineLoad = NonNullable<BenchmarkResult["machine_load"]>;

/**
 * The results' machine load over their combined wall time: cores weighted by each one's wall time, the
 * highest 1-minute load average. Undefined unless every result records it.
 */
export function pooledMachineLoad(results: readonly BenchmarkResult[]): MachineLoad | undefined {
  const loads = results.map((r) => r.machine_load);
  if (loads.some((l) => l === undefined)) return undefined;
  const ls = loads as MachineLoad[];
  const wall = sum(ls.map((l) => l.wall_s));
  const weighted = (f: (l: MachineLoad) => number) =>
    wall > 0 ? sum(ls.map((l) => f(l) * l.wall_s)) / wall : 0;
  return {
    other_cores: ls.some((l) => l.other_cores === null) ? null : weighted((l) => l.other_cores ?? 0),
    process_cores: weighted((l) => l.process_cores),
    loadavg_1m: Math.max(...ls.map((l) => l.loadavg_1m)),
    wall_s: wall,
  };
}
