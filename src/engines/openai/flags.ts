import { UsageError } from "../../util/errors.js";
import {
  choiceFlag,
  type FlagSpec,
  type FlagValues,
  intFlag,
  positiveNumberFlag,
  stringFlag,
} from "../../util/flags.js";
import { EMBEDDING_TEXTS, type Mode } from "../../workload/workload.js";
import {
  DEFAULT_API_KEY_ENV,
  DEFAULT_TIMEOUTS,
  GENERATION_ENDPOINTS,
  normalizeBaseUrl,
  OPTIONAL_FIELDS,
  OUTPUT_LENGTHS,
  parseOmittedFields,
  type ServingOptions,
} from "./options.js";

/**
 * The `bench` flags of the `openai` engine (an OpenAI-compatible server under load) and their validation.
 * Flags of one engine given with the other are usage errors, so that nothing is silently ignored.
 */

/** Default inputs per embeddings request: the workload's texts, once each. */
export const DEFAULT_EMBEDDING_BATCH = EMBEDDING_TEXTS.length;

/** A timeout flag: seconds (0.001 to 86400), its default shown in help. */
function timeoutFlag(what: string, defaultMs: number): FlagSpec {
  return { type: "string", description: `openai: ${what} (up to 86400)`, default: String(defaultMs / 1000) };
}

/** Flags only the openai engine takes. */
export const OPENAI_FLAGS: Record<string, FlagSpec> = {
  model: {
    type: "string",
    description: "the served model name",
    default: "the only model the server lists",
  },
  "batch-size": {
    type: "string",
    description: "embedding: inputs per /v1/embeddings request (1 to 100000)",
    default: "the workload's texts, once each",
  },
  "base-url": {
    type: "string",
    description: "openai: the server's OpenAI base URL, e.g. http://127.0.0.1:8080/v1",
  },
  endpoint: {
    type: "string",
    description: `openai generation: ${GENERATION_ENDPOINTS.join(" or ")} (/v1/completions or /v1/chat/completions)`,
    default: "completions",
  },
  "api-key-env": {
    type: "string",
    description: "openai: environment variable that holds the API key (never written anywhere)",
    default: DEFAULT_API_KEY_ENV,
  },
  concurrency: { type: "string", description: "openai: most requests in flight at once", default: "1" },
  "request-rate": {
    type: "string",
    description:
      "openai: planned requests per second (Poisson/gamma arrivals), or inf: as fast as --concurrency allows",
    default: "inf",
  },
  burstiness: {
    type: "string",
    description:
      "openai: gamma shape of the arrival gaps with --request-rate: 1 Poisson, < 1 burstier, > 1 steadier",
    default: "1",
  },
  "arrival-seed": { type: "string", description: "openai: seed of the arrival gaps", default: "0" },
  "num-requests": { type: "string", description: "openai: measured requests", default: "--rounds" },
  duration: { type: "string", description: "openai: send no request after this many seconds" },
  "output-length": {
    type: "string",
    description:
      "openai generation: fixed (max_tokens + ignore_eos + min_tokens) or natural (max_tokens only; real counts)",
    default: "fixed",
  },
  "omit-fields": {
    type: "string",
    description: `openai: optional request fields not to send, comma-separated, for servers that refuse them (${OPTIONAL_FIELDS.join(", ")})`,
    default: "none",
  },
  "tolerate-failures": {
    type: "boolean",
    description: "openai: failed requests are counted and listed but do not fail the run",
  },
  "connect-timeout": timeoutFlag("seconds to connect", DEFAULT_TIMEOUTS.connect_ms),
  "first-byte-timeout": timeoutFlag(
    "seconds from connect to the response headers",
    DEFAULT_TIMEOUTS.first_byte_ms,
  ),
  "idle-timeout": timeoutFlag(
    "longest gap in seconds between two pieces of a response",
    DEFAULT_TIMEOUTS.idle_ms,
  ),
  "request-timeout": timeoutFlag("seconds for a whole request", DEFAULT_TIMEOUTS.total_ms),
};

const seconds = (values: FlagValues, name: string, fallbackMs: number) =>
  Math.round((positiveNumberFlag(values, name, fallbackMs / 1000, { max: 86_400 }) as number) * 1000);

/**
 * The openai engine's options from the flags.
 * @param rounds the --rounds value: the default of --num-requests.
 * @throws UsageError for a missing --base-url or any bad value.
 */
export function servingOptionsFromFlags(values: FlagValues, mode: Mode, rounds: number): ServingOptions {
  const base = stringFlag(values, "base-url");
  if (base === undefined)
    throw new UsageError("--engine openai needs --base-url (e.g. http://127.0.0.1:8080/v1)");
  if (mode === "embedding" && values.endpoint !== undefined)
    throw new UsageError("--endpoint applies to generation (embedding uses /v1/embeddings)");
  if (mode === "embedding" && values["output-length"] !== undefined)
    throw new UsageError("--output-length applies to generation");
  if (mode === "generation" && values["batch-size"] !== undefined)
    throw new UsageError("--batch-size applies to embedding with --engine openai (inputs per request)");
  const apiKeyEnv = stringFlag(values, "api-key-env") ?? "OPENAI_API_KEY";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(apiKeyEnv))
    // the value is not echoed: it may be a key pasted in the wrong place
    throw new UsageError("--api-key-env must be the name of an environment variable (letters, digits, _)");
  const duration = positiveNumberFlag(values, "duration", null, { max: 7 * 86_400 });
  const numRequests =
    values["num-requests"] !== undefined
      ? intFlag(values, "num-requests", rounds, { max: 10_000_000 })
      : duration !== null && values.rounds === undefined
        ? null
        : rounds;
  const requestRate = positiveNumberFlag(values, "request-rate", null, { allowInf: true, max: 1e6 });
  const burstiness = positiveNumberFlag(values, "burstiness", 1, { max: 1e6 }) as number;
  if (requestRate === null && values.burstiness !== undefined)
    throw new UsageError("--burstiness shapes --request-rate arrivals: give a --request-rate too");
  const timeouts = {
    connect_ms: seconds(values, "connect-timeout", DEFAULT_TIMEOUTS.connect_ms),
    first_byte_ms: seconds(values, "first-byte-timeout", DEFAULT_TIMEOUTS.first_byte_ms),
    idle_ms: seconds(values, "idle-timeout", DEFAULT_TIMEOUTS.idle_ms),
    total_ms: seconds(values, "request-timeout", DEFAULT_TIMEOUTS.total_ms),
  };
  if (Object.values(timeouts).some((v) => v < 1)) throw new UsageError("timeouts must be at least 0.001 s");
  return {
    baseUrl: normalizeBaseUrl(base),
    model: stringFlag(values, "model"),
    endpoint: choiceFlag(values, "endpoint", GENERATION_ENDPOINTS, "completions"),
    apiKeyEnv,
    concurrency: intFlag(values, "concurrency", 1, { max: 100_000 }),
    requestRate,
    burstiness,
    arrivalSeed: intFlag(values, "arrival-seed", 0, { allowZero: true, max: 2 ** 32 - 1 }),
    numRequests,
    durationS: duration,
    outputLength: choiceFlag(values, "output-length", OUTPUT_LENGTHS, "fixed"),
    batchSize: intFlag(values, "batch-size", DEFAULT_EMBEDDING_BATCH, { max: 100_000 }),
    timeouts,
    tolerateFailures: values["tolerate-failures"] === true,
    omitFields: parseOmittedFields(stringFlag(values, "omit-fields") ?? ""),
  };
}
