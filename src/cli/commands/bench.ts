import { runBenchmark } from "../../bench/run-benchmark.js";
import { DEFAULT_BATCH_SIZE, GPU_CHOICES } from "../../engines/llama/llama-engine.js";
import { serializeResult, writeResult } from "../../results/io.js";
import { EXIT } from "../../util/errors.js";
import { assertWritablePath, isStandardStream } from "../../util/output-path.js";
import { MODES } from "../../workload/workload.js";
import { type Command, choiceFlag, intFlag, optionalIntFlag, stringFlag } from "../args.js";
import { DUMMY_MODEL_FLAGS, modelSourceFromFlags, THREAD_FLAGS } from "../common-flags.js";
import { invocationOf } from "../invocation.js";
import { roundProgress, status } from "../progress.js";
import { engineFromFlags, OPENAI_FLAGS, servingExitCode, servingOptionsFromFlags } from "./bench-openai.js";

/** Defaults of the seed's commands. */
export const DEFAULT_ROUNDS = 30;
export const DEFAULT_WARMUP = 3;
export const DEFAULT_MAX_NEW_TOKENS = 64;

/** `perf-baseline bench`: one benchmark run, one JSON result on stdout. */
export const benchCommand: Command = {
  name: "bench",
  summary: "Run a generation or embedding benchmark and print one JSON result on stdout.",
  usage: "perf-baseline bench --mode generation|embedding [options]",
  flags: {
    mode: { type: "string", description: "what to measure: generation or embedding", default: "generation" },
    rounds: { type: "string", description: "measured rounds", default: String(DEFAULT_ROUNDS) },
    warmup: { type: "string", description: "uncounted rounds run first", default: String(DEFAULT_WARMUP) },
    "max-new-tokens": {
      type: "string",
      description: "tokens generated per round (end-of-generation does not stop a round)",
      default: String(DEFAULT_MAX_NEW_TOKENS),
    },
    model: {
      type: "string",
      description:
        "llama: a GGUF model file to run instead of the built-in dummy model; openai: the served model name (default: the only one served)",
    },
    ...DUMMY_MODEL_FLAGS,
    ...THREAD_FLAGS,
    "batch-size": {
      type: "string",
      description: "llama: tokens per evaluation batch; openai embedding: inputs per /v1/embeddings request",
      default: `${DEFAULT_BATCH_SIZE} (llama), 2 (openai)`,
    },
    "context-size": {
      type: "string",
      description: "context size in tokens",
      default: "max(512, new tokens + 256)",
    },
    gpu: { type: "string", description: `GPU: ${GPU_CHOICES.join(", ")}`, default: "off" },
    output: { type: "string", short: "o", description: "also write the result to this file (atomically)" },
    ...OPENAI_FLAGS,
  },
  async run(values) {
    const mode = choiceFlag(values, "mode", MODES, "generation");
    const engine = engineFromFlags(values);
    const rounds = intFlag(values, "rounds", DEFAULT_ROUNDS, { max: 100_000 });
    const warmup = intFlag(values, "warmup", DEFAULT_WARMUP, { allowZero: true, max: 10_000 });
    const maxNewTokens = intFlag(values, "max-new-tokens", DEFAULT_MAX_NEW_TOKENS, { max: 32_768 });
    const modelSource = modelSourceFromFlags(values);
    const gpu = choiceFlag(values, "gpu", GPU_CHOICES, "off");
    const openai = engine === "openai" ? servingOptionsFromFlags(values, mode, rounds) : undefined;
    const output = stringFlag(values, "output");
    if (output !== undefined) assertWritablePath(output);
    const argv = process.argv.slice(2);
    let stop = false;
    const onSigint = () => {
      if (stop) process.exit(EXIT.interrupted);
      stop = true;
      status(
        `interrupted: ${openai ? "dropping the requests in flight" : "finishing the current round"}, then writing a partial result (Ctrl-C again to abort)`,
      );
    };
    process.on("SIGINT", onSigint);
    const progress = roundProgress(`${mode}`);
    try {
      const result = await runBenchmark({
        mode,
        rounds,
        warmup,
        maxNewTokens,
        ...modelSource,
        threads: optionalIntFlag(values, "threads"),
        embeddingThreads: optionalIntFlag(values, "embedding-threads"),
        batchSize: optionalIntFlag(values, "batch-size"),
        contextSize: optionalIntFlag(values, "context-size"),
        gpu,
        invocation: invocationOf(benchInvocationPrefix(), argv),
        status,
        onRound: progress.onRound,
        shouldStop: () => stop,
        openai,
      });
      progress.done();
      // `-o -` (or /dev/stdout) is the standard output the result is printed on anyway: print it once
      if (output !== undefined && !isStandardStream(output)) writeResult(output, result);
      process.stdout.write(serializeResult(result));
      if (openai) return servingExitCode(result, openai.tolerateFailures);
      return result.complete ? EXIT.ok : EXIT.interrupted;
    } finally {
      progress.done();
      process.off("SIGINT", onSigint);
    }
  },
};

let prefix: readonly string[] = ["perf-baseline"];

/** How this process was invoked, for the result's `invocation.command`: set by each entry point. */
export function setBenchInvocationPrefix(p: readonly string[]): void {
  prefix = p;
}

function benchInvocationPrefix(): readonly string[] {
  return prefix;
}
