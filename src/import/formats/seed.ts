/**
 * The specification's own result shape (what its Python benchmark script writes): `calls_per_second`, `elapsed_s`,
 * `environment` (platform, processor, python), `input_texts`, `mode`, `model_path`, `rounds`. A summary
 * only: no per-round figure, so the gate can apply only the specification's rule (src/gate/imported.ts).
 */
import { ResultFileError } from "../../util/errors.js";
import { figure, isObject, keyValue } from "../parse.js";
import type { ImportedMetric, Importer, ParsedText } from "../types.js";

const READ = new Set([
  "calls_per_second",
  "tokens_per_second",
  "elapsed_s",
  "environment",
  "input_texts",
  "max_new_tokens",
  "mode",
  "model_path",
  "rounds",
]);

function isSeed(doc: unknown): doc is Record<string, unknown> {
  return (
    isObject(doc) &&
    !("schema_version" in doc) &&
    "calls_per_second" in doc &&
    "mode" in doc &&
    "model_path" in doc &&
    "rounds" in doc
  );
}

/** The specification's result shape (summary only). */
export const seedImporter: Importer = {
  name: "specification",
  description:
    "the specification's result shape: calls_per_second, elapsed_s, environment, mode, model_path, rounds (summary only)",
  detect: (parsed: ParsedText) => parsed.kind === "json" && isSeed(parsed.doc),
  read(parsed, source) {
    const doc = parsed.kind === "json" ? parsed.doc : undefined;
    if (!isSeed(doc)) throw new ResultFileError(source, "not the specification's result shape");
    const mode = doc.mode;
    if (mode !== "generation" && mode !== "embedding")
      throw new ResultFileError(
        source,
        `field mode: expected "generation" or "embedding", got ${JSON.stringify(mode)}`,
      );
    const rounds = figure(doc.rounds, source, "rounds");
    figure(doc.elapsed_s, source, "elapsed_s");
    const metrics: ImportedMetric[] = [];
    if (mode === "generation" && doc.tokens_per_second !== undefined)
      metrics.push(
        summary("tokens_per_second", "tokens/s", figure(doc.tokens_per_second, source, "tokens_per_second")),
      );
    metrics.push(
      summary("calls_per_second", "calls/s", figure(doc.calls_per_second, source, "calls_per_second")),
    );
    const env = isObject(doc.environment) ? doc.environment : {};
    const key = {
      mode,
      model_path: keyValue(doc.model_path),
      rounds,
      platform: keyValue(env.platform),
      processor: keyValue(env.processor),
      python_version: keyValue(env.python),
      ...(mode === "embedding"
        ? { input_texts: keyValue(doc.input_texts) }
        : { max_new_tokens: keyValue(doc.max_new_tokens) }),
    };
    const extra = Object.keys(doc).filter((k) => !READ.has(k));
    return [
      {
        format: "specification",
        tool: "the specification's benchmark",
        tool_version: null,
        source,
        test: mode,
        mode,
        key,
        metrics,
        not_carried: ["per-round figures (the shape has none)", ...extra],
      },
    ];
  },
};

function summary(name: string, unit: string, value: number): ImportedMetric {
  return { name, unit, direction: "higher", samples: null, value, value_kind: "value" };
}
