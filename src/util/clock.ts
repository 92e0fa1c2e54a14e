/** The monotonic clock every timestamp of a run is taken from: process.hrtime.bigint(), nanoseconds. */
export const nowNs = (): bigint => process.hrtime.bigint();
