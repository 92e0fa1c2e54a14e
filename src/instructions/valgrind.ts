/**
 * Where instruction counting can run and how valgrind is called for it. Callgrind counts the instructions the
 * engine process executes, with collection switched on only inside the native functions that do the engine's
 * work (COUNTED_FUNCTIONS), so Node's start-up, module loading and JIT never count.
 */
import { spawnSync } from "node:child_process";
import { UsageError } from "../util/errors.js";

/**
 * llama.cpp's functions whose inclusive instructions are counted: decoding a batch (generation and embedding
 * both evaluate through llama_decode in both local engines; neither calls llama_encode), greedy
 * sampling, and reading the embedding out (checked with `nm -D libllama.v0.4.0.so` and the addon's imports).
 */
export const COUNTED_FUNCTIONS = [
  "llama_decode",
  "llama_sampler_sample",
  "llama_get_embeddings_seq",
  "llama_get_embeddings_ith",
] as const;

/**
 * The functions a dump is made before: the engines clear the context's memory once per generation round and
 * once per embedding call (node-llama-cpp's addon with llama_memory_seq_rm, the llama-cpp engine with
 * llama_memory_clear; neither calls the other's).
 */
export const ROUND_MARKERS = ["llama_memory_seq_rm", "llama_memory_clear"] as const;

/** The install hint every "cannot count" error names. */
export const VALGRIND_INSTALL = "apt-get install valgrind";

/** Where counting is possible: Linux on x86-64 or arm64 (valgrind does not run on macOS arm64 or Windows). */
export function countingPlatformProblem(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string | null {
  if (platform !== "linux")
    return `--counter instructions needs valgrind, which does not run on ${platform === "darwin" ? `macOS ${arch}` : platform === "win32" ? "Windows" : platform}: count on Linux (e.g. a Linux CI runner with ${VALGRIND_INSTALL})`;
  if (arch !== "x64" && arch !== "arm64")
    return `--counter instructions is supported on Linux x64 and arm64, not ${arch}`;
  return null;
}

/**
 * The installed valgrind's version ("3.19.0"), or null when there is none on PATH.
 * @param command the valgrind executable. Defaults to "valgrind".
 */
export function valgrindVersion(command = "valgrind"): string | null {
  const r = spawnSync(command, ["--version"], { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0 || typeof r.stdout !== "string") return null;
  const m = /valgrind-(\d+\.\d+(?:\.\d+)?)/.exec(r.stdout);
  return m ? (m[1] as string) : null;
}

/**
 * Checks that instructions can be counted here and returns valgrind's version.
 * @throws UsageError (one line, with the install command) on an unsupported platform or without valgrind.
 */
export function requireValgrind(command = "valgrind"): string {
  const problem = countingPlatformProblem();
  if (problem) throw new UsageError(problem);
  const v = valgrindVersion(command);
  if (v === null)
    throw new UsageError(
      `--counter instructions needs valgrind, which is not installed here: install it (${VALGRIND_INSTALL}) or drop --counter`,
    );
  return v;
}

/**
 * The argv prefix that runs the engine process under callgrind.
 * @param outFile callgrind's output file (`%p` is replaced by the process id; dumps add `.<part>`)
 * @param perRound dump before each round's marker call, so that each round is counted apart
 */
export function callgrindWrapper(outFile: string, perRound: boolean, command = "valgrind"): string[] {
  return [
    command,
    "--tool=callgrind",
    "--collect-atstart=no",
    ...COUNTED_FUNCTIONS.map((f) => `--toggle-collect=${f}`),
    ...(perRound ? ROUND_MARKERS.map((f) => `--dump-before=${f}`) : []),
    `--callgrind-out-file=${outFile}`,
    "--log-file=/dev/null",
  ];
}
