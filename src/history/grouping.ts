/**
 * Groups of comparable results, decided by the gate's own rule: checkComparability from
 * src/gate/comparability.ts (never a second copy of its key). A result joins the first group whose first
 * result it is comparable with; groups in one bucket whose first results are comparable are merged at query
 * time (two writers may have opened a group each for the same key at once). Pure.
 */
import { checkComparability } from "../gate/comparability.js";
import type { BenchmarkResult } from "../results/schema.js";

/** A group's key and its first result. */
export interface GroupRepresentative {
  group_key: string;
  result: BenchmarkResult;
}

/**
 * The key of a new group opened by `result`: its test's name (src/workload/workload.ts testName: `pp512`,
 * `tg32 @ d512`) and the content digest of the result, so that each test is its own group whose key says
 * which test it is; the digest alone for a result recorded before test names.
 */
export function newGroupKey(result: BenchmarkResult, digest: string): string {
  return result.test ? `${result.test}:${digest}` : digest;
}

/**
 * The test's name in a group key made by {@link newGroupKey} (`pp512:<digest>` gives `pp512`); null for a key
 * of the digest alone (a result recorded before test names).
 */
export function testOfGroupKey(key: string): string | null {
  const at = key.lastIndexOf(":");
  return at > 0 && /^[0-9a-f]{64}$/.test(key.slice(at + 1)) ? key.slice(0, at) : null;
}

/** The key of the first group `result` is comparable with, or null when it opens a new group. */
export function findGroup(result: BenchmarkResult, reps: readonly GroupRepresentative[]): string | null {
  for (const rep of reps) if (checkComparability(rep.result, result).comparable) return rep.group_key;
  return null;
}

/**
 * Merges groups whose representatives are comparable (checked pairwise within a bucket).
 * @returns each group key mapped to the key of the group it belongs to (the first in `reps` order).
 */
export function mergeGroups(
  reps: ReadonlyArray<GroupRepresentative & { bucket: string }>,
): Map<string, string> {
  const canonical = new Map<string, string>();
  const heads: Array<GroupRepresentative & { bucket: string }> = [];
  for (const rep of reps) {
    const head = heads.find(
      (h) => h.bucket === rep.bucket && checkComparability(h.result, rep.result).comparable,
    );
    if (head) canonical.set(rep.group_key, head.group_key);
    else {
      heads.push(rep);
      canonical.set(rep.group_key, rep.group_key);
    }
  }
  return canonical;
}
