/**
 * Tables the bench scripts print: Markdown tables (pasted into notes/), right-aligned text tables sized to
 * their content, and fixed-width rows printed one at a time as figures come in.
 */

/** Column alignment of a Markdown table. */
export type Align = "left" | "right";

/**
 * A Markdown table as lines: the head, the alignment row (`---` / `---:`), one line per row.
 * Cells are written as given (no escaping).
 */
export function markdownTable(
  head: readonly string[],
  align: readonly Align[],
  rows: readonly string[][],
): string[] {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(align.map((a) => (a === "right" ? "---:" : "---"))), ...rows.map(line)];
}

/** Rows of cells right-aligned to the widest cell of each column, columns two spaces apart. */
export function alignedTable(rows: readonly string[][]): string[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((cells) => cells.map((c, i) => c.padStart(widths[i] as number)).join("  "));
}

/** One row of right-aligned cells of the given widths, one space apart. */
export function fixedRow(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(" ");
}
