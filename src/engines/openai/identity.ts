import type { EngineIdentity } from "../../measure/engine-contract.js";
import type { RequestFailure } from "../../measure/requests.js";
import type { BenchmarkResult } from "../../results/schema.js";
import type { Warning } from "../../results/warnings.js";
import { EngineError, UsageError } from "../../util/errors.js";
import type { OpenAiClient } from "./client.js";
import { endpointUrl, serverRoot } from "./options.js";

/**
 * Who is serving: found before the run, each probe bounded in time. The models list (`GET /v1/models`) says
 * which models are served and who owns them; the `server` header names the software; llama-server's `/props`
 * (build_info), vLLM's `/version` and Ollama's `/api/version` give versions where those servers run. What a
 * server does not tell stays out (never guessed).
 */

/** The model block of a serving result: the served name; a file's hash is not visible over HTTP. */
export type ServedModel = BenchmarkResult["model"];

/** The server and model of a run. */
export interface ServerInfo {
  identity: EngineIdentity;
  /** the model as recorded: every string from the server (or --model) with the API key redacted */
  model: ServedModel;
  /** the model id to send in requests, exactly as served: never recorded or printed (it may hold the key) */
  request_model: string;
  /** ids from /v1/models, or null when the server lists none */
  served_models: string[] | null;
  warnings: Warning[];
}

/** How long each discovery request may take, in ms. */
const PROBE_MS = 5_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);
const int = (v: unknown): number | null =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : null;

/**
 * Lists the served models, checks `model` against them (or picks the only one when `model` is undefined) and
 * reads the server's identity.
 * @param apiKeyEnv the variable name the key came from, for the error message on 401/403.
 * @throws EngineError when the server cannot be reached or refuses the key; UsageError for a model it does not serve.
 */
export async function discoverServer(
  client: OpenAiClient,
  model: string | undefined,
  apiKeyEnv: string,
): Promise<ServerInfo> {
  const base = client.baseUrl;
  const found: Found = { warnings: [], versions: {}, details: { base_url: base.href } };
  const listing = await listModels(client, model, apiKeyEnv, found);
  const chosen = listing.model;
  if (chosen === undefined)
    throw new UsageError(
      `--model is required with --engine openai (the served model name)${whyNotListed(found)}`,
    );
  // --model as given, when the server resolved it to another id (the id sent is the result's model name)
  if (model !== undefined && chosen !== model) found.details.requested_model = client.redact(model);
  const served = listing.served;
  if (served) found.details.served_models = served.map(client.redact).join(", ");
  await probeServerRoot(client, found);
  const { versions, details, warnings } = found;
  if (!versions.server && !versions.llama_cpp && !versions.vllm && !versions.ollama) {
    warnings.push({ code: "server_version_unknown" });
  }
  return {
    identity: { name: "openai", versions, details },
    served_models: served === null ? null : served.map(client.redact),
    warnings,
    request_model: chosen,
    model: servedModel(client, chosen, listing.entry),
  };
}

/** Why the models list named no model to pick (its failure or its shape), for the "--model is required" error. */
function whyNotListed(found: Found): string {
  for (const w of found.warnings) {
    if (w.code === "models_list_failed") return `: the models list ${w.path} answered ${w.detail}`;
    if (w.code === "models_not_listed") return `: the models list ${w.path} holds no data array`;
  }
  return "";
}

/** What discovery found so far: software versions, identity details and warnings, in the order found. */
interface Found {
  warnings: Warning[];
  versions: Record<string, string>;
  details: EngineIdentity["details"];
}

/** The models list's answer: the served ids, the entry of the model to run and its id (undefined: none chosen). */
interface ModelListing {
  served: string[] | null;
  entry: Record<string, unknown> | null;
  model: string | undefined;
}

/**
 * `GET /v1/models`: the served ids, the model to run among them, its owner and the `server` header.
 * @throws EngineError when the server cannot be reached or refuses the key; UsageError for a model it does not serve.
 */
async function listModels(
  client: OpenAiClient,
  model: string | undefined,
  apiKeyEnv: string,
  found: Found,
): Promise<ModelListing> {
  const modelsUrl = endpointUrl(client.baseUrl, "/models");
  const listed = await client.getJson(modelsUrl, PROBE_MS);
  if (!listed.ok) {
    found.warnings.push(listingFailure(client.baseUrl, modelsUrl, listed, apiKeyEnv));
    return { served: null, entry: null, model };
  }
  const data = isObject(listed.json) && Array.isArray(listed.json.data) ? listed.json.data : null;
  let listing: ModelListing = { served: null, entry: null, model };
  if (data === null) {
    found.warnings.push({ code: "models_not_listed", path: modelsUrl.pathname });
  } else {
    listing = pickModel(client, data.filter(isObject), model);
    const owner = str(listing.entry?.owned_by);
    if (owner) found.versions.owned_by = client.redact(owner);
  }
  const server = str(listed.headers.server);
  if (server) found.versions.server = client.redact(server);
  return listing;
}

/**
 * A models list that failed: an error when the server is out of reach or refuses the key, else the warning
 * to record (the run goes on without checking the model name).
 */
function listingFailure(base: URL, modelsUrl: URL, listed: RequestFailure, apiKeyEnv: string): Warning {
  const cause = listed.cause;
  if (
    cause === "connection_refused" ||
    cause === "dns_error" ||
    cause === "connect_timeout" ||
    cause === "network_error" ||
    cause === "connection_reset"
  ) {
    throw new EngineError(
      `cannot reach ${base.href}: ${listed.detail} (is the server running? check --base-url)`,
    );
  }
  if (cause === "http_401" || cause === "http_403") {
    throw new EngineError(
      `${modelsUrl.href} answered ${listed.detail}: check the API key in $${apiKeyEnv} (--api-key-env names the variable)`,
    );
  }
  return { code: "models_list_failed", path: modelsUrl.pathname, detail: listed.detail };
}

/**
 * The model to run among the listed entries: `model`, or the only one served when `model` is undefined.
 * @throws UsageError when `model` is not served, or is undefined and the server does not serve exactly one.
 */
function pickModel(
  client: OpenAiClient,
  entries: Record<string, unknown>[],
  model: string | undefined,
): ModelListing & { entry: Record<string, unknown> } {
  const base = client.baseUrl;
  const served = entries.map((e) => str(e.id)).filter((x): x is string => x !== null);
  const shown = served.map(client.redact);
  if (model === undefined) {
    if (served.length !== 1)
      throw new UsageError(
        `--model is required: ${base.href} serves ${shown.length === 0 ? "no models" : shown.join(", ")}`,
      );
    model = served[0] as string;
  }
  const entry = findServed(entries, model);
  if (!entry)
    throw new UsageError(
      `model "${client.redact(model)}" is not served by ${base.href} (served: ${shown.length ? shown.join(", ") : "none"})`,
    );
  // the id as the server lists it is the one sent and recorded (`llama3.2` runs as `llama3.2:latest`)
  return { served, entry, model: str(entry.id) ?? model };
}

/**
 * A model name without a tag: no `:` after its last `/` (Ollama's `llama3.2`, but not `llama3.2:1b`; a
 * registry's `host:5000/name` has its colon before the slash).
 */
function untagged(name: string): boolean {
  return !name.slice(name.lastIndexOf("/") + 1).includes(":");
}

/**
 * The listed entry of `model`, resolved as Ollama resolves names: the exact id first; else, for a name
 * without a tag, the id with the tag `:latest` (Ollama lists `llama3.2:latest` and serves `llama3.2` as it);
 * else, for a name tagged `:latest`, the same name listed without a tag.
 */
export function findServed(
  entries: readonly Record<string, unknown>[],
  model: string,
): Record<string, unknown> | null {
  const exact = entries.find((e) => e.id === model);
  if (exact) return exact;
  if (untagged(model)) return entries.find((e) => e.id === `${model}:latest`) ?? null;
  if (model.endsWith(":latest")) {
    const bare = model.slice(0, -":latest".length);
    return entries.find((e) => e.id === bare) ?? null;
  }
  return null;
}

/**
 * Software versions at the server root, where the base URL ends in /v1: llama-server's `/props` (build_info,
 * total_slots, model_path), vLLM's `/version` and Ollama's `/api/version`, probed at once.
 */
async function probeServerRoot(client: OpenAiClient, found: Found): Promise<void> {
  const base = client.baseUrl;
  const root = serverRoot(base);
  if (root.pathname === base.pathname) return;
  const at = (path: string) => {
    const u = new URL(root.href);
    u.pathname = `${root.pathname.replace(/\/$/, "")}${path}`;
    return u;
  };
  const [props, vllm, ollama] = await Promise.all([
    client.getJson(at("/props"), PROBE_MS),
    client.getJson(at("/version"), PROBE_MS),
    client.getJson(at("/api/version"), PROBE_MS),
  ]);
  const { versions, details } = found;
  if (props.ok && isObject(props.json)) {
    const build = str(props.json.build_info);
    if (build) versions.llama_cpp = client.redact(build);
    const slots = int(props.json.total_slots);
    if (slots !== null) details.total_slots = slots;
    const path = str(props.json.model_path);
    if (path) details.model_path = client.redact(path);
  }
  if (vllm.ok && isObject(vllm.json)) {
    const v = str(vllm.json.version);
    if (v) versions.vllm = client.redact(v);
  }
  if (ollama.ok && isObject(ollama.json)) {
    const v = str(ollama.json.version);
    if (v) versions.ollama = client.redact(v);
  }
}

/** The model block of the result, from the served name and the entry's `meta` (llama-server's names). */
function servedModel(
  client: OpenAiClient,
  model: string,
  entry: Record<string, unknown> | null,
): ServedModel {
  const meta = entry && isObject(entry.meta) ? entry.meta : {};
  // every string that came from the server is redacted before it is kept (a model id may hold the key)
  const text = (v: unknown) => {
    const s = str(v);
    return s === null ? null : client.redact(s);
  };
  const shownModel = client.redact(model);
  return {
    path: shownModel,
    sha256: null,
    size_bytes: int(meta.size),
    architecture: text(meta.architecture),
    name: shownModel,
    parameter_count: int(meta.n_params),
    quantization: text(meta.quantization),
    dummy: meta.dummy === true,
    preset: text(meta.preset),
    context_length: int(meta.n_ctx_train),
    embedding_length: int(meta.n_embd),
    block_count: int(meta.n_layer),
    vocab_size: int(meta.n_vocab),
  };
}
