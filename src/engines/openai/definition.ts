/**
 * The `openai` engine: an OpenAI-compatible server (llama-server, vLLM, Ollama, TGI/TEI, ...) put under a
 * planned load over HTTP. Its runs are the load generator's (src/execute/load-generator.ts), in the CLI
 * process (no native code to supervise).
 */

import type { BenchmarkResult } from "../../results/schema.js";
import { UsageError } from "../../util/errors.js";
import { type FlagValues, flagArgv, stringFlag } from "../../util/flags.js";
import { distributionText } from "../../workload/distribution.js";
import {
  benchArgvTable,
  type CapturePlan,
  type EngineDefinition,
  type RunShape,
  shapeFromFlags,
} from "../definition.js";
import { DEFAULT_EMBEDDING_BATCH, OPENAI_FLAGS, servingOptionsFromFlags } from "./flags.js";
import { DEFAULT_API_KEY_ENV, DEFAULT_TIMEOUTS, goodputText, type ServingOptions } from "./options.js";

/**
 * A serving capture comparable with a serving `baseline`: its load (endpoint, concurrency, arrivals,
 * requests, output length, batch, timeouts), served model and workload, validated by the same code as
 * `bench --engine openai`. The base URL is --base-url, else the one the baseline recorded.
 * @throws UsageError for a baseline without a load block, or no base URL to be had.
 */
function servingCapturePlan(baseline: BenchmarkResult, values: FlagValues): CapturePlan<ServingOptions> {
  const load = baseline.load;
  if (load === undefined)
    throw new UsageError(
      "the baseline records engine openai but no load block: recapture it with bench --engine openai",
    );
  const recorded = baseline.engine.details.base_url;
  const baseUrl = stringFlag(values, "base-url") ?? (typeof recorded === "string" ? recorded : undefined);
  if (baseUrl === undefined)
    throw new UsageError("the baseline is a serving result: pass --base-url URL or --candidate FILE");
  // a baseline file is data anyone may have edited: its URL gets the key only when the user says so
  const keyEnv = stringFlag(values, "api-key-env") ?? DEFAULT_API_KEY_ENV;
  if (
    stringFlag(values, "base-url") === undefined &&
    values["trust-recorded-base-url"] !== true &&
    (process.env[keyEnv] ?? "") !== ""
  )
    throw new UsageError(
      `the API key in $${keyEnv} would go to the base URL the baseline recorded (${baseUrl}): pass --base-url ${baseUrl} or --trust-recorded-base-url to confirm it`,
    );
  const recordedShape = load.requests ?? {};
  const drawn = recordedShape.max_new_tokens;
  const shape = shapeFromFlags(
    // a drawn output length (uniform:MIN:MAX) is the baseline's unless --max-new-tokens is given
    typeof drawn === "string" && values["max-new-tokens"] === undefined
      ? { ...values, "max-new-tokens": drawn }
      : values,
    baseline.mode,
    {
      rounds: load.num_requests ?? baseline.rounds,
      warmup: baseline.warmup_rounds,
      maxNewTokens: baseline.mode === "generation" ? baseline.max_new_tokens : 0,
    },
    OPENAI_FLAGS["num-requests"].max,
  );
  const rounds = shape.rounds;
  const numRequests = values.rounds !== undefined || load.num_requests !== null ? rounds : null;
  const timeouts = baseline.serving?.timeouts_ms;
  const sec = (ms: number | undefined) => (ms === undefined ? undefined : String(ms / 1000));
  // the baseline's load as bench flags, so that one function validates and builds the serving options
  const flags: FlagValues = {
    "base-url": baseUrl,
    "api-key-env": values["api-key-env"],
    model: stringFlag(values, "model") ?? baseline.model.name ?? undefined,
    concurrency: String(load.concurrency),
    "request-rate": load.request_rate === null ? "inf" : String(load.request_rate),
    burstiness: load.request_rate === null ? undefined : String(load.burstiness),
    "arrival-seed": String(load.arrival_seed),
    "num-requests": numRequests === null ? undefined : String(numRequests),
    duration: load.duration_s === null ? undefined : String(load.duration_s),
    "connect-timeout": sec(timeouts?.connect),
    "first-byte-timeout": sec(timeouts?.first_byte),
    "idle-timeout": sec(timeouts?.idle),
    "request-timeout": sec(timeouts?.total),
    "omit-fields": values["omit-fields"] ?? load.omitted_fields?.join(","),
    "prompt-tokens": values["prompt-tokens"] ?? recordedText(recordedShape.prompt_tokens),
    "request-seed": values["request-seed"] ?? recordedText(recordedShape.request_seed),
    goodput: values.goodput ?? recordedGoodput(baseline),
    "shared-prefix": values["shared-prefix"] ?? recordedText(recordedShape.shared_prefix),
    "max-context": values["max-context"] ?? recordedText(recordedShape.max_context),
    "multi-turn": values["multi-turn"] ?? (recordedShape.multi_turn === true ? true : undefined),
    // a dataset is a file: the capture reads it again from --dataset (its digest must match the baseline's)
    dataset: values.dataset,
    tokenizer: values.tokenizer,
  };
  if (baseline.mode === "generation") {
    flags.endpoint = load.endpoint;
    flags["output-length"] = load.output_length ?? undefined;
    flags["batch-size"] = values["batch-size"]; // an error: batch size is embedding-only here
  } else {
    flags["batch-size"] =
      values["batch-size"] ??
      String(baseline.serving?.inputs_per_request ?? baseline.settings.batch_size ?? DEFAULT_EMBEDDING_BATCH);
  }
  return {
    shape: refuseNoNewTokens(shape),
    options: servingOptionsFromFlags(flags, baseline.mode, rounds),
  };
}

/** The goodput objectives a serving baseline was measured against, as --goodput spells them. */
function recordedGoodput(baseline: BenchmarkResult): string | undefined {
  const g = baseline.mode === "generation" ? baseline.serving?.goodput : undefined;
  return g ? goodputText(g.objectives) : undefined;
}

/** A recorded request-shape value as a flag value; undefined when not recorded. */
function recordedText(v: string | number | boolean | null | undefined): string | undefined {
  return v === null || v === undefined ? undefined : String(v);
}

/** The table a serving run's `bench` command line is checked against. */
const OPENAI_ARGV_TABLE = benchArgvTable(OPENAI_FLAGS);

/** A timeout's flag value, only where it is not the default. */
function timeoutArg(ms: number, defaultMs: number): number | undefined {
  return ms === defaultMs ? undefined : ms / 1000;
}

/** The `bench --engine openai` arguments of a serving run (the API key's variable name only, never the key). */
function servingBenchArgv(s: ServingOptions, shape: RunShape): string[] {
  const generation = shape.mode === "generation";
  const t = s.timeouts;
  const d = DEFAULT_TIMEOUTS;
  return flagArgv(OPENAI_ARGV_TABLE, [
    ["engine", "openai"],
    ["mode", shape.mode],
    ["base-url", s.baseUrl.href],
    ["warmup", shape.warmup],
    [
      "max-new-tokens",
      !generation
        ? undefined
        : shape.maxNewTokensDistribution
          ? distributionText(shape.maxNewTokensDistribution)
          : shape.maxNewTokens,
    ],
    ["prompt-tokens", s.promptTokens ? distributionText(s.promptTokens) : undefined],
    ["request-seed", s.requestSeed],
    ["goodput", s.goodput ? goodputText(s.goodput) : undefined],
    ["dataset", s.dataset],
    ["tokenizer", s.tokenizer],
    ["multi-turn", s.multiTurn === true],
    ["max-context", s.maxContext],
    ["shared-prefix", s.sharedPrefix ? `${s.sharedPrefix.groups}:${s.sharedPrefix.tokens}` : undefined],
    ["endpoint", generation ? s.endpoint : undefined],
    ["output-length", generation ? s.outputLength : undefined],
    ["batch-size", generation ? undefined : s.batchSize],
    ["model", s.model],
    ["concurrency", s.concurrency],
    ["request-rate", s.requestRate === null ? "inf" : s.requestRate],
    ["burstiness", s.requestRate === null ? undefined : s.burstiness],
    ["arrival-seed", s.arrivalSeed],
    ["num-requests", s.numRequests ?? undefined],
    ["duration", s.durationS ?? undefined],
    ["api-key-env", s.apiKeyEnv === DEFAULT_API_KEY_ENV ? undefined : s.apiKeyEnv],
    ["connect-timeout", timeoutArg(t.connect_ms, d.connect_ms)],
    ["first-byte-timeout", timeoutArg(t.first_byte_ms, d.first_byte_ms)],
    ["idle-timeout", timeoutArg(t.idle_ms, d.idle_ms)],
    ["request-timeout", timeoutArg(t.total_ms, d.total_ms)],
    ["omit-fields", s.omitFields?.length ? s.omitFields.join(",") : undefined],
  ]);
}

/**
 * A serving engine's definition: it describes a server and the load to put it under; the load generator
 * (src/execute/load-generator.ts) runs it with these options.
 */
export type ServingEngineDefinition = EngineDefinition<ServingOptions>;

/**
 * `shape`, unless it asks for no new tokens: a chat or completion request cannot process a prompt only.
 * @throws UsageError "--max-new-tokens 0 ...".
 */
function refuseNoNewTokens(shape: RunShape): RunShape {
  if (shape.mode === "generation" && shape.maxNewTokens === 0)
    throw new UsageError(
      "--max-new-tokens 0 (prompt processing only) is not supported by --engine openai: a request always generates a token",
    );
  return shape;
}

/** The openai engine's definition. */
export const openaiEngine: ServingEngineDefinition = {
  name: "openai",
  summary: "an OpenAI-compatible server under load (llama-server, vLLM, Ollama, TGI/TEI, ...)",
  flags: OPENAI_FLAGS,
  captureFlags: {
    "trust-recorded-base-url": {
      kind: "boolean",
      description:
        "serving baseline: send the API key to the base URL the baseline recorded (else give --base-url)",
    },
  },
  optionsFromFlags: (values, shape) =>
    servingOptionsFromFlags(values, shape.mode, refuseNoNewTokens(shape).rounds),
  captureOptions: servingCapturePlan,
  benchArgv: servingBenchArgv,
  describe: (s) => `${s.numRequests ?? "timed"} requests to ${s.baseUrl.href}`,
};
