import { createHash } from "node:crypto";

/**
 * Canonical JSON of plain JSON data: object keys sorted at every depth, undefined members left out, so equal
 * data always hashes equally. Built directly rather than through a JSON.stringify replacer: about 5x faster
 * on a 20 kB result, which is what adding 10,000 results to the history in seconds needs.
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) {
    let out = "[";
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      out += (i ? "," : "") + (x === undefined || typeof x === "function" ? "null" : canonicalJson(x));
    }
    return `${out}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let out = "{";
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined || typeof x === "function") continue;
    out += `${first ? "" : ","}${JSON.stringify(k)}:${canonicalJson(x)}`;
    first = false;
  }
  return `${out}}`;
}

/** sha256 hex of the canonical JSON of a value. */
export function sha256OfJson(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}
