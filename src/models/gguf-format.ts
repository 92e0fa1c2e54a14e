/**
 * Constants of the GGUF file format (version 3) shared by the writer and the reader.
 * The layout of ggml's GGUF specification: little-endian throughout, strings are a uint64 length plus UTF-8 bytes.
 */

/** "GGUF" read as a little-endian uint32. */
export const GGUF_MAGIC = 0x46554747;
/** The format version this project writes; versions 2 and 3 are read. */
export const GGUF_VERSION = 3;
/** Tensor data alignment in bytes unless `general.alignment` says otherwise. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types. */
export enum GgufValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** The ggml tensor types this project writes or names. */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
}

/** Human names of ggml tensor types, for results ("f32", "q8_0"); unknown ids read as "type<N>". */
export function ggmlTypeName(type: number): string {
  const name = GgmlType[type];
  return name === undefined ? `type${type}` : name.toLowerCase();
}

/** `general.file_type` values (llama_ftype) for the types this project writes. */
export const FILE_TYPE: Record<"f32" | "q8_0", number> = { f32: 0, q8_0: 7 };

/** Values per Q8_0 block and bytes per block (an f16 scale plus 32 int8). */
export const Q8_0_BLOCK = 32;
export const Q8_0_BLOCK_BYTES = 34;
