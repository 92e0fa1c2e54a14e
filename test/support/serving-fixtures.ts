/**
 * What the openai engine's tests against the scripted test server share: the run options (few requests,
 * short timeouts, 127.0.0.1 only), a scripted server per test (closed after each), and typed views of a result.
 */
import { afterEach } from "vitest";
import { normalizeBaseUrl, type ServingOptions } from "../../src/engines/openai/options.js";
import type { ServingRunOptions } from "../../src/execute/serving.js";
import { parseResult } from "../../src/results/io.js";
import type { BenchmarkResult, EmbeddingResult, GenerationResult } from "../../src/results/schema.js";
import { type ScriptedServer, startScriptedServer } from "./scripted-server.js";

type ScriptOptions = Parameters<typeof startScriptedServer>[0];

/** What a test may override: the serving options and the run's own (mode, warmup, tokens, signal, status). */
export type ServingOverrides = Partial<ServingOptions> & Partial<Omit<ServingRunOptions, "openai">>;

/**
 * Run options against a scripted server: generation, no warmup, 8 new tokens, 3 requests one at a time,
 * short timeouts (first byte 600 ms, idle 400 ms, total 2.5 s), failures not tolerated.
 * @param apiKeyEnv the variable the API key is read from (unset: no key is sent)
 */
export function servingOptions(
  baseUrl: string,
  o: ServingOverrides = {},
  apiKeyEnv = "PERF_BASELINE_TEST_NO_KEY",
): ServingRunOptions {
  const { mode = "generation", warmup = 0, maxNewTokens = 8, signal, status, ...rest } = o;
  return {
    mode,
    warmup,
    maxNewTokens,
    signal,
    status,
    invocation: { command: "test", argv: [], cwd: "." },
    openai: {
      baseUrl: normalizeBaseUrl(baseUrl),
      model: "scripted-model",
      endpoint: "completions",
      apiKeyEnv,
      concurrency: 1,
      requestRate: null,
      burstiness: 1,
      arrivalSeed: 0,
      numRequests: 3,
      durationS: null,
      outputLength: "fixed",
      batchSize: 2,
      timeouts: { connect_ms: 2_000, first_byte_ms: 600, idle_ms: 400, total_ms: 2_500 },
      tolerateFailures: false,
      ...rest,
    },
  };
}

/**
 * A scripted server per test: the returned function starts one (its script answers each request), and the
 * server is closed after each test of the calling file.
 */
export function scriptedServerPerTest(): (
  script: ScriptOptions["script"],
  extra?: Omit<ScriptOptions, "script">,
) => Promise<ScriptedServer> {
  let server: ScriptedServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });
  return async (script, extra = {}) => {
    server = await startScriptedServer({ script, ...extra });
    return server;
  };
}

/** A result as a validated generation result. @throws Error for an embedding result. */
export function generationOf(r: BenchmarkResult): GenerationResult {
  if (r.mode !== "generation") throw new Error("expected a generation result");
  return parseResult(r, "result") as GenerationResult;
}

/** A result as a validated embedding result. @throws Error for a generation result. */
export function embeddingOf(r: BenchmarkResult): EmbeddingResult {
  if (r.mode !== "embedding") throw new Error("expected an embedding result");
  return parseResult(r, "result") as EmbeddingResult;
}
