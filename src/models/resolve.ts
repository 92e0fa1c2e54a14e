import { ensureDummyModel } from "./cache.js";
import { inspectModel, type ModelInfo } from "./model-info.js";

/** Where a run's model comes from: a user's GGUF, or the dummy model of a preset and weight seed. */
export interface ModelSource {
  /** a GGUF file; when absent the dummy model of `preset` and `seed` */
  model?: string;
  preset: string;
  seed: number;
}

/**
 * Resolves the model to run: a user's GGUF, validated, or the cached dummy model (written on first use).
 * @param status receives one line when the dummy model had to be written.
 * @throws ModelFileError (exit 6) for a file that is missing, not GGUF, truncated or lacks metadata.
 */
export function resolveModel(source: ModelSource, status?: (line: string) => void): ModelInfo {
  if (source.model !== undefined) return inspectModel(source.model);
  const cached = ensureDummyModel(source.preset, source.seed);
  if (cached.generated) {
    status?.(
      `wrote dummy model ${source.preset} (seed ${source.seed}) in ${cached.generate_s.toFixed(2)} s: ${cached.path}`,
    );
  }
  return inspectModel(cached.path, cached.sha256);
}
