/**
 * llama.cpp's C API declared for koffi 3: the structs the engine passes by value (layouts of the bundled
 * llama.h / ggml.h, release v0.4.0, checked field by field by test/unit/llama-cpp-abi.test.ts) and the
 * functions it calls. Loading checks the version symbols first (abi.ts): a library of another release is
 * refused before any struct crosses the boundary.
 *
 * Koffi 3 represents pointers as BigInt (0n is NULL); C enums are declared as `int` (their storage on the
 * x86-64 and aarch64 ABIs); function-pointer fields the engine never sets are `void *`.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import koffi, { type LibraryHandle } from "koffi";
import { EngineError } from "../../util/errors.js";
import { abiMismatch, EXPECTED_LLAMA_VERSION, type LibraryVersions, LLAMA_CPP_RELEASE } from "./abi.js";

// opaque handles
koffi.opaque("llama_model");
koffi.opaque("llama_context");
koffi.opaque("llama_vocab");
koffi.opaque("llama_sampler");
koffi.opaque("llama_memory_i");
koffi.opaque("ggml_threadpool");
koffi.opaque("ggml_backend_device");
koffi.opaque("ggml_backend_reg");

/** `struct llama_model_params` (llama.h). */
export const LlamaModelParams = koffi.struct("llama_model_params", {
  devices: "void *",
  tensor_buft_overrides: "void *",
  n_gpu_layers: "int32_t",
  split_mode: "int",
  load_mode: "int",
  lazy_mode: "int",
  main_gpu: "int32_t",
  tensor_split: "void *",
  progress_callback: "void *",
  progress_callback_user_data: "void *",
  kv_overrides: "void *",
  vocab_only: "bool",
  check_tensors: "bool",
  use_extra_bufts: "bool",
  no_host: "bool",
  no_alloc: "bool",
  load_mtp: "bool",
});

/** `struct llama_context_params` (llama.h). */
export const LlamaContextParams = koffi.struct("llama_context_params", {
  n_ctx: "uint32_t",
  n_batch: "uint32_t",
  n_ubatch: "uint32_t",
  n_seq_max: "uint32_t",
  n_rs_seq: "uint32_t",
  n_outputs_max: "uint32_t",
  n_outputs_max_per_seq: "uint32_t",
  n_threads: "int32_t",
  n_threads_batch: "int32_t",
  ctx_type: "int",
  rope_scaling_type: "int",
  pooling_type: "int",
  attention_type: "int",
  flash_attn_type: "int",
  rope_freq_base: "float",
  rope_freq_scale: "float",
  yarn_ext_factor: "float",
  yarn_attn_factor: "float",
  yarn_beta_fast: "float",
  yarn_beta_slow: "float",
  yarn_orig_ctx: "uint32_t",
  defrag_thold: "float",
  cb_eval: "void *",
  cb_eval_user_data: "void *",
  type_k: "int",
  type_v: "int",
  abort_callback: "void *",
  abort_callback_data: "void *",
  embeddings: "bool",
  offload_kqv: "bool",
  no_perf: "bool",
  op_offload: "bool",
  swa_full: "bool",
  kv_unified: "bool",
  samplers: "void *",
  n_samplers: "size_t",
  ctx_other: "void *",
});

/** `struct llama_batch` (llama.h). */
export const LlamaBatch = koffi.struct("llama_batch", {
  n_tokens: "int32_t",
  token: "void *",
  embd: "void *",
  pos: "void *",
  n_seq_id: "void *",
  seq_id: "void *",
  logits: "void *",
});

/** `struct llama_sampler_chain_params` (llama.h). */
export const LlamaSamplerChainParams = koffi.struct("llama_sampler_chain_params", {
  no_perf: "bool",
});

/** GGML_MAX_N_THREADS (ggml.h): the length of ggml_threadpool_params.cpumask. */
export const GGML_MAX_N_THREADS = 512;

/** `struct ggml_threadpool_params` (ggml.h); filled by ggml_threadpool_params_init, never by JavaScript. */
export const GgmlThreadpoolParams = koffi.struct("ggml_threadpool_params", {
  cpumask: koffi.array("bool", GGML_MAX_N_THREADS),
  n_threads: "int",
  prio: "int",
  poll: "uint32_t",
  strict_cpu: "bool",
  paused: "bool",
});

/** Every struct declared here, by its C name: what the ABI test checks. */
export const DECLARED_STRUCTS = {
  llama_model_params: LlamaModelParams,
  llama_context_params: LlamaContextParams,
  llama_batch: LlamaBatch,
  llama_sampler_chain_params: LlamaSamplerChainParams,
  ggml_threadpool_params: GgmlThreadpoolParams,
} as const;

/** `ggml_log_callback` (ggml.h). */
export const GgmlLogCallback = koffi.proto(
  "void ggml_log_callback(int level, const char *text, void *user_data)",
);
const ThreadpoolNewFn = koffi.proto(
  "ggml_threadpool *ggml_threadpool_new_fn(ggml_threadpool_params *params)",
);
const ThreadpoolFreeFn = koffi.proto("void ggml_threadpool_free_fn(ggml_threadpool *threadpool)");

/** llama.h enum values the engine uses. */
export const LLAMA_POOLING_TYPE = { NONE: 0, MEAN: 1, CLS: 2, LAST: 3, RANK: 4 } as const;
export const LLAMA_VOCAB_TYPE = { NONE: 0, SPM: 1, BPE: 2, WPM: 3, UGM: 4, RWKV: 5, PLAMO2: 6 } as const;
export const LLAMA_LOAD_MODE_MMAP = 1;
export const LLAMA_LAZY_MODE_OFF = 0;
export const LLAMA_FLASH_ATTN_TYPE_AUTO = -1;
/** LLAMA_TOKEN_NULL (llama.h): no token */
export const LLAMA_TOKEN_NULL = -1;
export const GGML_BACKEND_DEVICE_TYPE_CPU = 0;
export const GGML_LOG_LEVEL = { NONE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, CONT: 5 } as const;

/** A native pointer (koffi 3: BigInt, 0n = NULL). */
export type Ptr = bigint;

/** Library file names per role, first match wins: node-llama-cpp's versioned names, then a plain CMake build's. */
export const LIBRARY_FILES = {
  ggmlBase: ["libggml-base.so"],
  ggml: ["libggml.v0.4.0.so", "libggml.so"],
  llama: ["libllama.v0.4.0.so", "libllama.so"],
  common: ["libllama-common.so", "libcommon.so"],
} as const;

function findLibrary(dir: string, names: readonly string[], required: boolean): string | null {
  for (const name of names) {
    const path = join(dir, name);
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  if (required)
    throw new EngineError(
      `${dir} has no ${names.join(" or ")}: --llama-lib must name a folder with llama.cpp's shared libraries`,
    );
  return null;
}

function loadLibrary(path: string): LibraryHandle {
  try {
    return koffi.load(path);
  } catch (err) {
    throw new EngineError(`cannot load ${path}: ${(err as Error).message.split("\n")[0]}`, { cause: err });
  }
}

/**
 * Reads the version symbols of the libraries in `dir` and checks them against abi.ts, one library at a
 * time: ggml-base first, and libllama is loaded only when ggml is the expected build (libllama binds to the
 * ggml-base already loaded); then llama-common, when present, for the build number. Calls only functions
 * without struct arguments.
 * @throws EngineError when a library is missing, cannot be loaded, lacks a version symbol, or reports
 *   another build than the layouts were written for (the one-line message of abiMismatch).
 */
export function checkLibraryVersions(dir: string): LibraryVersions {
  const call = (lib: LibraryHandle, name: string): string => {
    try {
      return String(lib.func(`const char *${name}(void)`)() ?? "");
    } catch (err) {
      throw new EngineError(
        `the llama.cpp libraries in ${dir} do not export ${name}: not a llama.cpp build`,
        {
          cause: err,
        },
      );
    }
  };
  const check = (v: LibraryVersions) => {
    const mismatch = abiMismatch(v, dir);
    if (mismatch) throw new EngineError(mismatch);
  };
  const base = loadLibrary(findLibrary(dir, LIBRARY_FILES.ggmlBase, true) as string);
  const versions: LibraryVersions = {
    ggml_version: call(base, "ggml_version"),
    ggml_commit: call(base, "ggml_commit"),
    llama_version: EXPECTED_LLAMA_VERSION,
    llama_build_number: null,
    llama_commit: null,
  };
  check(versions);
  const llama = loadLibrary(findLibrary(dir, LIBRARY_FILES.llama, true) as string);
  versions.llama_version = call(llama, "llama_version");
  check(versions);
  const commonPath = findLibrary(dir, LIBRARY_FILES.common, false);
  if (commonPath) {
    let common: LibraryHandle | null = null;
    try {
      common = koffi.load(commonPath);
    } catch {
      // optional: a llama-common that does not load is not recorded
    }
    if (common) {
      try {
        versions.llama_build_number = koffi.decode(common.symbol("LLAMA_BUILD_NUMBER"), "int") as number;
        versions.llama_commit = koffi.decode(common.symbol("LLAMA_COMMIT"), "const char *") as string;
      } catch {
        // a llama-common without the build-info symbols: nothing to compare
      }
      check(versions);
    }
  }
  return versions;
}

/** The bound C functions (see llama.h for each one's contract). */
export interface LlamaCppApi {
  dir: string;
  versions: LibraryVersions;
  /** the process's log callback before loadLlamaCpp installed `logCallback` (null when none was given) */
  previousLogger: { callback: Ptr | null; userData: Ptr | null } | null;
  ggml_backend_load_all_from_path(dir: string): void;
  llama_backend_init(): void;
  llama_log_set(callback: Ptr | null, userData: Ptr | null): void;
  /** ggml_log_get: the current log callback (out-parameters as one-element arrays) */
  ggml_log_get(callback: [Ptr | null], userData: [Ptr | null]): void;
  llama_print_system_info(): string;
  llama_model_default_params(): Record<string, unknown>;
  llama_context_default_params(): Record<string, unknown>;
  llama_sampler_chain_default_params(): Record<string, unknown>;
  llama_model_load_from_file(path: string, params: Record<string, unknown>): Ptr;
  llama_model_free(model: Ptr): void;
  llama_init_from_model(model: Ptr, params: Record<string, unknown>): Ptr;
  llama_free(ctx: Ptr): void;
  llama_model_get_vocab(model: Ptr): Ptr;
  llama_model_n_embd_out(model: Ptr): number;
  llama_model_n_cls_out(model: Ptr): number;
  llama_model_has_encoder(model: Ptr): boolean;
  llama_model_has_decoder(model: Ptr): boolean;
  llama_model_desc(model: Ptr, buf: Buffer, size: number): number;
  llama_vocab_type(vocab: Ptr): number;
  llama_vocab_n_tokens(vocab: Ptr): number;
  llama_vocab_bos(vocab: Ptr): number;
  llama_vocab_eos(vocab: Ptr): number;
  llama_vocab_sep(vocab: Ptr): number;
  llama_vocab_get_add_bos(vocab: Ptr): boolean;
  llama_vocab_get_add_eos(vocab: Ptr): boolean;
  llama_tokenize(
    vocab: Ptr,
    text: Buffer,
    textLen: number,
    tokens: Int32Array | null,
    nTokensMax: number,
    addSpecial: boolean,
    parseSpecial: boolean,
  ): number;
  llama_n_ctx(ctx: Ptr): number;
  /** tokens each sequence may hold: n_ctx / n_seq_max padded to 256 (n_ctx without kv_unified) */
  llama_n_ctx_seq(ctx: Ptr): number;
  llama_n_batch(ctx: Ptr): number;
  llama_n_ubatch(ctx: Ptr): number;
  llama_pooling_type(ctx: Ptr): number;
  llama_get_memory(ctx: Ptr): Ptr;
  llama_memory_clear(mem: Ptr, data: boolean): void;
  llama_batch_get_one(tokens: Ptr, nTokens: number): Record<string, unknown>;
  llama_decode(ctx: Ptr, batch: Record<string, unknown>): number;
  llama_get_embeddings_seq(ctx: Ptr, seqId: number): Ptr;
  llama_get_embeddings_ith(ctx: Ptr, i: number): Ptr;
  /** the logits of output `i` (negative: from the last), n_vocab floats; NULL (0n) when there are none */
  llama_get_logits_ith(ctx: Ptr, i: number): Ptr;
  llama_sampler_chain_init(params: Record<string, unknown>): Ptr;
  llama_sampler_chain_add(chain: Ptr, sampler: Ptr): void;
  llama_sampler_init_greedy(): Ptr;
  llama_sampler_sample(sampler: Ptr, ctx: Ptr, idx: number): number;
  llama_sampler_reset(sampler: Ptr): void;
  llama_sampler_free(sampler: Ptr): void;
  /**
   * [EXPERIMENTAL in llama.h] attaches a sampler chain to sequence `seqId` as a backend sampler (NULL
   * detaches); every attach or detach that changes something makes the next llama_decode reserve its
   * scheduler again. A chain can be attached once in its life (llama_sampler_chain_backend_init asserts).
   * @returns false when the chain cannot run on the backend (it is then not attached)
   */
  llama_set_sampler(ctx: Ptr, seqId: number, sampler: Ptr | null): boolean;
  /** the token the backend sampler picked for output `i` (negative: from the last); -1 (LLAMA_TOKEN_NULL) when none */
  llama_get_sampled_token_ith(ctx: Ptr, i: number): number;
  llama_attach_threadpool(ctx: Ptr, threadpool: Ptr, threadpoolBatch: Ptr | null): void;
  llama_detach_threadpool(ctx: Ptr): void;
  ggml_threadpool_params_init(params: Ptr, nThreads: number): void;
  ggml_backend_load(path: string): Ptr | null;
  ggml_backend_dev_by_type(type: number): Ptr;
  ggml_backend_dev_backend_reg(dev: Ptr): Ptr;
  ggml_backend_reg_get_proc_address(reg: Ptr, name: string): Ptr;
  /** resolved from the CPU backend after ggml_backend_load_all_from_path (the variant libraries export them) */
  ggml_threadpool_new(params: Ptr): Ptr;
  ggml_threadpool_free(threadpool: Ptr): void;
  /**
   * ggml_threadpool_pause and ggml_threadpool_resume of the loaded CPU backend library (not among its proc
   * addresses: bound by the library's path, see cpuBackendPath); null when they cannot be found. A paused
   * pool's workers sleep instead of spinning; llama.cpp also resumes a paused pool at its next graph
   * (ggml_graph_compute_kickoff).
   */
  ggml_threadpool_pause_resume: { pause(threadpool: Ptr): void; resume(threadpool: Ptr): void } | null;
}

/**
 * The path of the CPU backend library ggml loaded from `dir` (libggml-cpu-<variant>.so or libggml-cpu.so),
 * read from /proc/self/maps; null when none is mapped or the maps cannot be read.
 */
export function cpuBackendPath(dir: string): string | null {
  try {
    const real = realpathSync(dir);
    for (const line of readFileSync("/proc/self/maps", "utf8").split("\n")) {
      const path = line.slice(line.indexOf("/"));
      if (line.includes("/") && path.startsWith(`${real}/`) && /\/libggml-cpu(-[\w-]+)?\.so$/.test(path))
        return path;
    }
  } catch {
    // no /proc: no pause
  }
  return null;
}

/** ggml_threadpool_pause/resume bound from the CPU backend library at `path`; null when it lacks them. */
function bindThreadpoolPause(path: string | null): LlamaCppApi["ggml_threadpool_pause_resume"] {
  if (path === null) return null;
  try {
    const lib = koffi.load(path);
    return {
      pause: lib.func("void ggml_threadpool_pause(ggml_threadpool *tp)"),
      resume: lib.func("void ggml_threadpool_resume(ggml_threadpool *tp)"),
    };
  } catch {
    return null;
  }
}

/**
 * Loads llama.cpp from `dir`, checks its version symbols against abi.ts, binds the C API and lets ggml load
 * the backends of `dir` (ggml_backend_load_all_from_path picks the CPU variant best for this CPU).
 * `logCallback` (a registered `ggml_log_callback *`) receives llama.cpp's and ggml's log from then on.
 * @param cpuVariant load only `libggml-cpu-<cpuVariant>.so` (ggml_backend_load) when `dir` has it; null or a
 *   folder without it: ggml picks. Defaults to null.
 * @throws EngineError for a missing or unloadable library, a missing symbol, another llama.cpp build than
 *   the layouts were written for (one line, nothing called with a struct), or a variant ggml cannot load
 *   (this CPU lacks its instructions).
 */
export function loadLlamaCpp(
  dir: string,
  logCallback: Ptr | null = null,
  cpuVariant: string | null = null,
): LlamaCppApi {
  const versions = checkLibraryVersions(dir);
  let previousLogger: LlamaCppApi["previousLogger"] = null;
  const ggml = loadLibrary(findLibrary(dir, LIBRARY_FILES.ggml, true) as string);
  const base = loadLibrary(findLibrary(dir, LIBRARY_FILES.ggmlBase, true) as string);
  const llama = loadLibrary(findLibrary(dir, LIBRARY_FILES.llama, true) as string);
  const bind = (lib: LibraryHandle, proto: string) => {
    try {
      return lib.func(proto);
    } catch (err) {
      throw new EngineError(
        `the llama.cpp libraries in ${dir} lack ${proto}: not a ${LLAMA_CPP_RELEASE} build`,
        {
          cause: err,
        },
      );
    }
  };
  const L = (proto: string) => bind(llama, proto);
  const api = {
    dir,
    versions,
    ggml_backend_load_all_from_path: bind(ggml, "void ggml_backend_load_all_from_path(const char *dir)"),
    ggml_backend_load: bind(ggml, "ggml_backend_reg *ggml_backend_load(const char *path)"),
    ggml_backend_dev_by_type: bind(ggml, "ggml_backend_device *ggml_backend_dev_by_type(int type)"),
    ggml_backend_dev_backend_reg: bind(
      ggml,
      "ggml_backend_reg *ggml_backend_dev_backend_reg(ggml_backend_device *dev)",
    ),
    ggml_backend_reg_get_proc_address: bind(
      base,
      "void *ggml_backend_reg_get_proc_address(ggml_backend_reg *reg, const char *name)",
    ),
    ggml_threadpool_params_init: bind(
      base,
      "void ggml_threadpool_params_init(ggml_threadpool_params *p, int n_threads)",
    ),
    ggml_log_get: bind(base, "void ggml_log_get(_Out_ void **cb, _Out_ void **user_data)"),
    llama_backend_init: L("void llama_backend_init(void)"),
    llama_log_set: L("void llama_log_set(ggml_log_callback *cb, void *user_data)"),
    llama_print_system_info: L("const char *llama_print_system_info(void)"),
    llama_model_default_params: L("llama_model_params llama_model_default_params(void)"),
    llama_context_default_params: L("llama_context_params llama_context_default_params(void)"),
    llama_sampler_chain_default_params: L(
      "llama_sampler_chain_params llama_sampler_chain_default_params(void)",
    ),
    llama_model_load_from_file: L(
      "llama_model *llama_model_load_from_file(const char *path, llama_model_params params)",
    ),
    llama_model_free: L("void llama_model_free(llama_model *model)"),
    llama_init_from_model: L(
      "llama_context *llama_init_from_model(llama_model *model, llama_context_params params)",
    ),
    llama_free: L("void llama_free(llama_context *ctx)"),
    llama_model_get_vocab: L("llama_vocab *llama_model_get_vocab(llama_model *model)"),
    llama_model_n_embd_out: L("int32_t llama_model_n_embd_out(llama_model *model)"),
    llama_model_n_cls_out: L("uint32_t llama_model_n_cls_out(llama_model *model)"),
    llama_model_has_encoder: L("bool llama_model_has_encoder(llama_model *model)"),
    llama_model_has_decoder: L("bool llama_model_has_decoder(llama_model *model)"),
    llama_model_desc: L("int32_t llama_model_desc(llama_model *model, _Out_ uint8_t *buf, size_t buf_size)"),
    llama_vocab_type: L("int llama_vocab_type(llama_vocab *vocab)"),
    llama_vocab_n_tokens: L("int32_t llama_vocab_n_tokens(llama_vocab *vocab)"),
    llama_vocab_bos: L("int32_t llama_vocab_bos(llama_vocab *vocab)"),
    llama_vocab_eos: L("int32_t llama_vocab_eos(llama_vocab *vocab)"),
    llama_vocab_sep: L("int32_t llama_vocab_sep(llama_vocab *vocab)"),
    llama_vocab_get_add_bos: L("bool llama_vocab_get_add_bos(llama_vocab *vocab)"),
    llama_vocab_get_add_eos: L("bool llama_vocab_get_add_eos(llama_vocab *vocab)"),
    llama_tokenize: L(
      "int32_t llama_tokenize(llama_vocab *vocab, const uint8_t *text, int32_t text_len, _Out_ int32_t *tokens, int32_t n_tokens_max, bool add_special, bool parse_special)",
    ),
    llama_n_ctx: L("uint32_t llama_n_ctx(llama_context *ctx)"),
    llama_n_ctx_seq: L("uint32_t llama_n_ctx_seq(llama_context *ctx)"),
    llama_n_batch: L("uint32_t llama_n_batch(llama_context *ctx)"),
    llama_n_ubatch: L("uint32_t llama_n_ubatch(llama_context *ctx)"),
    llama_pooling_type: L("int llama_pooling_type(llama_context *ctx)"),
    llama_get_memory: L("llama_memory_i *llama_get_memory(llama_context *ctx)"),
    llama_memory_clear: L("void llama_memory_clear(llama_memory_i *mem, bool data)"),
    llama_batch_get_one: L("llama_batch llama_batch_get_one(void *tokens, int32_t n_tokens)"),
    llama_decode: L("int32_t llama_decode(llama_context *ctx, llama_batch batch)"),
    llama_get_embeddings_seq: L("void *llama_get_embeddings_seq(llama_context *ctx, int32_t seq_id)"),
    llama_get_embeddings_ith: L("void *llama_get_embeddings_ith(llama_context *ctx, int32_t i)"),
    llama_get_logits_ith: L("void *llama_get_logits_ith(llama_context *ctx, int32_t i)"),
    llama_sampler_chain_init: L("llama_sampler *llama_sampler_chain_init(llama_sampler_chain_params params)"),
    llama_sampler_chain_add: L("void llama_sampler_chain_add(llama_sampler *chain, llama_sampler *smpl)"),
    llama_sampler_init_greedy: L("llama_sampler *llama_sampler_init_greedy(void)"),
    llama_sampler_sample: L(
      "int32_t llama_sampler_sample(llama_sampler *smpl, llama_context *ctx, int32_t idx)",
    ),
    llama_sampler_reset: L("void llama_sampler_reset(llama_sampler *smpl)"),
    llama_sampler_free: L("void llama_sampler_free(llama_sampler *smpl)"),
    llama_set_sampler: L("bool llama_set_sampler(llama_context *ctx, int32_t seq_id, llama_sampler *smpl)"),
    llama_get_sampled_token_ith: L("int32_t llama_get_sampled_token_ith(llama_context *ctx, int32_t i)"),
    llama_attach_threadpool: L(
      "void llama_attach_threadpool(llama_context *ctx, ggml_threadpool *tp, ggml_threadpool *tp_batch)",
    ),
    llama_detach_threadpool: L("void llama_detach_threadpool(llama_context *ctx)"),
  } as unknown as Omit<
    LlamaCppApi,
    "ggml_threadpool_new" | "ggml_threadpool_free" | "ggml_threadpool_pause_resume" | "previousLogger"
  >;

  // the logger first: loading the backends logs (one info line per library) and errors go to it
  if (logCallback !== null) {
    const cb: [Ptr | null] = [null];
    const ud: [Ptr | null] = [null];
    api.ggml_log_get(cb, ud);
    previousLogger = { callback: cb[0] ?? null, userData: ud[0] ?? null };
    api.llama_log_set(logCallback, null);
  }
  const variantFile = cpuVariant === null ? null : join(dir, `libggml-cpu-${cpuVariant}.so`);
  if (variantFile !== null && existsSync(variantFile)) {
    if (!api.ggml_backend_load(variantFile))
      throw new EngineError(
        `ggml could not load the ${cpuVariant} CPU variant (${variantFile}): this CPU lacks its instructions`,
      );
  } else api.ggml_backend_load_all_from_path(dir);
  const cpu = api.ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
  if (!cpu)
    throw new EngineError(
      `ggml found no CPU backend in ${dir} (no libggml-cpu-*.so this CPU can run): reinstall node-llama-cpp or point --llama-lib at a complete build`,
    );
  const reg = api.ggml_backend_dev_backend_reg(cpu);
  const procs = {
    ggml_threadpool_new: api.ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_new"),
    ggml_threadpool_free: api.ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_free"),
  };
  if (!procs.ggml_threadpool_new || !procs.ggml_threadpool_free)
    throw new EngineError(
      `the CPU backend in ${dir} does not export ggml_threadpool_new/ggml_threadpool_free`,
    );
  return {
    ...api,
    previousLogger,
    ggml_threadpool_new: koffi.decode(
      procs.ggml_threadpool_new,
      ThreadpoolNewFn,
    ) as LlamaCppApi["ggml_threadpool_new"],
    ggml_threadpool_free: koffi.decode(
      procs.ggml_threadpool_free,
      ThreadpoolFreeFn,
    ) as LlamaCppApi["ggml_threadpool_free"],
    ggml_threadpool_pause_resume: bindThreadpoolPause(cpuBackendPath(dir)),
  };
}
