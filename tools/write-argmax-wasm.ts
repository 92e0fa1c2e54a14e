/**
 * Compiles src/engines/llama-cpp/argmax.wat (WebAssembly text, with SIMD) into src/engines/llama-cpp/argmax-wasm.ts,
 * the module's bytes as base64, so that the engine needs no compiler at run time. test/unit/llama-cpp-argmax.test.ts
 * fails when the two disagree. Usage: npx tsx tools/write-argmax-wasm.ts
 */

import { atomicWriteText } from "../src/util/atomic-file.js";
import { argmaxWasmModuleText, compileArgmaxWat } from "./argmax-wat.js";

const OUT = "src/engines/llama-cpp/argmax-wasm.ts";
atomicWriteText(OUT, argmaxWasmModuleText(await compileArgmaxWat()));
process.stderr.write(`wrote ${OUT}\n`);
