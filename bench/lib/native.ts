/**
 * The yardsticks the engine scripts measure the tool against: a minimal direct node-llama-cpp loop (one
 * Llama instance, a generation loop over sequence.evaluate, an embedding loop over getEmbeddingFor), and
 * llama.cpp's own llama-bench and C embedding loop, built by bench/build-llama.sh.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { getLlama, type Llama, type LlamaContextSequence, LlamaLogLevel, type Token } from "node-llama-cpp";
import { now, secondsBetween } from "./figures.js";

/** Where bench/build-llama.sh puts llama-bench and the C loop by default. */
export const LLAMA_BENCH_DIR = "/tmp/perf-baseline-llama-bench";

/** The prebuilt binaries node-llama-cpp loads here (llama-addon.node, libllama, libggml-cpu-<variant>.so). */
export const PREBUILT_DIR = fileURLToPath(
  new URL("../../node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/", import.meta.url),
);

/**
 * A Llama instance on the CPU with the prebuilt binaries (nothing built or downloaded). Without `log`, the
 * process-wide log level is error and nothing is printed: several Llama instances in one process disconnect
 * node-llama-cpp's JavaScript logger, and native warnings would then reach stdout (notes/engine-performance.md,
 * section 6). With `log`, the level is info and every line goes to it.
 */
export function directLlama(maxThreads: number, log?: (line: string) => void): Promise<Llama> {
  return getLlama({
    gpu: false,
    build: "never",
    skipDownload: true,
    usePrebuiltBinaries: true,
    progressLogs: false,
    maxThreads,
    logLevel: log ? LlamaLogLevel.info : LlamaLogLevel.error,
    logger: (_level, message) => log?.(message),
  });
}

/** The clock stamps of one generation round: start, first token, end; and the tokens generated. */
export interface GenerationTimes {
  t0: bigint;
  first: bigint;
  end: bigint;
  n: number;
}

/**
 * One generation round of the direct loop: `prompt` evaluated greedily (end-of-generation tokens do not stop
 * it) until `tokens` new tokens. The caller clears the sequence first; the clock starts here.
 */
export async function evaluateRound(
  sequence: LlamaContextSequence,
  prompt: Token[],
  tokens: number,
  sampling: Record<string, unknown> = { temperature: 0 },
): Promise<GenerationTimes> {
  let n = 0;
  let first = 0n;
  const t0 = now();
  for await (const _token of sequence.evaluate(prompt, { ...sampling, yieldEogToken: true })) {
    if (n === 0) first = now();
    if (++n >= tokens) break;
  }
  return { t0, first, end: now(), n };
}

/** One embedding round of the direct loop: one call per input, in order; returns calls per second. */
export async function embedRound(
  context: { getEmbeddingFor(input: Token[]): Promise<unknown> },
  inputs: readonly Token[][],
): Promise<number> {
  const t0 = now();
  for (const input of inputs) await context.getEmbeddingFor(input);
  return inputs.length / secondsBetween(t0, now());
}

/**
 * Runs llama-bench once (`-o json` among `argv`) from `libDir`, and returns the first row's avg_ts (tokens
 * per second; NaN when absent). It must run from its library folder: it loads libggml-cpu-*.so from the
 * working directory.
 */
export function llamaBenchRate(bin: string, argv: readonly string[], libDir: string): number {
  const out = execFileSync(bin, argv, { cwd: libDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return (JSON.parse(out) as { avg_ts: number }[])[0]?.avg_ts ?? Number.NaN;
}
