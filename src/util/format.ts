/** Number formatting shared by the reports and by the gate's reason lines. Pure. */

/**
 * A fraction as a percentage: 0.1234 -> "12.3 %".
 * @param digits decimals of the percentage; 1 by default
 */
export function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)} %`;
}

/** Throughput with 4 significant digits: 179.1, 27.68. */
export function fmtRate(x: number): string {
  return x >= 1000 ? x.toFixed(0) : x.toPrecision(4);
}

/** A p-value: 2 significant digits, "< 1e-6" for the very small. */
export function fmtP(p: number): string {
  return p < 1e-6 ? "< 1e-6" : p.toPrecision(2);
}
