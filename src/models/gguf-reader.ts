import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { ModelFileError } from "../util/errors.js";
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GgufValueType,
  Q8_0_BLOCK,
  Q8_0_BLOCK_BYTES,
} from "./gguf-format.js";

/** A metadata value as read: numbers (uint64 as number), booleans, strings, or arrays of them. */
export type GgufReadValue = number | bigint | boolean | string | GgufReadValue[];

/** One tensor's header entry. */
export interface GgufTensorInfo {
  name: string;
  dims: number[];
  type: number;
  offset: number;
}

/** What the header of a GGUF file says. */
export interface GgufHeader {
  version: number;
  metadata: Map<string, GgufReadValue>;
  tensors: GgufTensorInfo[];
  /** absolute file offset where tensor data begins */
  data_offset: number;
  file_size_bytes: number;
}

class TruncatedError extends Error {}

/** Reads a file sequentially through a window, so that a 100 MB model is not read whole for its header. */
class Cursor {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  pos = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}
  private ensure(n: number): void {
    if (this.pos + n > this.size) throw new TruncatedError();
    if (this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length) return;
    const len = Math.min(Math.max(n, 1 << 20), this.size - this.pos);
    this.buf = Buffer.allocUnsafe(len);
    const got = readSync(this.fd, this.buf, 0, len, this.pos);
    if (got < n) throw new TruncatedError();
    this.bufStart = this.pos;
  }
  take(n: number): Buffer {
    this.ensure(n);
    const off = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(off, off + n);
  }
  u8(): number {
    return this.take(1).readUInt8(0);
  }
  u32(): number {
    return this.take(4).readUInt32LE(0);
  }
  u64(): number {
    const v = this.take(8).readBigUInt64LE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new RangeError("a 64-bit count is larger than any real file");
    return Number(v);
  }
  str(): string {
    const len = this.u64();
    if (len > this.size) throw new TruncatedError();
    return this.take(len).toString("utf8");
  }
}

function readScalar(c: Cursor, type: number): GgufReadValue {
  switch (type) {
    case GgufValueType.UINT8:
      return c.u8();
    case GgufValueType.INT8:
      return c.take(1).readInt8(0);
    case GgufValueType.UINT16:
      return c.take(2).readUInt16LE(0);
    case GgufValueType.INT16:
      return c.take(2).readInt16LE(0);
    case GgufValueType.UINT32:
      return c.u32();
    case GgufValueType.INT32:
      return c.take(4).readInt32LE(0);
    case GgufValueType.FLOAT32:
      return c.take(4).readFloatLE(0);
    case GgufValueType.BOOL:
      return c.u8() !== 0;
    case GgufValueType.STRING:
      return c.str();
    case GgufValueType.UINT64:
      return c.take(8).readBigUInt64LE(0);
    case GgufValueType.INT64:
      return c.take(8).readBigInt64LE(0);
    case GgufValueType.FLOAT64:
      return c.take(8).readDoubleLE(0);
    case GgufValueType.ARRAY: {
      const itemType = c.u32();
      const count = c.u64();
      if (itemType === GgufValueType.ARRAY) throw new RangeError("nested arrays are not supported");
      const items: GgufReadValue[] = [];
      for (let i = 0; i < count; i++) items.push(readScalar(c, itemType));
      return items;
    }
    default:
      throw new RangeError(`unknown metadata value type ${type}`);
  }
}

/** Bytes of a tensor of `count` elements, for the types whose size this reader knows; undefined otherwise. */
function knownTensorBytes(type: number, count: number): number | undefined {
  if (type === 0) return count * 4;
  if (type === 1) return count * 2;
  if (type === 8) return (count / Q8_0_BLOCK) * Q8_0_BLOCK_BYTES;
  return undefined;
}

/**
 * Reads and checks the header of a GGUF file without loading tensor data.
 * @throws ModelFileError naming the problem: missing file, not GGUF, unsupported version, truncated.
 */
export function readGgufHeader(path: string): GgufHeader {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFileError(path, code === "ENOENT" ? "file not found" : `cannot be read (${code})`);
  }
  try {
    const size = fstatSync(fd).size;
    if (!fstatSync(fd).isFile()) throw new ModelFileError(path, "not a regular file");
    const c = new Cursor(fd, size);
    try {
      if (size < 4 || c.u32() !== GGUF_MAGIC)
        throw new ModelFileError(path, "not a GGUF file (bad magic bytes)");
      const version = c.u32();
      if (version !== 2 && version !== 3)
        throw new ModelFileError(path, `unsupported GGUF version ${version}`);
      const tensorCount = c.u64();
      const kvCount = c.u64();
      const metadata = new Map<string, GgufReadValue>();
      for (let i = 0; i < kvCount; i++) {
        const key = c.str();
        metadata.set(key, readScalar(c, c.u32()));
      }
      const tensors: GgufTensorInfo[] = [];
      for (let i = 0; i < tensorCount; i++) {
        const name = c.str();
        const nDims = c.u32();
        if (nDims > 4) throw new RangeError(`tensor ${name} has ${nDims} dimensions`);
        const dims: number[] = [];
        for (let d = 0; d < nDims; d++) dims.push(c.u64());
        tensors.push({ name, dims, type: c.u32(), offset: c.u64() });
      }
      const alignmentValue = metadata.get("general.alignment");
      const alignment =
        typeof alignmentValue === "number" && alignmentValue > 0 ? alignmentValue : GGUF_DEFAULT_ALIGNMENT;
      const dataOffset = Math.ceil(c.pos / alignment) * alignment;
      let dataEnd = dataOffset;
      for (const t of tensors) {
        const bytes = knownTensorBytes(
          t.type,
          t.dims.reduce((a, b) => a * b, 1),
        );
        dataEnd = Math.max(dataEnd, dataOffset + t.offset + (bytes ?? 0));
      }
      if (dataEnd > size) {
        throw new ModelFileError(path, `truncated: tensor data needs ${dataEnd} bytes, the file has ${size}`);
      }
      return { version, metadata, tensors, data_offset: dataOffset, file_size_bytes: size };
    } catch (err) {
      if (err instanceof ModelFileError) throw err;
      if (err instanceof TruncatedError)
        throw new ModelFileError(path, `truncated GGUF header (file is ${size} bytes)`);
      throw new ModelFileError(path, `corrupt GGUF header: ${(err as Error).message}`);
    }
  } finally {
    closeSync(fd);
  }
}
