/** The monotonic clock every timestamp of a run is taken from: process.hrtime.bigint(), nanoseconds. */
export const nowNs = (): bigint => process.hrtime.bigint();

/**
 * The same monotonic clock read without allocating a BigInt, for the per-chunk hot path of a stream:
 * performance.now(), milliseconds since the process started, a double with sub-microsecond resolution.
 * On this project's 2-core VM one read costs about 90 ns against about 230 ns for process.hrtime.bigint()
 * (notes/openai-performance.md). Convert a reading with {@link nsOfMs} before it enters a record.
 */
export const nowMs = (): number => performance.now();

/** nowNs() - nowMs() * 1e6, measured once: both read libuv's monotonic clock (uv_hrtime). */
let msOriginNs: bigint | null = null;

/**
 * A {@link nowMs} reading on the {@link nowNs} scale (ns). The offset between the two is taken once per
 * process from one nowMs() read between two nowNs() reads (their midpoint), so it is exact to within the
 * ~0.1 us those reads take; readings of a run share it, so differences between them are exact.
 */
export function nsOfMs(ms: number): bigint {
  if (msOriginNs === null) {
    const a = nowNs();
    const p = nowMs();
    const b = nowNs();
    msOriginNs = (a + b) / 2n - BigInt(Math.round(p * 1e6));
  }
  return msOriginNs + BigInt(Math.round(ms * 1e6));
}

const TWO_32 = 2 ** 32;
/** Index of the low 32-bit half of an int64 in a Uint32Array view (the platform's byte order). */
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/**
 * {@link nsOfMs} of many readings at once, into one BigInt64Array, without a BigInt per element (a stream's
 * chunk times, converted once per request off the per-chunk path). Exact while the readings are under 2^53 ns
 * (104 days) after the process started.
 */
export function nsArrayOfMs(readings: readonly number[]): BigInt64Array {
  const out = new BigInt64Array(readings.length);
  if (readings.length === 0) return out;
  const origin = nsOfMs(0);
  const originLo = Number(BigInt.asUintN(32, origin));
  const originHi = Number(origin >> 32n);
  const halves = new Uint32Array(out.buffer);
  for (let i = 0; i < readings.length; i++) {
    const sum = originLo + Math.round((readings[i] as number) * 1e6);
    const carry = Math.floor(sum / TWO_32);
    halves[2 * i + LOW] = sum - carry * TWO_32;
    halves[2 * i + 1 - LOW] = originHi + carry;
  }
  return out;
}
