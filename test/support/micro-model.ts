import { dummyModelMetadata, dummyModelTensors } from "../../src/models/dummy-model.js";
import { GgmlType } from "../../src/models/gguf-format.js";
import { type GgufValue, writeGguf } from "../../src/models/gguf-writer.js";
import type { ModelPreset } from "../../src/models/presets.js";

/** A very small llama shape for fast tests (not a shipped preset). */
export const MICRO_PRESET: ModelPreset = {
  name: "micro",
  description: "test-only micro shape",
  dim: 64,
  layers: 2,
  heads: 4,
  ffn: 128,
  vocab: 512,
  context_length: 256,
  untied_output: true,
  weight_type: GgmlType.F32,
};

/**
 * Writes a micro model, optionally without some metadata keys (to test validation of broken files).
 * @returns the sha256 of the file.
 */
export function writeMicroModel(
  path: string,
  opts: {
    seed?: number;
    omitKeys?: readonly string[];
    preset?: Partial<ModelPreset>;
    /** replaces metadata values by key (crafted files that pass validation but not llama.cpp) */
    edit?: (key: string, value: GgufValue) => GgufValue;
  } = {},
): string {
  const preset = { ...MICRO_PRESET, ...opts.preset };
  const seed = opts.seed ?? 7;
  const metadata = (
    dummyModelMetadata(preset, seed).filter(([k]) => !(opts.omitKeys ?? []).includes(k)) as Array<
      [string, GgufValue]
    >
  ).map(([k, v]): [string, GgufValue] => [k, opts.edit ? opts.edit(k, v) : v]);
  return writeGguf(path, metadata, dummyModelTensors(preset, seed)).sha256;
}
