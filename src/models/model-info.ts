import { createHash } from "node:crypto";
import { closeSync, readSync } from "node:fs";
import { ModelFileError } from "../util/errors.js";
import { openRegularFile } from "../util/read-file.js";
import { ggmlTypeName } from "./gguf-format.js";
import { type GgufHeader, type GgufReadValue, readGgufHeader } from "./gguf-reader.js";

/** What a result records of the model it ran. */
export interface ModelInfo {
  path: string;
  sha256: string;
  size_bytes: number;
  architecture: string;
  name: string | null;
  parameter_count: number;
  /** the most common storage type of 2-D weights, e.g. "f32", "q8_0" */
  quantization: string;
  /** true for the project's seeded dummy-weight models */
  dummy: boolean;
  preset: string | null;
  context_length: number;
  embedding_length: number;
  block_count: number;
  vocab_size: number;
}

const isPositiveNumber = (v: GgufReadValue | undefined): boolean => typeof v === "number" && v > 0;

/**
 * Checks that a GGUF header has every key llama.cpp reads before it can fail gracefully. Some missing keys
 * (feed_forward_length, attention.head_count) make llama.cpp abort the whole process, so this runs first.
 * @throws ModelFileError naming the first missing or invalid key.
 */
export function validateGgufForEngine(path: string, header: GgufHeader): void {
  const md = header.metadata;
  const arch = md.get("general.architecture");
  if (typeof arch !== "string" || arch === "") {
    throw new ModelFileError(path, "GGUF metadata lacks general.architecture");
  }
  const required = [
    `${arch}.context_length`,
    `${arch}.embedding_length`,
    `${arch}.block_count`,
    `${arch}.feed_forward_length`,
    `${arch}.attention.head_count`,
  ];
  if (arch === "llama") required.push("llama.attention.layer_norm_rms_epsilon");
  for (const key of required) {
    const v = md.get(key);
    const ok = key.endsWith("epsilon")
      ? typeof v === "number"
      : isPositiveNumber(v) || (Array.isArray(v) && v.length > 0 && v.every((x) => isPositiveNumber(x)));
    if (!ok) throw new ModelFileError(path, `GGUF metadata lacks a valid ${key} (llama.cpp needs it)`);
  }
  const tokenizer = md.get("tokenizer.ggml.model");
  if (typeof tokenizer !== "string")
    throw new ModelFileError(path, "GGUF metadata lacks tokenizer.ggml.model");
  const tokens = md.get("tokenizer.ggml.tokens");
  if (tokenizer !== "none" && (!Array.isArray(tokens) || tokens.length === 0)) {
    throw new ModelFileError(path, "GGUF metadata lacks tokenizer.ggml.tokens");
  }
  if (tokenizer === "gpt2" && !Array.isArray(md.get("tokenizer.ggml.merges"))) {
    throw new ModelFileError(path, "GGUF metadata lacks tokenizer.ggml.merges (needed by a gpt2 vocabulary)");
  }
  if (header.tensors.length === 0) throw new ModelFileError(path, "GGUF file has no tensors");
  if (!header.tensors.some((t) => t.name === "token_embd.weight")) {
    throw new ModelFileError(path, "GGUF file lacks the token_embd.weight tensor");
  }
}

const hashCache = new Map<string, string>();

/**
 * sha256 of a model file, streamed in 4 MiB reads; memoised per path and size within a process. The path must
 * be a regular file (checked before it is opened) and is read up to `sizeBytes`, the size its header check saw:
 * a file that changes size in between is an error, not a hash of other bytes.
 * @throws ModelFileError for a missing or non-regular file, or one whose size changed.
 */
export function sha256File(path: string, sizeBytes: number): string {
  const key = `${path}:${sizeBytes}`;
  const cached = hashCache.get(key);
  if (cached) return cached;
  const hash = createHash("sha256");
  const { fd, size } = openRegularFile(
    path,
    (problem, cause) => new ModelFileError(path, problem, { cause }),
  );
  try {
    if (size !== sizeBytes)
      throw new ModelFileError(path, `changed while being read (${sizeBytes} bytes, now ${size})`);
    const buf = Buffer.allocUnsafe(4 << 20);
    let left = sizeBytes;
    while (left > 0) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, left), null);
      if (n === 0)
        throw new ModelFileError(path, `changed while being read (shorter than ${sizeBytes} bytes)`);
      hash.update(buf.subarray(0, n));
      left -= n;
    }
  } finally {
    closeSync(fd);
  }
  const digest = hash.digest("hex");
  hashCache.set(key, digest);
  return digest;
}

function num(v: GgufReadValue | undefined, fallback = 0): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v) && typeof v[0] === "number") return v[0];
  return fallback;
}

/**
 * Reads, validates and describes a GGUF model: everything the result records about it.
 * @throws ModelFileError for a missing, non-GGUF, truncated or incomplete file.
 */
export function inspectModel(path: string, knownSha256?: string): ModelInfo {
  const header = readGgufHeader(path);
  validateGgufForEngine(path, header);
  const md = header.metadata;
  const arch = md.get("general.architecture") as string;
  let params = 0;
  const typeCounts = new Map<number, number>();
  for (const t of header.tensors) {
    const n = t.dims.reduce((a, b) => a * b, 1);
    params += n;
    if (t.dims.length >= 2) typeCounts.set(t.type, (typeCounts.get(t.type) ?? 0) + n);
  }
  const dominant = [...typeCounts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  const tokens = md.get("tokenizer.ggml.tokens");
  const name = md.get("general.name");
  const preset = md.get("perf_baseline.preset");
  return {
    path,
    sha256: knownSha256 ?? sha256File(path, header.file_size_bytes),
    size_bytes: header.file_size_bytes,
    architecture: arch,
    name: typeof name === "string" ? name : null,
    parameter_count: params,
    quantization: ggmlTypeName(dominant),
    dummy: md.get("perf_baseline.dummy") === true,
    preset: typeof preset === "string" ? preset : null,
    context_length: num(md.get(`${arch}.context_length`)),
    embedding_length: num(md.get(`${arch}.embedding_length`)),
    block_count: num(md.get(`${arch}.block_count`)),
    vocab_size: Array.isArray(tokens) ? tokens.length : num(md.get(`${arch}.vocab_size`)),
  };
}
