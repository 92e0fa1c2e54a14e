/**
 * github-action-benchmark's custom JSON: an array of `{ name, unit, value, range?, extra? }`
 * (its README, "Examples": tool `customBiggerIsBetter` or `customSmallerIsBetter`). The direction is the
 * workflow's `tool`, not in the file: `--input-format customBiggerIsBetter|customSmallerIsBetter` says it,
 * or `--direction`.
 */
import { ResultFileError } from "../../util/errors.js";
import { figure, isObject } from "../parse.js";
import type { Direction, ImportedResult, Importer, ParsedText } from "../types.js";

function isCustom(doc: unknown): doc is Array<Record<string, unknown>> {
  return (
    Array.isArray(doc) &&
    doc.length > 0 &&
    doc.every(
      (e) => isObject(e) && typeof e.name === "string" && "value" in e && "unit" in e && !("avg_ts" in e),
    )
  );
}

function importer(name: string, direction: Direction | null): Importer {
  return {
    name,
    description:
      direction === null
        ? "github-action-benchmark custom JSON ([{name, unit, value}]: summary only; --direction or the two names below say the direction)"
        : `github-action-benchmark custom JSON, tool ${name} (${direction} is better)`,
    detect: (parsed: ParsedText) => direction === null && parsed.kind === "json" && isCustom(parsed.doc),
    read(parsed, source, opts): ImportedResult[] {
      const doc = parsed.kind === "json" ? parsed.doc : undefined;
      if (!isCustom(doc))
        throw new ResultFileError(source, "not github-action-benchmark custom JSON ([{name, unit, value}])");
      return doc.map((e, i) => ({
        format: "github-action-benchmark",
        tool: "github-action-benchmark",
        tool_version: null,
        source: `${source} entry ${i + 1}`,
        test: e.name as string,
        mode: "generation",
        key: {},
        metrics: [
          {
            name: "value",
            unit: String(e.unit),
            direction: direction ?? opts.direction ?? null,
            samples: null,
            value: figure(e.value, `${source} entry ${i + 1}`, "value"),
            value_kind: "value",
          },
        ],
        not_carried: ["range (a text, not samples)", "extra", "the settings (the format records none)"],
      }));
    },
  };
}

/** Detected from the content; the direction comes from --direction. */
export const githubActionBenchmarkImporter = importer("github-action-benchmark", null);
/** Forced: bigger is better. */
export const customBiggerIsBetterImporter = importer("customBiggerIsBetter", "higher");
/** Forced: smaller is better. */
export const customSmallerIsBetterImporter = importer("customSmallerIsBetter", "lower");
