import { closeSync, readSync } from "node:fs";
import { ModelFileError } from "../util/errors.js";
import { openRegularFile } from "../util/read-file.js";
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

/**
 * The most items a metadata array may hold: 2^24 (16.8 M). Real vocabularies are below 300 k tokens and
 * merges; a count is also checked against the bytes left in the file, so that a corrupt count (300 million
 * uint8 values in a small file) is a one-line error, not an allocation that aborts V8.
 */
export const MAX_GGUF_ARRAY_ITEMS = 1 << 24;

/** The longest metadata string or name read: 16 MiB (real ones are below a few KB; chat templates ~10 KB). */
export const MAX_GGUF_STRING_BYTES = 16 << 20;

/** The fewest bytes one value of a metadata type takes in the file (a string: its 8-byte length). */
function minValueBytes(type: number): number {
  switch (type) {
    case GgufValueType.UINT8:
    case GgufValueType.INT8:
    case GgufValueType.BOOL:
      return 1;
    case GgufValueType.UINT16:
    case GgufValueType.INT16:
      return 2;
    case GgufValueType.UINT32:
    case GgufValueType.INT32:
    case GgufValueType.FLOAT32:
      return 4;
    default:
      return 8; // 64-bit values, and strings (8-byte length)
  }
}

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
  /** Bytes not yet read. */
  get left(): number {
    return this.size - this.pos;
  }
  /**
   * Reads a count of items of at least `itemBytes` bytes each and checks that they fit in the rest of the
   * file (and under `max`), before anything is allocated for them.
   */
  count(itemBytes: number, what: string, max = Number.MAX_SAFE_INTEGER): number {
    const n = this.u64();
    if (n > max) throw new RangeError(`${what} claims ${n} items, more than the ${max} this reader accepts`);
    if (n * itemBytes > this.left) {
      throw new TruncatedError(
        `${what} claims ${n} items of at least ${itemBytes} bytes, but only ${this.left} bytes of the file are left`,
      );
    }
    return n;
  }
  u64(): number {
    const v = this.take(8).readBigUInt64LE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new RangeError("a 64-bit count is larger than any real file");
    return Number(v);
  }
  str(): string {
    const len = this.u64();
    if (len > this.left) throw new TruncatedError();
    if (len > MAX_GGUF_STRING_BYTES)
      throw new RangeError(
        `a string claims ${len} bytes, more than the ${MAX_GGUF_STRING_BYTES} this reader accepts`,
      );
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
      if (itemType === GgufValueType.ARRAY) throw new RangeError("nested arrays are not supported");
      const count = c.count(minValueBytes(itemType), "a metadata array", MAX_GGUF_ARRAY_ITEMS);
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
 * The path must be a regular file (checked before it is opened); header reads go through a window of at most
 * 1 MiB and every count in the header is checked against the bytes left in the file before it is used.
 * @throws ModelFileError naming the problem: missing or not a regular file, not GGUF, unsupported version,
 *   truncated, or a count that cannot fit in the file.
 */
export function readGgufHeader(path: string): GgufHeader {
  // a FIFO, device or folder is refused before it is opened (a FIFO would block the open forever)
  const { fd, size } = openRegularFile(
    path,
    (problem, cause) => new ModelFileError(path, problem, { cause }),
  );
  try {
    const c = new Cursor(fd, size);
    try {
      if (size < 4 || c.u32() !== GGUF_MAGIC)
        throw new ModelFileError(path, "not a GGUF file (bad magic bytes)");
      const version = c.u32();
      if (version !== 2 && version !== 3)
        throw new ModelFileError(path, `unsupported GGUF version ${version}`);
      // each tensor entry takes at least 24 bytes (name length, dims count, type, offset); each key-value
      // pair at least 12 (key length, value type): counts that cannot fit in the file are corrupt
      const tensorCount = c.count(24, "the tensor count");
      const kvCount = c.count(12, "the metadata count");
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
      if (err instanceof TruncatedError) {
        const detail = err.message === "" ? "" : `: ${err.message}`;
        throw new ModelFileError(path, `truncated or corrupt GGUF header (file is ${size} bytes)${detail}`);
      }
      throw new ModelFileError(path, `corrupt GGUF header: ${(err as Error).message}`);
    }
  } finally {
    closeSync(fd);
  }
}
