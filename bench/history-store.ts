/**
 * History store speed (issue 13's targets: adding 10,000 results to SQLite under 10 s; `history trend` over
 * them under 1 s). Results are variants of a real result file (test/fixtures/gate/generation-a.json: 20
 * rounds, about 20 kB of JSON each), each with its own start time, commit and throughput (3 % Gaussian noise, seeded), all in one
 * comparability group (the worst case for a trend: one series of 10,000 points).
 *
 * Usage: npx tsx bench/history-store.ts [--results 10000] [--batch 500] [--store PATH|postgres://URL]
 * Prints one JSON document on stdout, figures on stderr. The store defaults to a temp SQLite file (removed).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { openHistoryStore } from "../src/history/open.js";
import { buildTrends } from "../src/history/trend.js";
import { renderTrendsText } from "../src/report/trend-text.js";
import { readResult } from "../src/results/io.js";
import type { BenchmarkResult } from "../src/results/schema.js";
import { mulberry32 } from "../src/util/prng.js";
import { intOpt, parseScript, textOpt } from "./lib/args.js";
import { gaussian } from "./lib/synthetic.js";

const { values } = parseScript(
  {
    name: "bench/history-store.ts",
    summary: "History store speed: adding results to SQLite (or PostgreSQL) and `history trend` over them.",
    usage: "npx tsx bench/history-store.ts [options]",
  },
  {
    results: intOpt("results to add", 10000),
    batch: intOpt("results per add", 500),
    store: textOpt("the store: a SQLite file or postgres://URL (default: a temp SQLite file, removed)"),
  },
);
const total = values.results;
const batch = values.batch;
const tmp = mkdtempSync(join(tmpdir(), "pb-history-bench-"));
const location = values.store ?? join(tmp, "history.sqlite");
const root = join(import.meta.dirname, "..");
const base = readResult(join(root, "test", "fixtures", "gate", "generation-a.json"));

function variant(i: number): BenchmarkResult {
  const r = structuredClone(base);
  const t = Date.UTC(2026, 0, 1) + i * 60_000;
  r.started_at = new Date(t).toISOString();
  r.finished_at = new Date(t + 30_000).toISOString();
  r.git = { commit: (i * 2654435761).toString(16).padStart(40, "0").slice(-40), dirty: false };
  if (r.mode === "generation") {
    const f = 1 + 0.03 * (noise[i] ?? 0);
    r.statistics.tokens_per_second = {
      ...r.statistics.tokens_per_second,
      median: r.statistics.tokens_per_second.median * f,
    };
  }
  return r;
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const rng = mulberry32(1);
const noise = Array.from({ length: total }, () => gaussian(rng));
const results = Array.from({ length: total }, (_, i) => variant(i));
const store = await openHistoryStore(location);
const t0 = process.hrtime.bigint();
for (let i = 0; i < total; i += batch)
  await store.add(results.slice(i, i + batch).map((result) => ({ result, verdict: null, source: "bench" })));
const add_s = Number(process.hrtime.bigint() - t0) / 1e9;
log(
  `added ${total} results to ${store.location} in ${add_s.toFixed(2)} s (${batch} per add, ${((add_s / total) * 1e3).toFixed(3)} ms each)`,
);
const again0 = process.hrtime.bigint();
const dup = await store.add(
  results.slice(0, batch).map((result) => ({ result, verdict: null, source: "bench" })),
);
const dup_s = Number(process.hrtime.bigint() - again0) / 1e9;
log(
  `re-adding ${batch} stored results: ${dup.duplicates} duplicates, ${dup.added} added, ${dup_s.toFixed(2)} s`,
);

const t1 = process.hrtime.bigint();
const trends = await buildTrends(store, "generation", "tokens_per_second");
const text = renderTrendsText(trends);
const trend_in_process_s = Number(process.hrtime.bigint() - t1) / 1e9;
await store.close();
log(
  `trend in process: ${trends.groups.length} group, ${trends.groups[0]?.points.length} points, ${text.length} chars, ${trend_in_process_s.toFixed(3)} s`,
);

const t2 = process.hrtime.bigint();
const cli = spawnSync(
  process.execPath,
  [join(root, "bin", "perf-baseline.js"), "history", "trend", "--mode", "generation", "--history", location],
  { encoding: "utf8", timeout: 60_000 },
);
const trend_cli_s = Number(process.hrtime.bigint() - t2) / 1e9;
const t3 = process.hrtime.bigint();
spawnSync(process.execPath, [join(root, "bin", "perf-baseline.js"), "--version"], { encoding: "utf8" });
const cli_start_s = Number(process.hrtime.bigint() - t3) / 1e9;
log(
  `perf-baseline history trend (whole command, new process): ${trend_cli_s.toFixed(3)} s, exit ${cli.status}; of which node + CLI start-up (perf-baseline --version) ${cli_start_s.toFixed(3)} s`,
);
if (!values.store) rmSync(tmp, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ loadavg_1m: loadavg()[0], cores: availableParallelism(), results: total, batch, store: location.startsWith("postgres") ? "postgres" : "sqlite", add_s, readd_s: dup_s, trend_in_process_s, trend_cli_s, cli_start_s }, null, 2)}\n`,
);
