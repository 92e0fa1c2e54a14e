/**
 * `perf-baseline history import|list|show|trend|changes`: the results kept over time, by comparability group.
 * Loads no model and never the native addon.
 */

import { MODE_FLAG } from "../../engines/definition.js";
import { collectResults } from "../../history/import.js";
import { findImported, importedListRows } from "../../history/imported-list.js";
import { buildImportedTrends } from "../../history/imported-trend.js";
import { METRICS } from "../../history/metrics.js";
import { openHistoryStore } from "../../history/open.js";
import { buildTrends } from "../../history/trend.js";
import type { HistoryStore } from "../../history/types.js";
import { renderImportedListText } from "../../report/imported-list-text.js";
import { renderChangesText, renderListText, renderTrendsText } from "../../report/trend-text.js";
import { UsageError } from "../../util/errors.js";
import type { Mode } from "../../workload/workload.js";
import { type Command, type FlagTable, flagReader, stringFlag } from "../args.js";
import { HISTORY_FLAG, historyLocation } from "../history-flags.js";
import { IMPORT_FLAGS, importOptions } from "../import-flags.js";

const SUBCOMMANDS = ["import", "list", "show", "trend", "changes"] as const;

/** The metric of --metric for a mode (default: the gated metric), checked against the mode's metrics. */
export function metricFlag(values: Record<string, unknown>, mode: Mode): string {
  const names = METRICS[mode].map((m) => m.name);
  const metric = stringFlag(values, "metric") ?? (names[0] as string);
  if (!names.includes(metric))
    throw new UsageError(`--metric for ${mode} must be one of ${names.join(", ")}, got "${metric}"`);
  return metric;
}

async function withStore<T>(
  values: Record<string, unknown>,
  fn: (s: HistoryStore) => Promise<T>,
  existing = true,
): Promise<T> {
  const store = await openHistoryStore(historyLocation(values), { existing });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * `history list`: this tool's stored results (`#<id>`), then the imported tests of other tools' files
 * (`i<id>`, src/history/imported-list.ts); `--json` gives one array of both, imported rows with kind "imported".
 */
async function listHistory(store: HistoryStore, mode: Mode | undefined, limit: number, json: boolean) {
  const rows = await store.list({ ...(mode ? { mode } : {}), limit });
  const imported = importedListRows(await store.importedSeries(), { ...(mode ? { mode } : {}), limit });
  // the total the listing is out of ("2 of 14 results"): of the mode when --mode filters; count() holds both
  const total =
    rows.length < limit
      ? rows.length
      : mode
        ? (await store.list({ mode, limit: HISTORY_LIMITS.rows })).length
        : (await store.count()) - imported.total;
  // this tool's block says "no stored results" only when there is nothing else to show
  const own =
    rows.length === 0 && imported.total > 0
      ? ""
      : renderListText(rows, store.location, total, mode ? `--mode ${mode}` : undefined);
  process.stdout.write(
    json
      ? `${JSON.stringify([...rows, ...imported.rows], null, 2)}\n`
      : own + renderImportedListText(imported.rows, imported.total),
  );
  return 0;
}

/**
 * `history show REF`: a stored result by id (`#<id>` as listed, or `<id>`) or digest prefix, else an imported
 * test by `i<id>` or digest prefix.
 */
async function showHistory(store: HistoryStore, ref: string) {
  const found = await store.get(ref.replace(/^#(?=\d+$)/, ""));
  const shown = found ? found.result : findImported(await store.importedSeries(), ref);
  if (!shown)
    throw new UsageError(
      `history show: no stored result "${ref}" in ${store.location} (give an id as listed: #<id>, or i<id> for an imported test, or 8+ hex digits of a digest)`,
    );
  process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  return 0;
}

/** Largest --limit and --last; --window's range (change points need 10 points at least). */
const HISTORY_LIMITS = { rows: 100_000, window: { min: 10, max: 2000 } } as const;

/** The flags of `history`. */
const FLAGS: FlagTable = {
  history: HISTORY_FLAG,
  ...IMPORT_FLAGS,
  mode: MODE_FLAG,
  metric: {
    kind: "choice",
    range: `generation: ${METRICS.generation.map((m) => m.name).join(", ")}; embedding: ${METRICS.embedding.map((m) => m.name).join(", ")}`,
    description: "the metric followed",
    default: "the gated metric (tokens_per_second, calls_per_second)",
  },
  json: { kind: "boolean", description: "print JSON instead of the table" },
  limit: { kind: "int", min: 1, max: HISTORY_LIMITS.rows, description: "list: most rows", default: 50 },
  last: {
    kind: "int",
    min: 1,
    max: HISTORY_LIMITS.rows,
    description: "trend: rows shown per group",
    default: 20,
  },
  window: {
    kind: "int",
    ...HISTORY_LIMITS.window,
    description: "trend, changes: change points are searched in the last N points of a group",
    default: 200,
  },
};

/** `history import PATH...`: this tool's results and other tools' tests (stored apart, grouped by format). */
async function importPaths(values: Record<string, unknown>, args: string[], json: boolean): Promise<number> {
  if (args.length === 0) throw new UsageError("history import: needs result files or folders");
  const { entries, imported, skipped, files } = collectResults(args, importOptions(values));
  for (const s of skipped) process.stderr.write(`perf-baseline: skipped ${s.why}\n`);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return withStore(
    values,
    async (store) => {
      const out = await store.add(entries);
      const imp = await store.addImported(imported);
      const msg = {
        ...out,
        files,
        results: entries.length,
        imported: { ...imp, tests: imported.length },
        skipped: skipped.length,
        store: store.location,
      };
      // this tool's results, then other tools' tests: each said when the files hold any (or nothing was found)
      const parts = [
        ...(entries.length > 0 || imported.length === 0
          ? [`${plural(entries.length, "result")}, ${out.added} new (${out.duplicates} already stored)`]
          : []),
        ...(imported.length > 0
          ? [
              `${plural(imported.length, "test")} of other tools' files, ${imp.added} new (${imp.duplicates} already stored)`,
            ]
          : []),
      ];
      process.stdout.write(
        json
          ? `${JSON.stringify(msg, null, 2)}\n`
          : `imported ${plural(files, "file")}: ${parts.join("; ")} into ${store.location}${skipped.length ? `; ${skipped.length} JSON file(s) that are not results skipped` : ""}\n`,
      );
      return 0;
    },
    false,
  );
}

/** `perf-baseline history`. */
export const historyCommand: Command = {
  name: "history",
  summary: "Keep results over time: import, list, show, and follow a metric's trend and change points.",
  usage: `perf-baseline history import [--input-format NAME] PATH...   (result files, evidence folders, docs/)
       perf-baseline history list [--mode M] [--limit N] [--json]
       perf-baseline history show ID|DIGEST
       perf-baseline history trend --mode M [--metric X] [--last N] [--json]
       perf-baseline history changes --mode M [--metric X] [--json]`,
  positionals: 10_000,
  flags: FLAGS,
  async run(values, positionals) {
    const [sub, ...args] = positionals;
    if (sub === undefined || !(SUBCOMMANDS as readonly string[]).includes(sub))
      throw new UsageError(
        `history: needs a subcommand: ${SUBCOMMANDS.join(", ")}${sub === undefined ? "" : ` (got "${sub}")`}`,
      );
    const read = flagReader(FLAGS, values);
    const json = read.boolean("json");
    if (sub === "import") return importPaths(values, args, json);
    for (const flag of Object.keys(IMPORT_FLAGS))
      if (values[flag] !== undefined) throw new UsageError(`history ${sub}: --${flag} is for history import`);
    if (args.length > (sub === "show" ? 1 : 0))
      throw new UsageError(`history ${sub}: unexpected argument "${args[sub === "show" ? 1 : 0]}"`);
    if (sub === "list") {
      const mode = values.mode === undefined ? undefined : read.choice<Mode>("mode", "generation");
      return withStore(values, (store) => listHistory(store, mode, read.int("limit", 50), json));
    }
    if (sub === "show") {
      const ref = args[0];
      if (ref === undefined)
        throw new UsageError("history show: needs a result id or digest prefix (see history list)");
      return withStore(values, (store) => showHistory(store, ref));
    }
    const mode = read.choice<Mode>("mode", "generation");
    const metric = metricFlag(values, mode);
    const last = read.int("last", 20);
    const window = read.int("window", 200);
    return withStore(values, async (store) => {
      const trends = await buildTrends(store, mode, metric, { window });
      // other tools' groups: their headline metric, or --metric when given
      const named = stringFlag(values, "metric");
      const imported = (
        await buildImportedTrends(store, { window, ...(named ? { metric: named } : {}) })
      ).filter((t) => t.mode === mode);
      const strip = (t: typeof trends) => ({ ...t, groups: t.groups.map(({ points: _p, ...g }) => g) });
      if (json) {
        const doc = sub === "changes" ? strip(trends) : trends;
        const imp = sub === "changes" ? imported.map(strip) : imported;
        process.stdout.write(`${JSON.stringify({ ...doc, imported: imp }, null, 2)}\n`);
      }
      // this tool's block says "no stored results" only when there is nothing else to show
      else
        for (const t of trends.groups.length === 0 && imported.length > 0 ? imported : [trends, ...imported])
          process.stdout.write(sub === "trend" ? renderTrendsText(t, last) : renderChangesText(t));
      return 0;
    });
  },
};
