/**
 * Parsing an imported file's text once for every importer (a JSON document, JSON Lines, or CSV with a header)
 * and the checks every importer applies to a figure: finite, not negative, named by file and field.
 */
import { ResultFileError } from "../util/errors.js";
import { stripBom } from "../util/read-file.js";
import type { ParsedText } from "./types.js";

/** Splits one CSV line (RFC 4180 quoting: "a,b" and "" for a quote inside). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * The text as a JSON document, JSON Lines (every non-empty line a JSON value, at least two lines), CSV (a
 * header of at least two comma-separated names, then rows), or else plain text.
 */
export function parseText(raw: string): ParsedText {
  const text = stripBom(raw);
  const whole = tryJson(text);
  if (whole.ok) return { kind: "json", doc: whole.value };
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length > 0 && lines[0]?.trimStart().startsWith("{")) {
    const docs: unknown[] = [];
    for (const l of lines) {
      const one = tryJson(l);
      if (!one.ok) return { kind: "text" };
      docs.push(one.value);
    }
    return { kind: "jsonl", docs };
  }
  const header = lines[0] === undefined ? [] : splitCsvLine(lines[0]);
  if (header.length >= 2 && header.every((h) => /^[A-Za-z_][A-Za-z0-9_ ()/.-]*$/.test(h.trim())))
    return { kind: "csv", header: header.map((h) => h.trim()), rows: lines.slice(1).map(splitCsvLine) };
  return { kind: "text" };
}

/** A plain JSON object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A figure a file must hold: a finite number, not negative.
 * @throws ResultFileError "SOURCE: field FIELD: ..." for a missing, non-numeric, NaN, infinite or negative value.
 */
export function figure(v: unknown, source: string, field: string): number {
  const text = typeof v === "string" ? v.trim() : null;
  const n =
    text !== null && (/^[-+]?(nan|inf|infinity)$/i.test(text) || (text !== "" && !Number.isNaN(Number(text))))
      ? Number(text.replace(/^([-+]?)inf$/i, "$1Infinity"))
      : v;
  if (typeof n !== "number")
    throw new ResultFileError(source, `field ${field}: ${v === undefined ? "missing" : "not a number"}`);
  if (!Number.isFinite(n))
    throw new ResultFileError(source, `field ${field}: ${String(v)} is not a finite number`);
  if (n < 0) throw new ResultFileError(source, `field ${field}: ${n} is negative`);
  return n;
}

/** Every element of an array of figures ({@link figure}); the field must be an array. */
export function figures(v: unknown, source: string, field: string): number[] {
  if (!Array.isArray(v))
    throw new ResultFileError(source, `field ${field}: ${v === undefined ? "missing" : "not an array"}`);
  return v.map((x, i) => figure(x, source, `${field}.${i}`));
}

/** A setting as a key value: strings, numbers and booleans as they are; anything else (or absent) unknown. */
export function keyValue(v: unknown): string | number | boolean | null {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : null;
}
