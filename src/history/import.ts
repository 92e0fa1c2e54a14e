/**
 * Collects results to store from the paths a user names: result files (one result, or JSON Lines of several
 * such as a matrix run's), and folders (evidence folders, docs/) searched for *.json and *.jsonl. An evidence
 * folder's verdicts.json gives each capture it names its verdict. A file named explicitly must be a valid
 * result of this tool or of another tool (src/import/); a file found in a folder that is neither is skipped
 * and reported. Another tool's tests are stored apart (imported.ts): grouped by format, tool, test and key.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Verdict } from "../gate/verdict.js";
import { readResultsFile } from "../import/registry.js";
import type { ImportOptions } from "../import/types.js";
import type { BenchmarkResult } from "../results/schema.js";
import { ResultFileError } from "../util/errors.js";
import { stripBom } from "../util/read-file.js";
import { importedEntries } from "./imported.js";
import type { HistoryEntry, ImportedEntry } from "./types.js";

/** How deep folders are searched. */
export const IMPORT_MAX_DEPTH = 4;
/** Most files one import reads. */
export const IMPORT_MAX_FILES = 100_000;

/** What {@link collectResults} found. */
export interface Collected {
  entries: HistoryEntry[];
  /** the tests of other tools' files (src/import/), stored apart */
  imported: ImportedEntry[];
  /** JSON files in folders that are not results (path and why) */
  skipped: Array<{ path: string; why: string }>;
  /** how many files gave results (of this tool or another's): a file of JSON Lines counts once */
  files: number;
}

const VERDICTS = new Set(["PASS", "REGRESSION", "INCONCLUSIVE", "INCOMPARABLE"]);

/** The verdict of each candidate file an evidence folder's verdicts.json names (absolute paths). */
export function evidenceVerdicts(verdictsPath: string): Map<string, Verdict> {
  const out = new Map<string, Verdict>();
  let doc: unknown;
  try {
    doc = JSON.parse(stripBom(readFileSync(verdictsPath, "utf8")));
  } catch {
    return out;
  }
  const gates = (doc as { gates?: unknown })?.gates;
  if (!Array.isArray(gates)) return out;
  for (const g of gates) {
    const verdict = (g as { verdict?: unknown })?.verdict;
    const sources = (g as { candidate_sources?: unknown })?.candidate_sources;
    if (typeof verdict !== "string" || !VERDICTS.has(verdict) || !Array.isArray(sources)) continue;
    for (const s of sources)
      if (typeof s === "string") out.set(resolve(dirname(verdictsPath), s), verdict as Verdict);
  }
  return out;
}

function walk(dir: string, depth: number, files: string[]): void {
  if (depth > IMPORT_MAX_DEPTH || files.length >= IMPORT_MAX_FILES) return;
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    throw new ResultFileError(dir, `folder cannot be read (${(err as NodeJS.ErrnoException).code})`);
  }
  for (const n of names) {
    if (n.startsWith(".") || n === "node_modules") continue;
    const p = join(dir, n);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(p, depth + 1, files);
    else if (n.endsWith(".json") || n.endsWith(".jsonl")) files.push(p);
  }
}

/**
 * The results a file holds: this tool's (one, or several in JSON Lines, each with the line it came from) and
 * another tool's tests (src/import/).
 * @throws ResultFileError for a file of no known format or a bad one.
 */
export function readFileResults(
  path: string,
  now: Date = new Date(),
  opts: ImportOptions = {},
): { own: Array<{ result: BenchmarkResult; source: string }>; imported: ImportedEntry[] } {
  const imports = readResultsFile(path, opts);
  const own = imports.flatMap((i) =>
    i.result ? [{ result: i.result, source: imports.length > 1 ? i.source : path }] : [],
  );
  return { own, imported: importedEntries(path, imports, now) };
}

/**
 * Reads every result under `paths`. `opts` (`--input-format`, `--direction`) apply to the files named in
 * `paths`; files found in a folder are detected by their content.
 * @throws ResultFileError for a named path that does not exist or a named file that is not a valid result.
 */
export function collectResults(paths: readonly string[], opts: ImportOptions = {}): Collected {
  const entries: HistoryEntry[] = [];
  const imported: ImportedEntry[] = [];
  const now = new Date();
  const skipped: Collected["skipped"] = [];
  let fileCount = 0;
  for (const p of paths) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ResultFileError(p, code === "ENOENT" ? "not found" : `cannot be read (${code})`);
    }
    if (!st.isDirectory()) {
      const read = readFileResults(p, now, opts);
      for (const r of read.own) entries.push({ ...r, verdict: null });
      imported.push(...read.imported);
      fileCount++;
      continue;
    }
    const files: string[] = [];
    walk(p, 0, files);
    const verdicts = new Map<string, Verdict>();
    for (const f of files)
      if (basename(f) === "verdicts.json") for (const [k, v] of evidenceVerdicts(f)) verdicts.set(k, v);
    for (const f of files) {
      if (basename(f) === "verdicts.json") continue;
      try {
        const read = readFileResults(f, now);
        for (const r of read.own) entries.push({ ...r, verdict: verdicts.get(resolve(f)) ?? null });
        imported.push(...read.imported);
        fileCount++;
      } catch (err) {
        if (!(err instanceof ResultFileError)) throw err;
        skipped.push({ path: f, why: err.message });
      }
    }
  }
  return { entries, imported, skipped, files: fileCount };
}
