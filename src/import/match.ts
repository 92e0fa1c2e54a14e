/**
 * Comparability of imported tests and the matching of a baseline file's tests to a candidate file's: by test
 * name and the tool's own settings (the comparability key). A setting a side does not record is unknown:
 * reported as such, never counted as a match. Pure.
 */
import { canonicalJson } from "../util/canonical-json.js";
import type { ComparabilityKey, ImportedResult } from "./types.js";

/** How two keys compare: the known settings that differ, and the settings unknown on either side. */
export interface KeyComparison {
  differences: Array<{ field: string; baseline: string; candidate: string }>;
  /** settings at least one side does not record (not checked) */
  unknown: string[];
}

function show(v: unknown): string {
  return v === undefined
    ? "(absent)"
    : v === null
      ? "(unknown)"
      : typeof v === "string"
        ? v
        : canonicalJson(v);
}

/** Compares two comparability keys field by field (fields of either side). */
export function compareKeys(a: ComparabilityKey, b: ComparabilityKey): KeyComparison {
  const out: KeyComparison = { differences: [], unknown: [] };
  for (const field of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = a[field];
    const y = b[field];
    if (x === null || y === null || x === undefined || y === undefined) out.unknown.push(field);
    else if (canonicalJson(x) !== canonicalJson(y))
      out.differences.push({ field, baseline: show(x), candidate: show(y) });
  }
  return out;
}

/** One baseline test, the candidate test it is compared with, and how their settings compare. */
export interface TestPair {
  baseline: ImportedResult;
  candidate: ImportedResult;
  key: KeyComparison;
}

/** What {@link matchTests} found. */
export interface TestMatching {
  pairs: TestPair[];
  /** "test (source)" of baseline tests with no candidate */
  unmatched_baseline: string[];
  /** "test (source)" of candidate tests with no baseline */
  unmatched_candidate: string[];
}

function label(r: ImportedResult): string {
  return `${r.test} (${r.source})`;
}

/**
 * Pairs each baseline test with a candidate test: first of the same name and the same known settings; then,
 * for a name left on both sides once each, with each other (their differing settings make the pair
 * INCOMPARABLE). The rest are listed as unmatched.
 */
export function matchTests(
  baseline: readonly ImportedResult[],
  candidate: readonly ImportedResult[],
): TestMatching {
  const left = [...candidate];
  const pairs: TestPair[] = [];
  const rest: ImportedResult[] = [];
  for (const b of baseline) {
    const i = left.findIndex((c) => c.test === b.test && compareKeys(b.key, c.key).differences.length === 0);
    if (i < 0) {
      rest.push(b);
      continue;
    }
    const [c] = left.splice(i, 1) as [ImportedResult];
    pairs.push({ baseline: b, candidate: c, key: compareKeys(b.key, c.key) });
  }
  const unmatched: ImportedResult[] = [];
  for (const b of rest) {
    const same = left.filter((c) => c.test === b.test);
    const alsoBase = rest.filter((r) => r.test === b.test);
    if (same.length === 1 && alsoBase.length === 1) {
      const c = same[0] as ImportedResult;
      left.splice(left.indexOf(c), 1);
      pairs.push({ baseline: b, candidate: c, key: compareKeys(b.key, c.key) });
    } else unmatched.push(b);
  }
  return { pairs, unmatched_baseline: unmatched.map(label), unmatched_candidate: left.map(label) };
}
