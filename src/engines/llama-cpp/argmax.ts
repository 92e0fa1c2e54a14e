/**
 * Greedy sampling without llama.cpp's CPU sampler: the index of the largest logit. No native code here (unit
 * tests load it without koffi); session.ts applies it to a Float32Array view of llama_get_logits_ith.
 */
import { ARGMAX_WASM_BASE64 } from "./argmax-wasm.js";

/**
 * How the llama-cpp engine picks a greedy token (session.ts):
 * - "argmax" (the default): {@link simdArgmax} over the logits row (llama_get_logits_ith), in WebAssembly
 *   with 128-bit SIMD: about 10 us per token on the tiny model's 32,000 logits (copy included), where the
 *   same pass in JavaScript ({@link greedyArgmax}) takes about 50 us and llama.cpp's CPU sampler about 145 us.
 * - "backend": llama.cpp's backend sampling. A sampler chain holding only `llama_sampler_init_greedy` is
 *   attached to sequence 0 (`llama_set_sampler`), so `llama_decode` itself appends a `ggml_argmax` over the
 *   last logits row to its graph (`llama_sampler_greedy_backend_apply` in llama-sampler.cpp of the bundled
 *   release); the engine reads the token with `llama_get_sampled_token_ith(ctx, -1)`. Its harness time is the
 *   least, but ggml's argmax is one scalar loop on one thread inside the decode: the tiny model decodes 3-4 %
 *   slower than with "argmax" (notes/engine-performance.md), so it is not the default.
 * - "sampler": llama.cpp's `llama_sampler_sample` on the CPU, on a chain holding only
 *   `llama_sampler_init_greedy` (what node-llama-cpp runs at temperature 0; counted runs use it).
 * Ties: the CPU sampler and greedyArgmax pick the FIRST largest logit, ggml's argmax on the CPU backend
 * (`ggml_vec_argmax_f32`, ggml-cpu/vec.h: `if (max == x[i]) idx = i`) the LAST. Exact ties of two float
 * logits do not occur in the engine's outputs: test/integration/llama-cpp-greedy.test.ts shows the three
 * methods give identical sequences.
 */
export type GreedyMethod = "backend" | "argmax" | "sampler";

/** How the engine identity's `details.sampler` names each method. */
export const GREEDY_DESCRIPTION: Record<GreedyMethod, string> = {
  backend:
    "llama_sampler_init_greedy as a backend sampler (llama_set_sampler: ggml_argmax inside llama_decode's graph)",
  argmax: "greedy argmax of llama_get_logits_ith (llama_sampler_init_greedy's pick)",
  sampler: "llama_sampler_init_greedy",
};

/** The default {@link GreedyMethod}. */
export const DEFAULT_GREEDY_METHOD: GreedyMethod = "argmax";

/**
 * The index of the largest value, the first one on ties: exactly llama.cpp's greedy sampler
 * (`llama_sampler_greedy_apply` in llama-sampler.cpp of the bundled llama.cpp release: `selected = 0`, then
 * `if (logit[i] > logit[selected]) selected = i`, over candidates in token order), NaN included (a NaN
 * never compares greater, and a NaN first logit keeps index 0). One pass, no allocation.
 * @param logits one row of logits (n_vocab values); any length >= 1
 * @returns the token id; 0 for an empty array (as llama.cpp's `selected = 0`)
 */
export function greedyArgmax(logits: Float32Array): number {
  const n = logits.length;
  let best = 0;
  let bestLogit = n > 0 ? (logits[0] as number) : 0;
  for (let i = 1; i < n; i++) {
    const v = logits[i] as number;
    if (v > bestLogit) {
      bestLogit = v;
      best = i;
    }
  }
  return best;
}

/** The parts of the WebAssembly API used here (this project's TypeScript setup has no DOM library to type it). */
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The WebAssembly argmax (argmax.wat): its memory as floats, grown to hold the largest row seen. */
interface SimdArgmax {
  memory: WasmMemory;
  floats: Float32Array;
  argmax: (n: number) => number;
}

const WASM_PAGE_BYTES = 65_536;
let simd: SimdArgmax | null | undefined;

/** The module, instantiated once per thread; null when this runtime has no WebAssembly SIMD (then JavaScript). */
function simdModule(): SimdArgmax | null {
  if (simd !== undefined) return simd;
  try {
    const bytes = Buffer.from(ARGMAX_WASM_BASE64, "base64");
    const { exports } = new wasm.Instance(new wasm.Module(bytes));
    const memory = exports.memory as WasmMemory;
    simd = {
      memory,
      floats: new Float32Array(memory.buffer),
      argmax: exports.argmax as (n: number) => number,
    };
  } catch {
    simd = null;
  }
  return simd;
}

/**
 * What computes the "argmax" method's pick in this runtime: "webassembly-simd" ({@link simdArgmax}'s module), or
 * "javascript" ({@link greedyArgmax}, where WebAssembly SIMD is missing). The engine identity records it
 * (`details.argmax`): the pick is the same, its cost is not.
 */
export function argmaxKernel(): "webassembly-simd" | "javascript" {
  return simdModule() === null ? "javascript" : "webassembly-simd";
}

/**
 * {@link greedyArgmax}, the same index for every row (ties, NaN, infinities, -0), computed by the WebAssembly
 * module of argmax.wat: the row is copied into its memory (grown when a row is longer than any before), then
 * two SIMD passes (the largest value, four accumulators of pmax; the first index equal to it). A first logit
 * that is NaN gives 0 here, as in greedyArgmax, without the module. Falls back to greedyArgmax where
 * WebAssembly SIMD is missing.
 * @param logits one row of logits (n_vocab values); any length
 * @returns the token id; 0 for an empty array
 */
export function simdArgmax(logits: Float32Array): number {
  const n = logits.length;
  const first = logits[0];
  if (first === undefined || Number.isNaN(first)) return 0;
  const m = simdModule();
  if (m === null) return greedyArgmax(logits);
  if (m.floats.length < n) {
    m.memory.grow(Math.ceil((n * 4 - m.memory.buffer.byteLength) / WASM_PAGE_BYTES));
    m.floats = new Float32Array(m.memory.buffer);
  }
  m.floats.set(logits);
  return m.argmax(n);
}
