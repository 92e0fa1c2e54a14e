/**
 * Where instruction counting can run and how valgrind is called for it. Callgrind counts the instructions the
 * engine process executes, with collection switched on only inside the native functions that do the engine's
 * work (COUNTED_FUNCTIONS), so Node's start-up, module loading and JIT never count.
 */
import { execFile, spawnSync } from "node:child_process";
import { EngineError, UsageError } from "../util/errors.js";

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

/**
 * The ggml CPU variant a counted run of the llama-cpp engine loads on x86-64: AVX and F16C, no FMA or AVX2.
 * Valgrind emulates each FMA instruction through a helper call, so on the `haswell` variant ggml picks under
 * valgrind (valgrind has no AVX-512) a counted embedding round ran about 20x slower than on this one (tiny
 * model, 2 calls: 71 s against 3.6 s; whole capture 89 s against 17 s). Every x86-64 CPU with AVX and F16C
 * (Intel since 2012, AMD since 2012) and valgrind run it, so counts compare across such machines; the price
 * is that a change only in the AVX2, FMA or AVX-512 kernels is not counted (wall time and `ab` see it).
 */
export const COUNTED_CPU_VARIANT_X64 = "ivybridge";

/** The CPU variant a counted run pins on this architecture, or undefined (ggml picks) where none is pinned. */
export function countedCpuVariant(arch: string = process.arch): string | undefined {
  return arch === "x64" ? COUNTED_CPU_VARIANT_X64 : undefined;
}

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
 * The installed valgrind's version ("3.19.0"), or null when there is none on PATH. Probed once per process
 * (a counted run's command checks it when planned and again when it runs).
 * @param command the valgrind executable. Defaults to "valgrind".
 */
export function valgrindVersion(command = "valgrind"): string | null {
  const out = versionOutput(command);
  const m = out === null ? null : /valgrind-(\d+\.\d+(?:\.\d+)?)/.exec(out);
  return m ? (m[1] as string) : null;
}

/** `COMMAND --version`'s output per command and PATH, once per process: what is installed does not change. */
const versionOutputs = new Map<string, string | null>();

/** What `command --version` printed, or null when it did not run or failed (bounded to 10 s). */
function versionOutput(command: string): string | null {
  const key = `${command}\0${process.env.PATH ?? ""}`;
  if (!versionOutputs.has(key)) {
    const r = spawnSync(command, ["--version"], { encoding: "utf8", timeout: 10_000 });
    versionOutputs.set(key, r.status === 0 && typeof r.stdout === "string" ? r.stdout : null);
  }
  return versionOutputs.get(key) ?? null;
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

/** How long `callgrind_control` may take to switch instrumentation on, ms (it answers in about 0.3 s here). */
export const INSTRUMENTATION_SWITCH_TIMEOUT_MS = 60_000;

/**
 * Whether `callgrind_control` (valgrind's package ships it; a Perl script that talks to the process through
 * vgdb) answers here, so that a counted run can start uninstrumented and switch instrumentation on later.
 * @param command the callgrind_control executable. Defaults to "callgrind_control".
 */
export function canSwitchInstrumentation(command = "callgrind_control"): boolean {
  return versionOutput(command) !== null;
}

/**
 * Switches callgrind's instrumentation on in a running process started with `--instr-atstart=no`
 * (`callgrind_control -i on PID`, which reaches it through vgdb). Bounded by
 * INSTRUMENTATION_SWITCH_TIMEOUT_MS.
 * @throws EngineError (one line) when callgrind_control fails, does not answer in time, or does not say OK.
 */
export function switchInstrumentationOn(pid: number, command = "callgrind_control"): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      ["-i", "on", String(pid)],
      { encoding: "utf8", timeout: INSTRUMENTATION_SWITCH_TIMEOUT_MS },
      (err, stdout, stderr) => {
        if (!err && /\bOK\b/.test(stdout)) return resolve();
        const said = `${stdout} ${stderr}`.replace(/\s+/g, " ").trim();
        reject(
          new EngineError(
            `callgrind_control could not switch instrumentation on in the engine process (pid ${pid})${err?.killed ? ` within ${INSTRUMENTATION_SWITCH_TIMEOUT_MS / 1000} s` : ""}: ${said || (err?.message ?? "no answer")}`,
          ),
        );
      },
    );
  });
}

/**
 * The argv prefix that runs the engine process under callgrind.
 * @param outFile callgrind's output file (`%p` is replaced by the process id; dumps add `.<part>`)
 * @param perRound dump before each round's marker call, so that each round is counted apart
 * @param instrumentAtStart false: start uninstrumented (`--instr-atstart=no`: Node's start-up and the model
 *   load then run about 3x faster under valgrind, measured with `node -e 0`) until switchInstrumentationOn.
 *   Counts are unchanged: collection is on only inside COUNTED_FUNCTIONS, which run after the switch.
 *   Defaults to true.
 */
export function callgrindWrapper(
  outFile: string,
  perRound: boolean,
  command = "valgrind",
  instrumentAtStart = true,
): string[] {
  return [
    command,
    "--tool=callgrind",
    ...(instrumentAtStart ? [] : ["--instr-atstart=no"]),
    "--collect-atstart=no",
    ...COUNTED_FUNCTIONS.map((f) => `--toggle-collect=${f}`),
    ...(perRound ? ROUND_MARKERS.map((f) => `--dump-before=${f}`) : []),
    `--callgrind-out-file=${outFile}`,
    "--log-file=/dev/null",
  ];
}
