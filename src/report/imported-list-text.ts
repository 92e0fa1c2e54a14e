/** The text of `history list`'s imported block: other tools' tests stored by `history import` (issue 24). */
import type { ImportedListRow } from "../history/imported-list.js";
import { table, when } from "./trend-text.js";

/** A value with at most 4 significant digits, without exponent for the usual magnitudes. */
function num(x: number): string {
  return Math.abs(x) >= 1000 ? x.toFixed(0) : Number(x.toPrecision(4)).toString();
}

/**
 * The imported tests as a table under a header "N [of M] imported test(s) (other tools' files)", each id `i<id>`
 * (`history show i<id>` prints one); nothing when there are none.
 */
export function renderImportedListText(rows: readonly ImportedListRow[], total = rows.length): string {
  if (total === 0) return "";
  const body = rows.map((r) => [
    `i${r.id}`,
    `${when(r.started_at)}${r.time_from === "import" ? "*" : ""}`,
    r.mode,
    `${r.tool}${r.tool_version ? ` ${r.tool_version}` : ""}`,
    r.test,
    `${r.metric} ${num(r.value.median)} ${r.unit}`,
    r.digest.slice(0, 12),
    r.source,
  ]);
  const count = total > rows.length ? `${rows.length} of ${total}` : `${rows.length}`;
  return `${[
    `${count} imported test${total === 1 ? "" : "s"} (other tools' files, newest first; * time of the import)`,
    ...table(
      ["id", "started (UTC)", "mode", "tool", "test", "headline", "digest", "source"],
      body,
      new Set(),
    ),
  ].join("\n")}\n`;
}
