import { GgmlType } from "./gguf-format.js";

/** The shape of a llama-architecture dummy model. */
export interface ModelPreset {
  name: string;
  description: string;
  /** embedding_length */
  dim: number;
  /** block_count */
  layers: number;
  /** attention.head_count (and head_count_kv: no grouped-query attention) */
  heads: number;
  /** feed_forward_length */
  ffn: number;
  vocab: number;
  /** llama.context_length written into the file */
  context_length: number;
  /** whether output.weight is a tensor of its own (true) or shared with token_embd (false) */
  untied_output: boolean;
  /** storage type of the 2-D weight matrices; norms are always f32 */
  weight_type: GgmlType.F32 | GgmlType.Q8_0;
}

/** Built-in presets. `tiny` is the default. */
export const PRESETS: Record<string, ModelPreset> = {
  tiny: {
    name: "tiny",
    description: 'the 15M "stories" shape (dim 288, 6 layers, 6 heads, ffn 768, untied output, f32)',
    dim: 288,
    layers: 6,
    heads: 6,
    ffn: 768,
    vocab: 32000,
    context_length: 2048,
    untied_output: true,
    weight_type: GgmlType.F32,
  },
  small: {
    name: "small",
    description: "a 110M shape (dim 768, 12 layers, 12 heads, ffn 2048, tied output, Q8_0)",
    dim: 768,
    layers: 12,
    heads: 12,
    ffn: 2048,
    vocab: 32000,
    context_length: 2048,
    untied_output: false,
    weight_type: GgmlType.Q8_0,
  },
};

/** The preset used when no --model is given. */
export const DEFAULT_PRESET = "tiny";
/** The seed of the default model's weights. */
export const DEFAULT_MODEL_SEED = 42;

/** Parameter count of a preset, as llama.cpp counts it (every tensor element). */
export function presetParameterCount(p: ModelPreset): number {
  const perLayer = 4 * p.dim * p.dim + 3 * p.dim * p.ffn + 2 * p.dim;
  return p.vocab * p.dim * (p.untied_output ? 2 : 1) + p.layers * perLayer + p.dim;
}
