import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dummyModelTensors, writeDummyModel } from "../../src/models/dummy-model.js";
import { GGUF_MAGIC, GgmlType } from "../../src/models/gguf-format.js";
import { readGgufHeader } from "../../src/models/gguf-reader.js";
import { float16BitsToFloat32, float32ToFloat16Bits, quantizeQ8_0 } from "../../src/models/gguf-writer.js";
import { inspectModel } from "../../src/models/model-info.js";
import { PRESETS, presetParameterCount } from "../../src/models/presets.js";
import { buildVocabulary, TOKEN_TYPE } from "../../src/models/vocab.js";
import { ModelFileError } from "../../src/util/errors.js";
import { MICRO_PRESET, writeMicroModel } from "../support/micro-model.js";

const dir = mkdtempSync(join(tmpdir(), "pb-gguf-"));

describe("float16 conversion", () => {
  it("encodes known values", () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(0.5)).toBe(0x3800);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float32ToFloat16Bits(0)).toBe(0);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(1);
  });
  it("round-trips within half precision", () => {
    for (const v of [0.1, 0.3333, 2.71, -7.25, 1 / 127]) {
      expect(Math.abs(float16BitsToFloat32(float32ToFloat16Bits(v)) - v)).toBeLessThan(Math.abs(v) * 1e-3);
    }
  });
});

describe("Q8_0 quantization", () => {
  it("writes one f16 scale and 32 int8 per block, as ggml's reference does", () => {
    const values = Float32Array.from({ length: 32 }, (_, i) => (i - 16) / 16);
    const q = quantizeQ8_0(values);
    expect(q.length).toBe(34);
    const d = float16BitsToFloat32(q.readUInt16LE(0));
    expect(d).toBeCloseTo(1 / 127, 5);
    expect(q.readInt8(2)).toBe(-127);
    expect(q.readInt8(2 + 16)).toBe(0);
    expect(q.readInt8(2 + 31)).toBe(Math.round((15 / 16) * 127));
  });
  it("rejects lengths that are not whole blocks", () => {
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow(RangeError);
  });
});

describe("vocabulary", () => {
  it("has the special and byte tokens at fixed ids and unique pieces", () => {
    const v = buildVocabulary(1000);
    expect(v.tokens.length).toBe(1000);
    expect(v.tokens.slice(0, 3)).toEqual(["<unk>", "<s>", "</s>"]);
    expect(v.tokens[3]).toBe("<0x00>");
    expect(v.tokens[258]).toBe("<0xFF>");
    expect(v.types[100]).toBe(TOKEN_TYPE.byte);
    expect(new Set(v.tokens).size).toBe(1000);
  });
  it("fills the 32000-token vocabulary of the presets", () => {
    expect(new Set(buildVocabulary(32000).tokens).size).toBe(32000);
  });
});

describe("GGUF writer and reader", () => {
  it("round-trips metadata and tensor shapes", () => {
    const path = join(dir, "micro.gguf");
    writeMicroModel(path);
    const h = readGgufHeader(path);
    expect(h.version).toBe(3);
    expect(h.metadata.get("general.architecture")).toBe("llama");
    expect(h.metadata.get("llama.embedding_length")).toBe(64);
    expect(h.metadata.get("llama.attention.layer_norm_rms_epsilon")).toBeCloseTo(1e-5);
    expect((h.metadata.get("tokenizer.ggml.tokens") as string[]).length).toBe(512);
    expect(h.metadata.get("perf_baseline.dummy")).toBe(true);
    const expected = dummyModelTensors(MICRO_PRESET, 7);
    expect(h.tensors.map((t) => t.name)).toEqual(expected.map((t) => t.name));
    expect(h.tensors.map((t) => t.dims)).toEqual(expected.map((t) => [...t.dims]));
    expect(h.data_offset % 32).toBe(0);
    for (const t of h.tensors) expect(t.offset % 32).toBe(0);
    const info = inspectModel(path);
    expect(info.parameter_count).toBe(presetParameterCount(MICRO_PRESET));
    expect(info.quantization).toBe("f32");
    expect(info.dummy).toBe(true);
  });

  it("stores the tensor values it was given", () => {
    const path = join(dir, "values.gguf");
    writeMicroModel(path);
    const h = readGgufHeader(path);
    const t = h.tensors.find((x) => x.name === "blk.0.attn_q.weight");
    expect(t).toBeDefined();
    const spec = dummyModelTensors(MICRO_PRESET, 7).find((x) => x.name === "blk.0.attn_q.weight");
    const want = new Float32Array(64 * 64);
    spec?.fill(want);
    const bytes = readFileSync(path).subarray(
      h.data_offset + (t?.offset ?? 0),
      h.data_offset + (t?.offset ?? 0) + want.byteLength,
    );
    expect(
      new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
    ).toEqual(want);
  });

  it("gives a byte-identical file for the same seed and a different one for another seed", () => {
    const a = writeMicroModel(join(dir, "a.gguf"), { seed: 3 });
    const b = writeMicroModel(join(dir, "b.gguf"), { seed: 3 });
    const c = writeMicroModel(join(dir, "c.gguf"), { seed: 4 });
    expect(a).toBe(b);
    expect(readFileSync(join(dir, "a.gguf")).equals(readFileSync(join(dir, "b.gguf")))).toBe(true);
    expect(c).not.toBe(a);
  });

  it("writes Q8_0 weights the reader sizes correctly", () => {
    const path = join(dir, "q8.gguf");
    writeMicroModel(path, { preset: { weight_type: GgmlType.Q8_0, untied_output: false } });
    const info = inspectModel(path);
    expect(info.quantization).toBe("q8_0");
    expect(readGgufHeader(path).tensors.some((t) => t.name === "output.weight")).toBe(false);
  });

  it("writes the default tiny preset byte-identically (pinned sha256)", () => {
    const tiny = PRESETS.tiny;
    if (!tiny) throw new Error("no tiny preset");
    const written = writeDummyModel(tiny, 42, join(dir, "tiny.gguf"));
    expect(written.sha256).toBe("b8e171bfb614151168f155bd575b69dca65a26711a63fd2ae6be222a766224f8");
    expect(presetParameterCount(tiny)).toBe(24_407_712);
  });
});

describe("GGUF validation", () => {
  const expectModelError = (path: string, pattern: RegExp) => {
    let caught: unknown;
    try {
      inspectModel(path);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ModelFileError);
    expect((caught as Error).message).toMatch(pattern);
    expect((caught as Error).message).not.toContain("\n");
  };

  it("names a missing file", () => expectModelError(join(dir, "nope.gguf"), /file not found/));

  it("rejects a file that is not GGUF", () => {
    const path = join(dir, "text.gguf");
    writeFileSync(path, "this is not a model\n");
    expectModelError(path, /not a GGUF file/);
  });

  it("rejects an empty file", () => {
    const path = join(dir, "empty.gguf");
    writeFileSync(path, "");
    expectModelError(path, /not a GGUF file|truncated/);
  });

  it("rejects an unsupported version", () => {
    const path = join(dir, "v9.gguf");
    const b = Buffer.alloc(24);
    b.writeUInt32LE(GGUF_MAGIC, 0);
    b.writeUInt32LE(9, 4);
    writeFileSync(path, b);
    expectModelError(path, /unsupported GGUF version 9/);
  });

  it("rejects a file truncated in the header and one truncated in the tensor data", () => {
    const inHeader = join(dir, "trunc-header.gguf");
    writeMicroModel(inHeader);
    truncateSync(inHeader, 2000);
    expectModelError(inHeader, /truncated/);
    const inData = join(dir, "trunc-data.gguf");
    writeMicroModel(inData);
    const size = readFileSync(inData).length;
    truncateSync(inData, size - 100);
    expectModelError(inData, /truncated: tensor data needs/);
  });

  for (const key of [
    "general.architecture",
    "llama.context_length",
    "llama.embedding_length",
    "llama.block_count",
    "llama.feed_forward_length",
    "llama.attention.head_count",
    "llama.attention.layer_norm_rms_epsilon",
    "tokenizer.ggml.model",
    "tokenizer.ggml.tokens",
  ]) {
    it(`names a missing ${key}`, () => {
      const path = join(dir, `no-${key}.gguf`);
      writeMicroModel(path, { omitKeys: [key] });
      expectModelError(path, new RegExp(key.replace(/\./g, "\\.")));
    });
  }
});
