import { basename } from "node:path";
import { LOCAL_FLAGS, localOptionsFromFlags } from "../../engines/local/options.js";
import { resolveModel } from "../../models/resolve.js";
import { EXIT, PerfBaselineError } from "../../util/errors.js";
import { type Command, type FlagTable, flagReader } from "../args.js";
import { status } from "../progress.js";

/** Default port of `perf-baseline serve` (llama-server's). */
export const DEFAULT_SERVE_PORT = 8080;

/** The flags of `serve`: the model flags are the local engines' (one declaration, one range). */
const FLAGS: FlagTable = {
  port: {
    kind: "int",
    min: 0,
    max: 65_535,
    description: "TCP port on 127.0.0.1 (0: any free port)",
    default: DEFAULT_SERVE_PORT,
  },
  model: { ...LOCAL_FLAGS.model, description: "a GGUF model file instead of the built-in dummy model" },
  "model-name": { kind: "string", description: "the model id to serve", default: "the preset or file name" },
  preset: LOCAL_FLAGS.preset,
  seed: LOCAL_FLAGS.seed,
  threads: LOCAL_FLAGS.threads,
  "embedding-threads": LOCAL_FLAGS["embedding-threads"],
  "allow-oversubscribe": LOCAL_FLAGS["allow-oversubscribe"],
  parallel: {
    kind: "int",
    min: 1,
    max: 256,
    description: "sequences generated at once; more requests wait in order",
    default: 1,
  },
  "context-size": {
    ...LOCAL_FLAGS["context-size"],
    description: "tokens per sequence (prompt + output)",
    default: 1024,
  },
};

/**
 * `perf-baseline serve`: an OpenAI-compatible server on 127.0.0.1 that streams real tokens from the llama
 * engine (the default dummy model, or --model). Prints its base URL on stdout once listening; runs until
 * Ctrl-C or SIGTERM. For trying the openai engine and for its tests; not a production server.
 */
export const serveCommand: Command = {
  name: "serve",
  summary: "Serve the llama engine over an OpenAI-compatible HTTP API on 127.0.0.1 (for the openai engine).",
  usage: "perf-baseline serve [--port P] [--model PATH.gguf] [--parallel N]",
  flags: FLAGS,
  async run(values) {
    const read = flagReader(FLAGS, values);
    const port = read.int("port", DEFAULT_SERVE_PORT);
    const local = localOptionsFromFlags({ ...values, "context-size": undefined });
    const parallel = read.int("parallel", 1);
    const contextSize = read.int("context-size", 1024);
    const modelPath = local.model;
    const model = resolveModel(local, status);
    const modelName =
      read.string("model-name") ??
      (modelPath === undefined
        ? `perf-baseline-${local.preset}`
        : basename(modelPath).replace(/\.gguf$/i, ""));
    const { createLlamaServeBackend } = await import("../../serve/llama-backend.js");
    const { startServer } = await import("../../serve/server.js");
    status(`loading ${model.path}`);
    const backend = await createLlamaServeBackend({
      model,
      modelName,
      threads: local.threads,
      embeddingThreads: local.embeddingThreads,
      parallel,
      contextSize,
      log: (line) => status(`llama.cpp: ${line}`),
    });
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      server = await startServer(backend, port);
    } catch (err) {
      await backend.dispose();
      const code = (err as NodeJS.ErrnoException).code;
      throw new PerfBaselineError(
        `cannot listen on 127.0.0.1:${port} (${code ?? (err as Error).message}): choose another --port`,
        EXIT.usage,
      );
    }
    status(`serving "${modelName}" at ${server.baseUrl} (Ctrl-C to stop)`);
    process.stdout.write(`${server.baseUrl}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    status("stopping");
    await server.close();
    await backend.dispose();
    return EXIT.ok;
  },
};
