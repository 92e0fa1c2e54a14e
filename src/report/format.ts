/** Number formatting shared by the reports (and the gate's reason lines). Pure. */

/** A fraction as a percentage with one decimal: 0.1234 -> "12.3 %". */
export function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

/** Throughput with 4 significant digits: 179.1, 27.68. */
export function fmtRate(x: number): string {
  return x >= 1000 ? x.toFixed(0) : x.toPrecision(4);
}

/** A p-value: 2 significant digits, "< 1e-6" for the very small. */
export function fmtP(p: number): string {
  return p < 1e-6 ? "< 1e-6" : p.toPrecision(2);
}
