/**
 * The koffi declarations of src/engines/llama-cpp/ffi.ts against the llama.h / ggml.h node-llama-cpp ships:
 * a C++ program compiled with g++ against those headers prints every declared struct's size, alignment and
 * each declared field's offset and size, plus the enum values the engine uses; they must equal koffi's.
 * The headers come from the git bundle in node_modules/node-llama-cpp/llama (offline).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import koffi from "koffi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  abiMismatch,
  EXPECTED_GGML_VERSION,
  EXPECTED_LLAMA_VERSION,
} from "../../src/engines/llama-cpp/abi.js";
import {
  DECLARED_STRUCTS,
  GGML_BACKEND_DEVICE_TYPE_CPU,
  GGML_LOG_LEVEL,
  GGML_MAX_N_THREADS,
  LLAMA_FLASH_ATTN_TYPE_AUTO,
  LLAMA_LAZY_MODE_OFF,
  LLAMA_LOAD_MODE_MMAP,
  LLAMA_POOLING_TYPE,
  LLAMA_VOCAB_TYPE,
} from "../../src/engines/llama-cpp/ffi.js";

const bundle = join(process.cwd(), "node_modules/node-llama-cpp/llama/gitRelease.bundle");
const dir = mkdtempSync(join(tmpdir(), "pb-llama-abi-"));
const src = join(dir, "llama.cpp");

/** The C expressions whose values the engine hard-codes, by name. */
const CONSTANTS: Record<string, [string, number]> = {
  GGML_MAX_N_THREADS: ["GGML_MAX_N_THREADS", GGML_MAX_N_THREADS],
  LLAMA_LOAD_MODE_MMAP: ["LLAMA_LOAD_MODE_MMAP", LLAMA_LOAD_MODE_MMAP],
  LLAMA_LAZY_MODE_OFF: ["LLAMA_LAZY_MODE_OFF", LLAMA_LAZY_MODE_OFF],
  LLAMA_FLASH_ATTN_TYPE_AUTO: ["LLAMA_FLASH_ATTN_TYPE_AUTO", LLAMA_FLASH_ATTN_TYPE_AUTO],
  GGML_BACKEND_DEVICE_TYPE_CPU: ["GGML_BACKEND_DEVICE_TYPE_CPU", GGML_BACKEND_DEVICE_TYPE_CPU],
  ...Object.fromEntries(
    Object.entries(LLAMA_POOLING_TYPE).map(([k, v]) => [`POOLING_${k}`, [`LLAMA_POOLING_TYPE_${k}`, v]]),
  ),
  ...Object.fromEntries(
    Object.entries(LLAMA_VOCAB_TYPE).map(([k, v]) => [`VOCAB_${k}`, [`LLAMA_VOCAB_TYPE_${k}`, v]]),
  ),
  ...Object.fromEntries(
    Object.entries(GGML_LOG_LEVEL).map(([k, v]) => [`LOG_${k}`, [`GGML_LOG_LEVEL_${k}`, v]]),
  ),
};

/** What g++ says, keyed "struct" / "struct.field" / "const:NAME". */
let native: Map<string, number[]>;

beforeAll(() => {
  execFileSync("git", ["clone", "--quiet", "--no-checkout", bundle, src]);
  execFileSync("git", ["-C", src, "checkout", "--quiet", "HEAD", "--", "include", "ggml/include"]);
  const lines: string[] = [
    "#include <cstddef>",
    "#include <cstdio>",
    '#include "llama.h"',
    '#define F(S, M) printf(#S "." #M " %zu %zu\\n", offsetof(struct S, M), sizeof(((struct S *) 0)->M));',
    "int main() {",
  ];
  for (const [name, type] of Object.entries(DECLARED_STRUCTS)) {
    lines.push(`  printf("${name} %zu %zu\\n", sizeof(struct ${name}), alignof(struct ${name}));`);
    for (const field of Object.keys(type.members ?? {})) lines.push(`  F(${name}, ${field})`);
  }
  for (const [key, [expr]] of Object.entries(CONSTANTS))
    lines.push(`  printf("const:${key} %lld\\n", (long long) (${expr}));`);
  lines.push("  return 0;", "}");
  writeFileSync(join(dir, "abi.cpp"), `${lines.join("\n")}\n`);
  execFileSync("g++", [
    "-std=c++17",
    `-I${join(src, "include")}`,
    `-I${join(src, "ggml/include")}`,
    join(dir, "abi.cpp"),
    "-o",
    join(dir, "abi"),
  ]);
  const out = execFileSync(join(dir, "abi"), { encoding: "utf8" });
  native = new Map(
    out
      .trim()
      .split("\n")
      .map((l) => {
        const [k, ...v] = l.split(" ");
        return [k as string, v.map(Number)];
      }),
  );
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("llama-cpp engine ABI: koffi layouts equal the bundled llama.h", () => {
  for (const [name, type] of Object.entries(DECLARED_STRUCTS)) {
    it(`${name}: size, alignment and every declared field's offset and size`, () => {
      expect(native.get(name), `${name} size/alignment`).toEqual([koffi.sizeof(type), koffi.alignof(type)]);
      const fields = Object.values(type.members ?? {});
      expect(fields.length).toBeGreaterThan(0);
      for (const f of fields)
        expect(native.get(`${name}.${f.name}`), `${name}.${f.name} offset/size`).toEqual([
          koffi.offsetof(type, f.name),
          f.type.size,
        ]);
    });
  }

  it("the enum values and constants the engine hard-codes", () => {
    for (const [key, [, value]] of Object.entries(CONSTANTS))
      expect(native.get(`const:${key}`), key).toEqual([value]);
  });

  it("the headers are the release abi.ts names", () => {
    const cmake = execFileSync("git", ["-C", src, "show", "HEAD:ggml/CMakeLists.txt"], { encoding: "utf8" });
    const v = ["MAJOR", "MINOR", "PATCH"].map(
      (p) => cmake.match(new RegExp(`GGML_VERSION_${p}\\s+(\\d+)`))?.[1],
    );
    expect(v.join(".")).toBe(EXPECTED_GGML_VERSION);
    expect(existsSync(join(src, "include/llama.h"))).toBe(true);
  });
});

describe("abiMismatch", () => {
  const good = {
    ggml_version: EXPECTED_GGML_VERSION,
    ggml_commit: "5b4ebc5",
    llama_version: EXPECTED_LLAMA_VERSION,
    llama_build_number: 1,
    llama_commit: "5b4ebc5",
  };
  it("accepts the prebuilt build and a build of the shipped bundle", () => {
    expect(abiMismatch(good, "/x")).toBeNull();
    expect(abiMismatch({ ...good, ggml_commit: "80fb11a", llama_build_number: null }, "/x")).toBeNull();
  });
  it("names the first difference and the fix in one line", () => {
    for (const bad of [
      { ...good, ggml_version: "0.24.0" },
      { ...good, ggml_commit: "deadbee" },
      { ...good, llama_version: "0.5.0" },
      { ...good, llama_build_number: 7000 },
    ]) {
      const m = abiMismatch(bad, "/libs") ?? "";
      expect(m).toMatch(/^the llama\.cpp libraries in \/libs report /);
      expect(m).toMatch(/use a build of llama\.cpp v0\.4\.0/);
      expect(m).not.toContain("\n");
    }
  });
});
