/**
 * hyperfine's `--export-json`: `{ results: [{ command, mean, stddev, median, user, system, min, max, times,
 * exit_codes, parameters? }] }`. One test per command, each run's wall time (`times`, s) a sample.
 */
import { ResultFileError } from "../../util/errors.js";
import { figure, figures, isObject, keyValue } from "../parse.js";
import type { ImportedResult, Importer, ParsedText } from "../types.js";

function isHyperfine(doc: unknown): doc is { results: unknown[] } {
  return (
    isObject(doc) &&
    Array.isArray(doc.results) &&
    isObject(doc.results[0]) &&
    "command" in doc.results[0] &&
    "mean" in doc.results[0]
  );
}

function readCommand(r: unknown, where: string): ImportedResult {
  if (!isObject(r) || typeof r.command !== "string")
    throw new ResultFileError(where, "field command: missing");
  const times = figures(r.times, where, "times");
  if (times.length === 0) throw new ResultFileError(where, "field times: no runs");
  if (Array.isArray(r.exit_codes) && r.exit_codes.length !== times.length)
    throw new ResultFileError(
      where,
      `field exit_codes: ${r.exit_codes.length} entries but times has ${times.length}`,
    );
  const params = isObject(r.parameters) ? r.parameters : {};
  return {
    format: "hyperfine",
    tool: "hyperfine",
    tool_version: null,
    source: where,
    test: r.command,
    mode: "generation",
    key: {
      command: r.command,
      ...Object.fromEntries(Object.entries(params).map(([k, v]) => [`parameter.${k}`, keyValue(v)])),
    },
    metrics: [
      {
        name: "time_s",
        unit: "s",
        direction: "lower",
        samples: times,
        value: figure(r.mean, where, "mean"),
        value_kind: "mean",
      },
    ],
    not_carried: [
      "user and system times (one figure per command, not per run)",
      "exit_codes",
      "the machine (hyperfine records none)",
    ],
  };
}

/** hyperfine --export-json. */
export const hyperfineImporter: Importer = {
  name: "hyperfine",
  description: "hyperfine --export-json (one test per command; each run's time)",
  detect: (parsed: ParsedText) => parsed.kind === "json" && isHyperfine(parsed.doc),
  read(parsed, source) {
    const doc = parsed.kind === "json" ? parsed.doc : undefined;
    if (!isHyperfine(doc)) throw new ResultFileError(source, "not a hyperfine --export-json file");
    return doc.results.map((r, i) => readCommand(r, `${source} results.${i}`));
  },
};
