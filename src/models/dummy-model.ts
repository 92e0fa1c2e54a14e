import { createHash } from "node:crypto";
import { mulberry32 } from "../util/prng.js";
import { FILE_TYPE, GgmlType, GgufValueType } from "./gguf-format.js";
import { type GgufTensorSpec, type GgufValue, type WrittenGguf, writeGguf } from "./gguf-writer.js";
import { type ModelPreset, presetParameterCount } from "./presets.js";
import { buildVocabulary } from "./vocab.js";

/** A 32-bit seed for one tensor, derived from the model seed and the tensor's name. */
function tensorSeed(seed: number, name: string): number {
  return createHash("sha256").update(`${seed}:${name}`).digest().readUInt32LE(0);
}

function uniformFill(seed: number, name: string, scale: number): (out: Float32Array) => void {
  return (out) => {
    const rng = mulberry32(tensorSeed(seed, name));
    for (let i = 0; i < out.length; i++) out[i] = (rng() * 2 - 1) * scale;
  };
}

const ones = (out: Float32Array) => out.fill(1);

/** The metadata of a dummy llama model, in the order it is written. */
export function dummyModelMetadata(preset: ModelPreset, seed: number): Array<[string, GgufValue]> {
  const vocab = buildVocabulary(preset.vocab);
  const u32 = (value: number): GgufValue => ({ type: GgufValueType.UINT32, value });
  return [
    ["general.architecture", { type: GgufValueType.STRING, value: "llama" }],
    ["general.name", { type: GgufValueType.STRING, value: `perf-baseline-dummy-${preset.name}-seed${seed}` }],
    [
      "general.description",
      { type: GgufValueType.STRING, value: `perf-baseline dummy weights: ${preset.description}` },
    ],
    ["general.file_type", u32(preset.weight_type === GgmlType.Q8_0 ? FILE_TYPE.q8_0 : FILE_TYPE.f32)],
    ["general.parameter_count", { type: GgufValueType.UINT64, value: presetParameterCount(preset) }],
    ["perf_baseline.dummy", { type: GgufValueType.BOOL, value: true }],
    ["perf_baseline.preset", { type: GgufValueType.STRING, value: preset.name }],
    ["perf_baseline.seed", u32(seed)],
    ["llama.context_length", u32(preset.context_length)],
    ["llama.embedding_length", u32(preset.dim)],
    ["llama.block_count", u32(preset.layers)],
    ["llama.feed_forward_length", u32(preset.ffn)],
    ["llama.attention.head_count", u32(preset.heads)],
    ["llama.attention.head_count_kv", u32(preset.heads)],
    ["llama.attention.layer_norm_rms_epsilon", { type: GgufValueType.FLOAT32, value: 1e-5 }],
    ["llama.rope.dimension_count", u32(preset.dim / preset.heads)],
    ["llama.vocab_size", u32(preset.vocab)],
    ["tokenizer.ggml.model", { type: GgufValueType.STRING, value: "llama" }],
    [
      "tokenizer.ggml.tokens",
      { type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value: vocab.tokens },
    ],
    [
      "tokenizer.ggml.scores",
      { type: GgufValueType.ARRAY, itemType: GgufValueType.FLOAT32, value: vocab.scores },
    ],
    [
      "tokenizer.ggml.token_type",
      { type: GgufValueType.ARRAY, itemType: GgufValueType.INT32, value: vocab.types },
    ],
    ["tokenizer.ggml.unknown_token_id", u32(vocab.unk)],
    ["tokenizer.ggml.bos_token_id", u32(vocab.bos)],
    ["tokenizer.ggml.eos_token_id", u32(vocab.eos)],
    ["tokenizer.ggml.add_bos_token", { type: GgufValueType.BOOL, value: true }],
    ["tokenizer.ggml.add_eos_token", { type: GgufValueType.BOOL, value: false }],
  ];
}

/** The tensors of a dummy llama model, in the order llama.cpp's converters write them. */
export function dummyModelTensors(preset: ModelPreset, seed: number): GgufTensorSpec[] {
  const { dim, ffn, vocab, layers } = preset;
  const w = preset.weight_type;
  const matrix = (name: string, cols: number, rows: number): GgufTensorSpec => ({
    name,
    dims: [cols, rows],
    type: w,
    fill: uniformFill(seed, name, Math.sqrt(3 / cols)),
  });
  const norm = (name: string): GgufTensorSpec => ({ name, dims: [dim], type: GgmlType.F32, fill: ones });
  const tensors: GgufTensorSpec[] = [
    {
      name: "token_embd.weight",
      dims: [dim, vocab],
      type: w,
      fill: uniformFill(seed, "token_embd.weight", 1),
    },
  ];
  for (let i = 0; i < layers; i++) {
    const p = `blk.${i}`;
    tensors.push(
      norm(`${p}.attn_norm.weight`),
      matrix(`${p}.attn_q.weight`, dim, dim),
      matrix(`${p}.attn_k.weight`, dim, dim),
      matrix(`${p}.attn_v.weight`, dim, dim),
      matrix(`${p}.attn_output.weight`, dim, dim),
      norm(`${p}.ffn_norm.weight`),
      matrix(`${p}.ffn_gate.weight`, dim, ffn),
      matrix(`${p}.ffn_up.weight`, dim, ffn),
      matrix(`${p}.ffn_down.weight`, ffn, dim),
    );
  }
  tensors.push(norm("output_norm.weight"));
  if (preset.untied_output) tensors.push(matrix("output.weight", dim, vocab));
  return tensors;
}

/**
 * Writes a dummy llama model: the preset's shape, weights drawn from a seeded generator, the project's own
 * vocabulary. Same preset and seed give a byte-identical file (and so the same sha256).
 * @param path target file; written atomically.
 */
export function writeDummyModel(preset: ModelPreset, seed: number, path: string): WrittenGguf {
  return writeGguf(path, dummyModelMetadata(preset, seed), dummyModelTensors(preset, seed));
}
