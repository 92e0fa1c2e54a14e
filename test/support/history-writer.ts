/**
 * A child process of the history concurrency test: adds 50 distinct results (seeded by its worker number)
 * plus one result every worker shares, one add per result, to the store at argv[2]. Prints {added, duplicates}.
 * Usage: node --import tsx test/support/history-writer.ts LOCATION WORKER [COUNT]
 */
import { openHistoryStore } from "../../src/history/open.js";
import { generationSeries } from "./history-fixtures.js";

const [location, worker, count] = process.argv.slice(2);
if (!location || worker === undefined) throw new Error("usage: history-writer.ts LOCATION WORKER [COUNT]");
const w = Number(worker);
const mine = generationSeries(Number(count ?? 50), {
  seed: 100 + w,
  start: new Date(Date.UTC(2026, 0, 1 + w)),
});
const shared = generationSeries(1, { seed: 7, start: new Date(Date.UTC(2025, 0, 1)) });
const store = await openHistoryStore(location);
let added = 0;
let duplicates = 0;
for (const [i, result] of [...mine, ...shared].entries()) {
  const out = await store.add([{ result, verdict: i % 2 ? "PASS" : null, source: `worker ${w}` }]);
  added += out.added;
  duplicates += out.duplicates;
}
await store.close();
process.stdout.write(`${JSON.stringify({ added, duplicates })}\n`);
