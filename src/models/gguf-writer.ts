import { createHash } from "node:crypto";
import { atomicWriteWith, writeAllSync } from "../util/atomic-file.js";
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  GgmlType,
  GgufValueType,
  Q8_0_BLOCK,
  Q8_0_BLOCK_BYTES,
} from "./gguf-format.js";

/** A typed metadata value: the type tag decides how it is encoded. */
export type GgufValue =
  | {
      type: GgufValueType.UINT32 | GgufValueType.INT32 | GgufValueType.FLOAT32 | GgufValueType.UINT64;
      value: number;
    }
  | { type: GgufValueType.BOOL; value: boolean }
  | { type: GgufValueType.STRING; value: string }
  | { type: GgufValueType.ARRAY; itemType: GgufValueType.STRING; value: readonly string[] }
  | {
      type: GgufValueType.ARRAY;
      itemType: GgufValueType.FLOAT32 | GgufValueType.INT32;
      value: ArrayLike<number>;
    };

/** A tensor to write: its shape (ggml order, innermost dimension first), storage type and a value source. */
export interface GgufTensorSpec {
  name: string;
  /** ggml order: dims[0] is the row length. */
  dims: readonly number[];
  type: GgmlType.F32 | GgmlType.Q8_0;
  /** Fills `out` with the tensor's values in row-major order; called once, just before the tensor is written. */
  fill: (out: Float32Array) => void;
}

/** What the writer produced. */
export interface WrittenGguf {
  path: string;
  sha256: string;
  size_bytes: number;
}

class ByteSink {
  private chunks: Buffer[] = [];
  length = 0;
  push(buf: Buffer): void {
    this.chunks.push(buf);
    this.length += buf.length;
  }
  u32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(v >>> 0);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32LE(v | 0);
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  u64(v: number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  str(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.u64(bytes.length);
    this.push(bytes);
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

function writeValue(sink: ByteSink, v: GgufValue): void {
  sink.u32(v.type);
  switch (v.type) {
    case GgufValueType.UINT32:
      sink.u32(v.value);
      return;
    case GgufValueType.INT32:
      sink.i32(v.value);
      return;
    case GgufValueType.FLOAT32:
      sink.f32(v.value);
      return;
    case GgufValueType.UINT64:
      sink.u64(v.value);
      return;
    case GgufValueType.BOOL:
      sink.push(Buffer.from([v.value ? 1 : 0]));
      return;
    case GgufValueType.STRING:
      sink.str(v.value);
      return;
    case GgufValueType.ARRAY: {
      sink.u32(v.itemType);
      sink.u64(v.value.length);
      if (v.itemType === GgufValueType.STRING) {
        for (const s of v.value as readonly string[]) sink.str(s);
      } else if (v.itemType === GgufValueType.FLOAT32) {
        const arr = Float32Array.from(v.value as ArrayLike<number>);
        sink.push(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
      } else {
        const arr = Int32Array.from(v.value as ArrayLike<number>);
        sink.push(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
      }
      return;
    }
  }
}

/** Bytes a tensor of `count` values takes in storage type `type`. */
export function tensorByteSize(type: GgmlType.F32 | GgmlType.Q8_0, count: number): number {
  if (type === GgmlType.F32) return count * 4;
  if (count % Q8_0_BLOCK !== 0)
    throw new RangeError(`Q8_0 tensors need a multiple of ${Q8_0_BLOCK} values, got ${count}`);
  return (count / Q8_0_BLOCK) * Q8_0_BLOCK_BYTES;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE 754 binary32 -> binary16 bits, round to nearest even (enough for Q8_0 scales). */
export function float32ToFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant = (mant | 0x800000) >>> (1 - e);
    if (mant & 0x1000) mant += 0x2000;
    return sign | (mant >>> 13);
  }
  mant += 0x1000;
  if (mant & 0x800000) {
    mant = 0;
    e += 1;
    if (e >= 0x1f) return sign | 0x7c00;
  }
  return sign | (e << 10) | (mant >>> 13);
}

/** binary16 bits -> number. */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}

/** Quantizes values to Q8_0 blocks exactly as ggml's reference quantize_row_q8_0 does. */
export function quantizeQ8_0(values: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(tensorByteSize(GgmlType.Q8_0, values.length));
  const q = new Int8Array(out.buffer, out.byteOffset, out.length);
  for (let b = 0, o = 0; b < values.length; b += Q8_0_BLOCK, o += Q8_0_BLOCK_BYTES) {
    let amax = 0;
    for (let i = 0; i < Q8_0_BLOCK; i++) amax = Math.max(amax, Math.abs(values[b + i] as number));
    const d = amax / 127;
    const id = d ? 1 / d : 0;
    out.writeUInt16LE(float32ToFloat16Bits(d), o);
    for (let i = 0; i < Q8_0_BLOCK; i++) q[o + 2 + i] = Math.round((values[b + i] as number) * id);
  }
  return out;
}

function padTo(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/**
 * Writes a GGUF v3 file atomically (a temp file beside the target, then rename) and returns its sha256.
 * Same metadata and same tensor values give a byte-identical file.
 * @param path where the file ends up; an existing file there is replaced only once the new one is complete.
 */
export function writeGguf(
  path: string,
  metadata: ReadonlyArray<readonly [string, GgufValue]>,
  tensors: readonly GgufTensorSpec[],
): WrittenGguf {
  const head = new ByteSink();
  head.u32(GGUF_MAGIC);
  head.u32(GGUF_VERSION);
  head.u64(tensors.length);
  head.u64(metadata.length);
  for (const [key, value] of metadata) {
    head.str(key);
    writeValue(head, value);
  }
  let offset = 0;
  const layout: { spec: GgufTensorSpec; count: number; bytes: number; offset: number }[] = [];
  for (const spec of tensors) {
    const count = spec.dims.reduce((a, b) => a * b, 1);
    const bytes = tensorByteSize(spec.type, count);
    head.str(spec.name);
    head.u32(spec.dims.length);
    for (const d of spec.dims) head.u64(d);
    head.u32(spec.type);
    head.u64(offset);
    layout.push({ spec, count, bytes, offset });
    offset = padTo(offset + bytes, GGUF_DEFAULT_ALIGNMENT);
  }
  const headerBytes = head.toBuffer();
  const dataStart = padTo(headerBytes.length, GGUF_DEFAULT_ALIGNMENT);
  const hash = createHash("sha256");
  let size = 0;
  atomicWriteWith(path, (fd) => {
    const put = (buf: Buffer) => {
      writeAllSync(fd, buf);
      hash.update(buf);
      size += buf.length;
    };
    put(headerBytes);
    put(Buffer.alloc(dataStart - headerBytes.length));
    for (const { spec, count, bytes, offset: tensorOffset } of layout) {
      if (size !== dataStart + tensorOffset) put(Buffer.alloc(dataStart + tensorOffset - size));
      const values = new Float32Array(count);
      spec.fill(values);
      put(spec.type === GgmlType.F32 ? Buffer.from(values.buffer, 0, bytes) : quantizeQ8_0(values));
    }
  });
  return { path, sha256: hash.digest("hex"), size_bytes: size };
}
