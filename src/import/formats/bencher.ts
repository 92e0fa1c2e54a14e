/**
 * Bencher Metric Format (BMF) JSON: `{ benchmark: { measure: { value, lower_value?, upper_value? } } }`
 * (https://bencher.dev/docs/reference/bencher-metric-format). A summary per measure; Bencher's built-in
 * measures `latency` (ns) and `throughput` (ops/s) have a direction, any other needs `--direction`.
 */
import { ResultFileError } from "../../util/errors.js";
import { figure, isObject } from "../parse.js";
import type { Direction, ImportedResult, Importer, ParsedText } from "../types.js";

const BUILT_IN: Record<string, { unit: string; direction: Direction }> = {
  latency: { unit: "ns", direction: "lower" },
  throughput: { unit: "ops/s", direction: "higher" },
};

function isBmf(doc: unknown): doc is Record<string, Record<string, Record<string, unknown>>> {
  if (!isObject(doc)) return false;
  const benches = Object.values(doc);
  return (
    benches.length > 0 &&
    benches.every(
      (b) =>
        isObject(b) &&
        Object.values(b).length > 0 &&
        Object.values(b).every((m) => isObject(m) && "value" in m),
    )
  );
}

/** Bencher Metric Format. */
export const bencherImporter: Importer = {
  name: "bencher",
  description: "Bencher Metric Format JSON (a value per benchmark and measure: summary only)",
  detect: (parsed: ParsedText) => parsed.kind === "json" && isBmf(parsed.doc),
  read(parsed, source, opts): ImportedResult[] {
    const doc = parsed.kind === "json" ? parsed.doc : undefined;
    if (!isBmf(doc)) throw new ResultFileError(source, "not Bencher Metric Format");
    return Object.entries(doc).map(([bench, measures]) => ({
      format: "bencher",
      tool: "bencher",
      tool_version: null,
      source,
      test: bench,
      mode: "generation",
      key: {},
      metrics: Object.entries(measures).map(([measure, m]) => ({
        name: measure,
        unit: BUILT_IN[measure]?.unit ?? measure,
        direction: BUILT_IN[measure]?.direction ?? opts.direction ?? null,
        samples: null,
        value: figure(m.value, source, `${bench}.${measure}.value`),
        value_kind: "value" as const,
      })),
      not_carried: ["lower_value and upper_value (a bound, not samples)", "the settings (BMF records none)"],
    }));
  },
};
