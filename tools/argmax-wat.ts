/** Compiling the engine's WebAssembly argmax (src/engines/llama-cpp/argmax.wat) with wabt: the tool and its test share it. */
import { readFileSync } from "node:fs";
import wabt from "wabt";

/** The .wat source the generated module is compiled from. */
export const ARGMAX_WAT = "src/engines/llama-cpp/argmax.wat";

/** The bytes of ARGMAX_WAT compiled by wabt (SIMD enabled), as base64. */
export async function compileArgmaxWat(): Promise<string> {
  const w = await wabt();
  const module = w.parseWat(ARGMAX_WAT, readFileSync(ARGMAX_WAT, "utf8"), { simd: true });
  try {
    return Buffer.from(module.toBinary({}).buffer).toString("base64");
  } finally {
    module.destroy();
  }
}

/** The text of src/engines/llama-cpp/argmax-wasm.ts holding `base64`. */
export function argmaxWasmModuleText(base64: string): string {
  return `/** Written by tools/write-argmax-wasm.ts from argmax.wat (do not edit): the WebAssembly module, base64. */
export const ARGMAX_WASM_BASE64 =
  "${base64}";
`;
}
