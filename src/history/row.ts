/**
 * What the store keeps of a result besides its JSON: the content digest (the dedup key), the indexed keys and
 * the bucket (the parts of the gate's comparability key that can be indexed). Pure.
 */
import { createHash } from "node:crypto";
import type { BenchmarkResult } from "../results/schema.js";
import { canonicalJson } from "../util/canonical-json.js";
import { extractMetrics } from "./metrics.js";
import type { HistoryEntry, MetricValue, StoredRow } from "./types.js";

/** A row ready to insert: the indexed columns (no id or group yet), the canonical JSON and the metrics. */
export interface PreparedRow extends Omit<StoredRow, "id" | "group_key"> {
  json: string;
  metrics: Record<string, MetricValue>;
}

/** sha256 of canonical JSON text. */
function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** sha256 of the canonical JSON of a result: equal results, whatever their key order or file, are equal. */
export function resultDigest(r: BenchmarkResult): string {
  return sha256Hex(canonicalJson(r));
}

/**
 * The bucket of a result: fields that are part of the gate's comparability key (src/gate/comparability.ts)
 * and can be indexed. Results in different buckets are never comparable; results in one bucket are grouped
 * further by checkComparability itself (grouping.ts).
 */
export function bucketOf(r: BenchmarkResult): string {
  return [
    r.mode,
    r.workload.digest,
    r.model.sha256 ?? `name:${r.model.name}`,
    r.environment.hardware_fingerprint,
    r.engine.name,
  ].join("|");
}

/** The columns, JSON and metrics stored for an entry. */
export function prepareRow(e: HistoryEntry, now = new Date()): PreparedRow {
  const r = e.result;
  const json = canonicalJson(r);
  return {
    digest: sha256Hex(json),
    bucket: bucketOf(r),
    kind: r.baseline ? "baseline" : "result",
    mode: r.mode,
    engine: r.engine.name,
    model_sha256: r.model.sha256,
    model_name: r.model.name,
    hardware_fingerprint: r.environment.hardware_fingerprint,
    workload_digest: r.workload.digest,
    git_commit: r.git?.commit ?? null,
    git_dirty: r.git?.dirty ?? null,
    started_at: r.started_at,
    verdict: e.verdict,
    source: e.source,
    added_at: now.toISOString(),
    json,
    metrics: extractMetrics(r),
  };
}
