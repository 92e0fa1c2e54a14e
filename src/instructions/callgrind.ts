/**
 * A reader of callgrind's output format (valgrind's "Callgrind Format Specification" in its manual):
 * the totals of one profile part and each function's self and inclusive cost of the first event (Ir, the
 * instructions executed). Pure: it takes the file's text.
 *
 * The format in short: header lines `key: value` (`events:`, `positions:`, `totals:`, `summary:`, `part:`);
 * position specifications `ob=`, `fl=`, `fi=`, `fe=`, `fn=` (the function the following cost lines belong to),
 * `cob=`, `cfi=`/`cfl=`, `cfn=` (the callee of the next call); `calls=<count> <target>` followed by one cost
 * line that holds the call's inclusive cost; cost lines of positions (decimal, hex `0x..`, relative `+n`/`-n`,
 * or `*` for the same) and then the event counts (missing ones are 0). Names may be compressed: `(id) name`
 * defines an id, `(id)` alone refers to it.
 */

/** Self and inclusive instruction counts of one function in one profile part. */
export interface FunctionCost {
  name: string;
  /** instructions executed in the function's own code */
  self: number;
  /** self plus the inclusive cost of every call it made (a recursive function counts its recursion again) */
  inclusive: number;
}

/** One profile part (one dump) of a callgrind output file. */
export interface CallgrindProfile {
  /** the part number (`part:`), 1 when the file has none */
  part: number;
  /** the event names (`events:`), e.g. ["Ir"] */
  events: string[];
  /** the part's total of the first event (`totals:`, else `summary:`, else the sum of self costs) */
  total: number;
  /** per function, by name (functions of the same name in several objects are added up) */
  functions: Map<string, FunctionCost>;
}

/** Thrown for text that is not callgrind output. */
export class CallgrindFormatError extends Error {}

function firstEventOf(tokens: string[], positions: number): number {
  const v = tokens[positions];
  if (v === undefined || v === "") return 0;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new CallgrindFormatError(`bad cost "${v}"`);
  return n;
}

/**
 * Parses one callgrind output file (one part).
 * @param text the file's contents
 * @returns totals and per-function costs of the first event
 * @throws CallgrindFormatError when the text has no `events:` line or a cost that is not a count.
 */
export function parseCallgrind(text: string): CallgrindProfile {
  const names = new Map<string, string>();
  const functions = new Map<string, FunctionCost>();
  let events: string[] | null = null;
  let positions = 1;
  let part = 1;
  let totals: number | null = null;
  let summary: number | null = null;
  let current: FunctionCost | null = null;
  let inCall = false;
  let selfSum = 0;

  const resolve = (spec: string): string => {
    const m = /^\((\d+)\)(?:\s+(.*))?$/.exec(spec.trim());
    if (!m) return spec.trim();
    const id = m[1] as string;
    if (m[2] !== undefined) {
      names.set(id, m[2]);
      return m[2];
    }
    return names.get(id) ?? `(${id})`;
  };
  const fnNamed = (name: string): FunctionCost => {
    let f = functions.get(name);
    if (!f) {
      f = { name, self: 0, inclusive: 0 };
      functions.set(name, f);
    }
    return f;
  };

  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (line === "" || line.startsWith("#")) continue;
    const c = line.charCodeAt(0);
    const isCost = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42; // digit + - *
    if (isCost) {
      if (events === null) throw new CallgrindFormatError("a cost line before the events: line");
      const cost = firstEventOf(line.split(/\s+/), positions);
      if (current === null) {
        inCall = false;
        continue;
      }
      if (inCall) {
        current.inclusive += cost;
        inCall = false;
      } else {
        current.self += cost;
        current.inclusive += cost;
        selfSum += cost;
      }
      continue;
    }
    const eq = line.indexOf("=");
    const colon = line.indexOf(":");
    if (eq > 0 && (colon < 0 || eq < colon)) {
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      if (key === "fn") current = fnNamed(resolve(value));
      else if (key === "cfn" || key === "cfi" || key === "cfl" || key === "cob") resolve(value);
      else if (key === "fl" || key === "fi" || key === "fe" || key === "ob") resolve(value);
      else if (key === "calls") inCall = true;
      continue;
    }
    if (colon > 0) {
      const key = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (key === "events") events = value.split(/\s+/).filter((e) => e !== "");
      else if (key === "positions") positions = value.split(/\s+/).filter((e) => e !== "").length;
      else if (key === "part") part = Number(value) || 1;
      else if (key === "totals") totals = Number(value.split(/\s+/)[0]);
      else if (key === "summary") summary = Number(value.split(/\s+/)[0]);
    }
  }
  if (events === null) throw new CallgrindFormatError("no events: line (not a callgrind output file)");
  const total = totals ?? summary ?? selfSum;
  if (!Number.isFinite(total) || total < 0) throw new CallgrindFormatError("bad totals: line");
  return { part, events, total, functions };
}

/**
 * The functions with the largest self cost, largest first (ties by name).
 * @param limit how many. Defaults to 15.
 */
export function topFunctions(profile: CallgrindProfile, limit = 15): FunctionCost[] {
  return [...profile.functions.values()]
    .filter((f) => f.self > 0)
    .sort((a, b) => b.self - a.self || a.name.localeCompare(b.name))
    .slice(0, limit);
}

/**
 * Adds several parts up (e.g. the rounds of one capture): totals and per-function costs summed.
 */
export function sumProfiles(parts: readonly CallgrindProfile[]): CallgrindProfile {
  const functions = new Map<string, FunctionCost>();
  let total = 0;
  for (const p of parts) {
    total += p.total;
    for (const f of p.functions.values()) {
      const g = functions.get(f.name) ?? { name: f.name, self: 0, inclusive: 0 };
      g.self += f.self;
      g.inclusive += f.inclusive;
      functions.set(f.name, g);
    }
  }
  return { part: 1, events: parts[0]?.events ?? ["Ir"], total, functions };
}
