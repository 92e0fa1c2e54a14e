/**
 * Contention on either side of a comparison, from the results' `machine_load` blocks. Pure.
 *
 * A busier machine is not a slower runtime, in either direction:
 * - a candidate captured under more load than the baseline looks slower than it is: its drop may be contention,
 *   so it never makes a REGRESSION;
 * - a baseline captured under more load than the candidate looks slower than it was: it hides a drop of up to
 *   the CPU share it lost, so it never makes a PASS unless the interval clears 1 - T even after that share.
 *
 * Local results (the engine runs in the measured process): a side is busier when other processes used more
 * than `busy_other_cores` cores during it and the measured process got a CPU share lower than on the other
 * side by more than `busy_share_drop_fraction_of_threshold` x T. Contention takes more throughput than the CPU
 * share it takes (shared caches, memory bandwidth, a sibling hyperthread): on the 2-core VM of
 * notes/gate-accuracy.md a CPU burner took 34 % of the engine's share and 44 % of its tokens/s. The drop such
 * a side could hide is therefore CONTENTION_SHARE_FACTOR x the share it lost (at most 100 %).
 * A side is also busier when other processes used more than `busy_other_cores` cores more than during the
 * other side (a runtime that waits loses share on both sides alike); it could hide the extra cores' share of
 * the machine.
 *
 * Serving results (a `load` block: the process measured is the client, the server is one of the "other
 * processes" when it runs on this machine): the client's share says nothing about the server's, so a side is
 * busier when other processes used more than `busy_other_cores` cores more than during the other side. The
 * drop such a side could hide is unknown, so it is taken as 100 %.
 */

import type { GateConfig } from "../config/gate-config.js";
import type { BenchmarkResult } from "../results/schema.js";
import { type Contention, type ContentionFinding, reasonText } from "./reasons.js";

export type { Contention } from "./reasons.js";

/**
 * How much throughput contention may take per unit of CPU share it takes: 2, twice the 1.28 measured on this
 * project's 2-core VM (a CPU burner: share -34 %, tokens/s -44 %, 14 captures each; notes/gate-accuracy.md),
 * so that machines with a sibling hyperthread or a narrower memory bus are covered.
 */
export const CONTENTION_SHARE_FACTOR = 2;

function isServing(r: BenchmarkResult): boolean {
  return r.load !== undefined;
}

/** A finding with its line and the drop it can account for. */
function contention(finding: ContentionFinding, hideableDrop: number): Contention {
  return { ...finding, text: reasonText(finding), hideable_drop: hideableDrop };
}

/**
 * Whether `busier` (labelled `label`) was captured under more load than `quieter` (labelled `otherLabel`).
 * @param t the threshold T of the mode, a fraction.
 * @returns null when it was not, or when either side records no machine load.
 */
export function busierThan(
  busier: BenchmarkResult,
  quieter: BenchmarkResult,
  label: string,
  otherLabel: string,
  config: GateConfig,
  t: number,
): Contention | null {
  const b = busier.machine_load;
  const q = quieter.machine_load;
  if (!b || !q || b.other_cores === null) return null;
  const sides = { label, other_label: otherLabel, other_cores: b.other_cores };
  if (isServing(busier) || isServing(quieter)) {
    if (q.other_cores === null) return null;
    const extra = b.other_cores - q.other_cores;
    if (extra <= config.busy_other_cores) return null;
    const finding: ContentionFinding = {
      code: "busier_serving",
      ...sides,
      extra_cores: extra,
      quieter_other_cores: q.other_cores,
    };
    return contention(finding, 1);
  }
  if (q.process_cores <= 0) return null;
  const shareDrop = 1 - b.process_cores / q.process_cores;
  if (
    b.other_cores <= config.busy_other_cores ||
    shareDrop <= config.busy_share_drop_fraction_of_threshold * t
  ) {
    // The share can fall on both sides alike: a slower runtime that waits (sleeps, locks, I/O) uses less CPU
    // too, so a busier side also shows as other processes using more cores than during the other side; the
    // drop it could hide is then the share of the machine they took in addition.
    if (q.other_cores === null) return null;
    const extra = b.other_cores - q.other_cores;
    if (extra <= config.busy_other_cores) return null;
    const cores = Math.max(1, busier.environment.hardware.logical_cores);
    const finding: ContentionFinding = {
      code: "busier_other_cores",
      ...sides,
      extra_cores: extra,
      quieter_other_cores: q.other_cores,
      logical_cores: cores,
    };
    return contention(finding, Math.min(1, extra / cores));
  }
  const finding: ContentionFinding = {
    code: "busier_share",
    ...sides,
    process_cores: b.process_cores,
    share_drop: shareDrop,
    quieter_process_cores: q.process_cores,
  };
  return contention(finding, Math.min(1, CONTENTION_SHARE_FACTOR * shareDrop));
}

/**
 * Whether a ratio interval still excludes a drop of T once a busier baseline's hideable drop is taken off:
 * the true ratio is at least `ciLow x (1 - hideable_drop)` when contention slowed the baseline by up to that.
 */
export function excludesDropDespite(ciLow: number, t: number, c: Pick<Contention, "hideable_drop">): boolean {
  return ciLow * (1 - c.hideable_drop) >= 1 - t;
}
