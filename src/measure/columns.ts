/**
 * Typed-array columns that grow by blocks: a run's per-request figures kept as numbers in a few buffers
 * instead of an object (and its BigInts, arrays and strings) per request. A long serving run keeps every
 * request's record to its end; as objects they survive each young-generation collection and are copied by it
 * on the load loop's thread, and they make every full collection trace them. A typed array's contents live
 * outside the collected heap and are never copied or traced. The columns grow by adding blocks, never by
 * copying into a larger buffer: a discarded buffer would count against V8's heap limit (which includes
 * ArrayBuffer memory) until a full collection freed it, and bring that collection sooner
 * (notes/openai-performance.md, "Records as columns").
 */

/** The typed arrays columns are made of. */
type ColumnArray = BigInt64Array | Float64Array | Int32Array | Buffer;

/**
 * Blocks of one typed-array kind, handed out as contiguous runs of elements. A position names a run's first
 * element: its block times `blockSize`, plus its offset in the block. A run longer than a block gets a block
 * of its own.
 */
class Blocks<A extends ColumnArray> {
  private readonly blocks: A[] = [];
  /** the block being filled; null before the first and after a run that had a block of its own */
  private current: A | null = null;
  private fill = 0;

  constructor(
    private readonly blockSize: number,
    private readonly make: (length: number) => A,
  ) {}

  /** Reserves `count` contiguous elements; returns the position of the first. */
  reserve(count: number): number {
    if (count > this.blockSize) {
      this.blocks.push(this.make(count));
      this.current = null;
      return (this.blocks.length - 1) * this.blockSize;
    }
    if (this.current === null || this.fill + count > this.blockSize) {
      this.current = this.make(this.blockSize);
      this.blocks.push(this.current);
      this.fill = 0;
    }
    const at = (this.blocks.length - 1) * this.blockSize + this.fill;
    this.fill += count;
    return at;
  }

  /** Gives back the last `count` elements reserved (the unused end of the last run). */
  unreserve(count: number): void {
    if (this.current !== null) this.fill -= count;
  }

  /** The block that holds position `at`. */
  block(at: number): A {
    return this.blocks[Math.floor(at / this.blockSize)] as A;
  }

  /** The offset of position `at` in its block. */
  offset(at: number): number {
    return at % this.blockSize;
  }
}

/** Elements per block of a column of one value per request (4,096 doubles: 32 KiB). */
const ROW_BLOCK = 4096;
/** Elements per block of a column of many values per request (chunk times and sizes: 65,536). */
const RUN_BLOCK = 65_536;
/** Bytes per block of a text column (1 MiB). */
const TEXT_BLOCK = 1 << 20;

/** A column of int64 values (ns timestamps, exact), one per row or many per row, with one sentinel for null. */
export class BigColumn {
  /** the stored value of null: the smallest int64, never a timestamp of process.hrtime.bigint() */
  static readonly NULL = -(2n ** 63n);
  private readonly blocks: Blocks<BigInt64Array>;
  private n = 0;

  /** @param blockSize elements per block; defaults to one value per row's size (4,096) */
  constructor(blockSize = ROW_BLOCK) {
    this.blocks = new Blocks(blockSize, (length) => new BigInt64Array(length));
  }

  /** Appends a value (null allowed); returns its position (0, 1, 2... while only `push` is used). */
  push(v: bigint | null): number {
    const at = this.blocks.reserve(1);
    this.blocks.block(at)[this.blocks.offset(at)] = v ?? BigColumn.NULL;
    this.n++;
    return at;
  }

  /** Appends every value of `values` together; returns the position of the first. */
  pushAll(values: BigInt64Array): number {
    const at = this.blocks.reserve(values.length);
    this.blocks.block(at).set(values, this.blocks.offset(at));
    this.n += values.length;
    return at;
  }

  /** The value at position `at` (null for the sentinel). */
  get(at: number): bigint | null {
    const v = this.blocks.block(at)[this.blocks.offset(at)] as bigint;
    return v === BigColumn.NULL ? null : v;
  }

  /** A copy of the `count` values from position `at` (appended together by pushAll). */
  slice(at: number, count: number): BigInt64Array {
    const o = this.blocks.offset(at);
    return this.blocks.block(at).slice(o, o + count);
  }

  /** Values stored. */
  get length(): number {
    return this.n;
  }
}

/** A column of doubles, one per row (counts, sizes, positions; NaN may stand for null). */
export class NumberColumn {
  private readonly blocks = new Blocks(ROW_BLOCK, (length) => new Float64Array(length));
  private n = 0;

  /** Appends a value; returns its row (0, 1, 2...). */
  push(v: number): number {
    const at = this.blocks.reserve(1);
    this.blocks.block(at)[this.blocks.offset(at)] = v;
    this.n++;
    return at;
  }

  /** The value of row `i`. */
  get(i: number): number {
    return this.blocks.block(i)[this.blocks.offset(i)] as number;
  }

  /** Replaces the value of row `i` (< length). */
  set(i: number, v: number): void {
    this.blocks.block(i)[this.blocks.offset(i)] = v;
  }

  /** Rows stored. */
  get length(): number {
    return this.n;
  }
}

/** A column of int32 values, appended many at a time (a stream's chunk sizes). */
export class Int32Column {
  private readonly blocks = new Blocks(RUN_BLOCK, (length) => new Int32Array(length));

  /** Appends every value of `values` (each an int32) together; returns the position of the first. */
  pushAll(values: readonly number[]): number {
    const at = this.blocks.reserve(values.length);
    const block = this.blocks.block(at);
    const o = this.blocks.offset(at);
    for (let i = 0; i < values.length; i++) block[o + i] = values[i] as number;
    return at;
  }

  /** The `count` values from position `at` as a plain array. */
  slice(at: number, count: number): number[] {
    const o = this.blocks.offset(at);
    return Array.from(this.blocks.block(at).subarray(o, o + count));
  }
}

/** The block size of a column of chunk times (one run of values per request). */
export const CHUNK_BLOCK = RUN_BLOCK;

/** Strings kept as UTF-8 bytes in blocks (each string's place is its position and byte length). */
export class TextColumn {
  private readonly blocks = new Blocks(TEXT_BLOCK, (length) => Buffer.alloc(length));

  /** Appends a string; returns [position, byte length]. */
  push(text: string): [number, number] {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit: reserve that, give back what was not written
    const most = text.length * 3;
    const at = this.blocks.reserve(most);
    const written = this.blocks.block(at).write(text, this.blocks.offset(at), "utf8");
    this.blocks.unreserve(most - written);
    return [at, written];
  }

  /** The string at position `at`, `bytes` long. */
  get(at: number, bytes: number): string {
    const o = this.blocks.offset(at);
    return this.blocks.block(at).toString("utf8", o, o + bytes);
  }
}

/** A few distinct strings (finish reasons, digests that repeat), each kept once and named by its number. */
export class Interned {
  private readonly ids = new Map<string, number>();
  private readonly values: string[] = [];

  /** The number of `s` (-1 for null), adding it when new. */
  id(s: string | null): number {
    if (s === null) return -1;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /** The string of number `id` (null for -1). */
  value(id: number): string | null {
    return id < 0 ? null : (this.values[id] as string);
  }
}
