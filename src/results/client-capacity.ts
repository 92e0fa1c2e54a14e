/**
 * The `serving.client_capacity` block of a serving result and its `client_saturated` warning: whether the
 * client kept up with its plan (src/measure/client-capacity.ts holds the figures, limits and test).
 */
import {
  CLIENT_LIMITS,
  type ClientFigures,
  clientSaturation,
  evidenceText,
  type SaturationEvidence,
  type ScheduleFigures,
} from "../measure/client-capacity.js";
import type { BenchmarkResult } from "./schema.js";
import { type Warning, warningRecord } from "./warnings.js";

/** The block as a result records it. */
export type ClientCapacityBlock = NonNullable<NonNullable<BenchmarkResult["serving"]>["client_capacity"]>;

/**
 * The figures the saturation test reads from a serving result: the recorded block when present, else what
 * older results hold (the event-loop delay, the scheduling delay's p99 as the lag).
 * @returns null for a result that is not a serving one.
 */
export function clientFiguresOf(result: BenchmarkResult): ClientFigures | null {
  const s = result.serving;
  if (!s) return null;
  const c = s.client_capacity;
  const o = s.client_overhead;
  // with worker threads the process's CPU adds up their threads: the busiest thread's share is the figure
  const threads = s.workers && s.workers.length > 1 ? s.workers.map((w) => w.event_loop_utilization) : null;
  return {
    event_loop_delay_p99_ms: o.event_loop_delay_ms?.p99 ?? null,
    schedule_lag_p99_ms: c?.schedule_lag_ms?.p99 ?? o.scheduling_delay_ms?.p99 ?? null,
    achieved_rate_fraction: c?.achieved_rate_fraction ?? null,
    queue_wait_p99_ms: o.queue_wait_ms?.p99 ?? null,
    client_cores: threads
      ? Math.max(...threads)
      : c
        ? c.client_cores
        : (result.machine_load?.process_cores ?? null),
  };
}

/** The evidence of a saturated client in a result (empty when the client kept up or it is not serving). */
export function saturationOf(result: BenchmarkResult): SaturationEvidence[] {
  const f = clientFiguresOf(result);
  return f ? clientSaturation(f) : [];
}

/**
 * Records, in place, the client capacity block of a serving result (its schedule figures and the client's CPU
 * from `machine_load`) and, when the client may have been the bottleneck, the `client_saturated` warning.
 * A result without a serving block is left as it is.
 */
export function recordClientCapacity(result: BenchmarkResult, schedule: ScheduleFigures): void {
  const s = result.serving;
  if (!s) return;
  s.client_capacity = {
    schedule_lag_ms: schedule.schedule_lag_ms,
    achieved_rate_fraction: schedule.achieved_rate_fraction,
    client_cores: result.machine_load?.process_cores ?? null,
    saturated_by: [],
  };
  const figures = clientFiguresOf(result);
  const evidence = figures ? clientSaturation(figures) : [];
  s.client_capacity.saturated_by = evidence;
  const capped = rateNotKept(figures, result.load?.concurrency ?? 0);
  if (capped) result.warnings.push(warningRecord(capped));
  if (evidence.length > 0)
    result.warnings.push(
      warningRecord({ code: "client_saturated", evidence: evidence.map(evidenceText).join("; ") }),
    );
}

/**
 * The `rate_not_kept` warning of a run whose planned rate was not kept because its requests waited for a
 * concurrency slot (the case the saturation test does not count against the client: CLIENT_LIMITS), or null.
 * @param f the run's client figures (null: not a serving run)
 * @param concurrency the run's --concurrency
 */
export function rateNotKept(
  f: ClientFigures | null,
  concurrency: number,
): Extract<Warning, { code: "rate_not_kept" }> | null {
  const rate = f?.achieved_rate_fraction ?? null;
  const wait = f?.queue_wait_p99_ms ?? null;
  if (rate === null || wait === null) return null;
  if (rate >= CLIENT_LIMITS.achieved_rate_fraction || wait < CLIENT_LIMITS.schedule_lag_p99_ms) return null;
  return { code: "rate_not_kept", achieved: rate, queue_wait_p99_ms: wait, concurrency };
}
