import { monitorEventLoopDelay } from "node:perf_hooks";

/** Resolution of the event-loop delay histogram, in ms (its values are intervals; the resolution is taken off). */
export const ELD_RESOLUTION_MS = 1;

/** The event-loop delay of a span, in ms: the figures a serving result records (`event_loop_delay_ms`). */
export interface EventLoopDelayMs {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Starts monitoring this thread's event-loop delay (node:perf_hooks monitorEventLoopDelay at
 * ELD_RESOLUTION_MS). `stop()` ends it and gives the span's figures in ms, the resolution taken off each, or
 * null when no sample was taken.
 */
export function watchEventLoopDelay(): { stop(): EventLoopDelayMs | null } {
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  eld.enable();
  return {
    stop() {
      eld.disable();
      if (eld.count === 0) return null;
      const ms = (v: number) => Math.max(0, v / 1e6 - ELD_RESOLUTION_MS);
      return {
        min: ms(eld.min),
        mean: ms(eld.mean),
        p50: ms(eld.percentile(50)),
        p90: ms(eld.percentile(90)),
        p99: ms(eld.percentile(99)),
        max: ms(eld.max),
      };
    },
  };
}
