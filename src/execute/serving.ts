/**
 * The load generator's run (src/execute/load-generator.ts imports it when a run needs it): a serving
 * benchmark, an OpenAI-compatible server put under a planned load. Discovery (models, identity)
 * and warmup come first and fail with one line; then the measured requests, whose failures are counted by
 * cause in the result. The API key is read from the environment here and handed only to the client.
 */
import { readFileSync } from "node:fs";
import { RUN_LIMITS } from "../engines/definition.js";
import { type GenerationRequest, OpenAiClient, type RequestFailure } from "../engines/openai/client.js";
import { OPENAI_LIMITS } from "../engines/openai/flags.js";
import { discoverServer } from "../engines/openai/identity.js";
import { type OptionalField, refusalHint, type ServingOptions } from "../engines/openai/options.js";
import {
  needsPlan,
  type PlannedRequest,
  planRequests,
  type RequestPlan,
} from "../engines/openai/request-plan.js";
import { captureEnvironment, type Environment } from "../environment/capture.js";
import { type GitProvenance, gitProvenance } from "../environment/git.js";
import { type MachineLoad, startMachineLoadProbe } from "../environment/machine-load.js";
import { scheduleFigures } from "../measure/client-capacity.js";
import type { EngineSettings } from "../measure/engine-contract.js";
import { type EventLoopDelayMs, watchEventLoopDelay } from "../measure/event-loop-delay.js";
import { type LoadOutcome, type LoadPlan, runLoad, UNREACHABLE_STOP } from "../measure/load.js";
import { OutcomeColumns } from "../measure/outcome-columns.js";
import { connectionRefused, type ServingOutcome } from "../measure/requests.js";
import { waitForStart } from "../measure/shard.js";
import {
  buildServingEmbeddingResult,
  buildServingGenerationResult,
  groupFailures,
  type LoadSettings,
  type ServingContext,
} from "../results/build-serving.js";
import { recordClientCapacity } from "../results/client-capacity.js";
import type { BenchmarkResult, EmbeddingResult, GenerationResult } from "../results/schema.js";
import { recordShard } from "../results/shard.js";
import { renderWarning, type Warning } from "../results/warnings.js";
import { EngineError, EXIT, PerfBaselineError, UsageError } from "../util/errors.js";
import { toolVersion } from "../util/tool-version.js";
import type { LengthDistribution } from "../workload/distribution.js";
import {
  embeddingWorkload,
  generationWorkload,
  type Mode,
  type WorkloadSpec,
  workloadDigest,
} from "../workload/workload.js";
import {
  runLoadInWorkers,
  type WorkerCapacity,
  type WorkerRequests,
  type WorkersRun,
} from "./load-workers.js";
import { recordServerMetrics, type ServerMetricsSampler, startServerMetrics } from "./server-metrics.js";

/** What a serving run needs from the common benchmark options. */
export interface ServingRunOptions {
  mode: Mode;
  warmup: number;
  maxNewTokens: number;
  invocation: { command: string; argv: string[]; cwd: string };
  status?: (line: string) => void;
  onRound?: (done: number, total: number, warmup: boolean) => void;
  /** aborted when the user interrupts: the requests in flight are dropped and the partial result returned */
  signal?: AbortSignal;
  openai: ServingOptions;
  /** `--max-new-tokens uniform:MIN:MAX` (...): each request's length drawn from it. Defaults to the fixed count. */
  maxNewTokensDistribution?: LengthDistribution;
}

/** How long opening the measured phase's connections ahead of it may take, each, in ms. */
const OPEN_AHEAD_MS = 10_000;

/**
 * The PEM text of `--ca-cert`.
 * @throws UsageError when the file cannot be read or holds no PEM certificate.
 */
function readCaCert(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(
      `--ca-cert ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----"))
    throw new UsageError(`--ca-cert ${path}: not a PEM certificate (no BEGIN CERTIFICATE line)`);
  return text;
}

function hint(f: RequestFailure, o: ServingOptions, mode: Mode, sent: readonly OptionalField[] = []): string {
  if (f.cause === "http_404") return " (check --base-url and --model)";
  const refused = refusalHint(f, sent, o.omitFields ?? []);
  if (refused) return refused;
  if (
    (f.cause === "http_400" || f.cause === "http_422") &&
    mode === "generation" &&
    o.outputLength === "fixed"
  )
    return " (a server that rejects ignore_eos or min_tokens needs --output-length natural)";
  if (f.cause === "http_401" || f.cause === "http_403") return ` (check the API key in $${o.apiKeyEnv})`;
  return "";
}

function describeFailures(failures: readonly RequestFailure[]): string {
  return groupFailures(failures)
    .map((g) => `${g.cause} x${g.count} (${g.example})`)
    .join("; ");
}

/** The `--batch-size` inputs of one embeddings request: the workload's texts, repeated in order. */
export function embeddingInputs(texts: readonly string[], batchSize: number): string[] {
  return Array.from({ length: batchSize }, (_, i) => texts[i % texts.length] as string);
}

/**
 * Runs a serving benchmark end to end and returns its result.
 * @throws EngineError when the server cannot be reached, refuses a warmup request or completes no request;
 *   UsageError for a model it does not serve; PerfBaselineError (interrupted) when stopped before any result.
 */
export async function runServingBenchmark(opts: ServingRunOptions): Promise<BenchmarkResult> {
  const o = opts.openai;
  const before = { environment: captureEnvironment(), git: gitProvenance() };
  const key = process.env[o.apiKeyEnv];
  const ca = o.caCert === undefined ? {} : { ca: readCaCert(o.caCert) };
  const apiKey = key && key !== "" ? key : null;
  const client = new OpenAiClient({ baseUrl: o.baseUrl, apiKey, timeouts: o.timeouts, ...ca });
  let metrics: ServerMetricsSampler | null = null;
  try {
    const server = await discoverServer(client, o.model, o.apiKeyEnv);
    const versions = Object.entries(server.identity.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    opts.status?.(
      `serving: model "${server.model.name}" at ${o.baseUrl.href}${versions ? ` (${versions})` : ""}`,
    );
    const endpoint = opts.mode === "generation" ? o.endpoint : "embeddings";
    server.identity.details.endpoint = endpoint;
    const plan = await requestPlan(opts, client, server.request_model);
    const workload = withRequestShape(
      opts.mode === "generation" ? generationWorkload(opts.maxNewTokens) : embeddingWorkload(),
      plan,
    );
    const requests = servingRequests(opts, client, server.request_model, workload, plan);
    server.identity.details.request_fields = requests.sent.join(",");
    const warnings = [...server.warnings];
    const job = workersJob(opts, { apiKey, ...ca }, requests);
    const inRun = warmsInRun(opts, job);
    if (opts.warmup > 0 && o.requestRate !== null) opts.status?.(warmupLine(opts, inRun));
    // warmup: not counted; a failure here means the server cannot run the workload at all
    if (opts.warmup > 0 && !inRun) await warmUp(opts, requests, warnings);
    // the measured requests find their connections open: connecting and TLS handshakes are not measured
    // (worker threads open their own; a warmup in the run has opened those its rate needs)
    let readyAhead = job || inRun ? 0 : await client.openConnections(o.concurrency, OPEN_AHEAD_MS);
    if (o.serverMetrics)
      metrics = await startServerMetrics({ ...o.serverMetrics, baseUrl: o.baseUrl, apiKey, ...ca });
    const warmup = inRun ? warmupInRun(opts, requests, warnings) : null;
    // the client's figures (and, after a warmup in the run, the connections ready) count from the measured start
    const measured = await measureLoad(opts, requests.send, job, warmup, () => {
      client.overhead.reset();
      if (inRun) readyAhead = client.connectionsOpen;
    });
    if (measured.workers) {
      readyAhead = measured.workers.connections;
      for (const ns of measured.workers.chunk_handling_ns) client.overhead.add(ns);
    }
    const serverMetrics = await metrics?.stop();
    checkMeasured(opts, measured.run, requests.sent, warnings);
    const ctx = servingContext(opts, client, {
      ...before,
      server,
      workload,
      endpoint,
      warnings,
      sent: requests.sent,
      readyAhead,
      planned: requests.planned,
      promptSource: plan?.prompt_token_count_source ?? null,
      ...measured,
    });
    const result = buildResult(opts, ctx, measured);
    if (measured.workers && result.serving) result.serving.workers = measured.workers.capacity;
    if (serverMetrics) recordServerMetrics(result, serverMetrics);
    // after the workers' figures: with several, the busiest thread is the client's CPU figure
    recordClientCapacity(result, scheduleFigures(measured.run.records, measured.run.start_ns));
    recordShard(result, {
      shard: o.shard ?? null,
      startAtMs: o.startAtMs ?? null,
      lagMs: measured.startLagMs,
    });
    opts.status?.(summaryLine(result));
    return result;
  } finally {
    metrics?.cancel();
    client.close();
  }
}

/** One request of the run, by index; its outcome (never a rejection). */
type Send = (i: number, signal: AbortSignal) => Promise<ServingOutcome>;

/** The planned requests of a generation run whose requests differ (null when they are all the same). */
async function requestPlan(
  opts: ServingRunOptions,
  client: OpenAiClient,
  model: string,
): Promise<RequestPlan | null> {
  const input = { options: opts.openai, maxNewTokensDistribution: opts.maxNewTokensDistribution };
  if (opts.mode !== "generation" || !needsPlan(input)) return null;
  opts.status?.("serving: planning the requests (counting prompt tokens)");
  const plan = await planRequests(client, {
    ...input,
    model,
    warmup: opts.warmup,
    maxNewTokens: opts.maxNewTokens,
    defaultPrompt: generationWorkload(opts.maxNewTokens).prompt ?? "",
    maxNewTokensLimit: RUN_LIMITS.max_new_tokens,
    promptTokensLimit: OPENAI_LIMITS.prompt_tokens,
  });
  if (plan.too_long > 0)
    opts.status?.(
      `serving: ${plan.too_long} dataset prompts left out: their tokens + max_tokens pass --max-context ${opts.openai.maxContext}`,
    );
  return plan;
}

/**
 * The workload with what shapes a planned run's requests (so that its digest changes with them); the
 * workload unchanged (its digest too) when the requests are all the same.
 */
function withRequestShape(workload: WorkloadSpec, plan: RequestPlan | null): WorkloadSpec {
  if (plan === null) return workload;
  return {
    ...workload,
    requests: { ...plan.shape, ...(plan.too_long > 0 ? { dataset_too_long: plan.too_long } : {}) },
  };
}

/** What every request of a run sends, and the optional fields it sends. */
interface ServingRequests {
  send: Send;
  /** a warmup request, by index (planned requests of its own, else the measured one) */
  warm: Send;
  /** the planned request of a measured request's index; null when every request is the same */
  planned: ((i: number) => PlannedRequest) | null;
  /** the optional request fields sent (recorded, and named in a refusal's hint) */
  sent: OptionalField[];
  /** what a load worker thread sends; null when the requests cannot be split (a conversation's turns wait for each other) */
  forWorkers: WorkerRequests | null;
}

/** The run's request: a generation of the workload's prompt, or embeddings of its texts in batches. */
function servingRequests(
  opts: ServingRunOptions,
  client: OpenAiClient,
  model: string,
  workload: WorkloadSpec,
  plan: RequestPlan | null,
): ServingRequests {
  const o = opts.openai;
  const generationRequest = (prompt: string, maxTokens: number, p?: PlannedRequest): GenerationRequest => ({
    endpoint: o.endpoint,
    model,
    prompt,
    ...(p?.messages ? { messages: p.messages } : {}),
    max_tokens: maxTokens,
    fixed_length: o.outputLength === "fixed",
    omit: o.omitFields ?? [],
  });
  const one = generationRequest(workload.prompt ?? "", opts.maxNewTokens);
  if (opts.mode === "generation" && plan !== null) {
    const measured = plan.measured.map((p) => generationRequest(p.prompt, p.max_tokens, p));
    const warm = plan.warmup.map((p) => generationRequest(p.prompt, p.max_tokens, p));
    const at = <T>(xs: readonly T[], i: number) => xs[i % xs.length] as T;
    const answered = new Map<number, Promise<unknown>>();
    const sessions = plan.measured.some((p) => p.after !== null);
    const send: Send = (i, signal) => {
      const after = at(plan.measured, i).after;
      // a session's later turn goes after its previous turn's answer (never before: lower index, sent first)
      const previous = after === null ? undefined : answered.get(i - (i % plan.measured.length) + after);
      const done = (previous ?? Promise.resolve()).then(() => client.generate(at(measured, i), signal));
      if (sessions) answered.set(i, done);
      return done;
    };
    return {
      send,
      warm: (i, signal) => client.generate(at(warm, i), signal),
      planned: (i) => at(plan.measured, i),
      sent: OpenAiClient.sentGenerationFields(one),
      forWorkers: sessions ? null : { kind: "generation", list: measured },
    };
  }
  if (opts.mode === "generation") {
    const send: Send = (_i, signal) => client.generate(one, signal);
    return {
      send,
      warm: send,
      planned: null,
      sent: OpenAiClient.sentGenerationFields(one),
      forWorkers: { kind: "generation", list: [one] },
    };
  }
  const inputs = embeddingInputs(workload.texts ?? [], o.batchSize);
  const send: Send = (_i, signal) => client.embed(model, inputs, signal, o.omitFields ?? []);
  return {
    send,
    warm: send,
    planned: null,
    sent: (o.omitFields ?? []).includes("encoding_format") ? [] : ["encoding_format"],
    forWorkers: { kind: "embedding", model, inputs, omit: o.omitFields ?? [] },
  };
}

/**
 * The warmup requests, uncounted. A failed one fails the run unless failures are tolerated (then it is a
 * warning).
 * @throws PerfBaselineError (interrupted) when stopped; EngineError when a request failed.
 */
async function warmUp(
  opts: ServingRunOptions,
  requests: ServingRequests,
  warnings: Warning[],
): Promise<void> {
  const warm = await runLoad(loadPlan(opts, "warmup"), requests.warm);
  // a warmup stopped because the server went away fails below, as its failed requests
  if (!warm.complete && !warm.unreachable) throw warmupInterrupted();
  const failed = warm.records.map((r) => r.outcome).filter((x): x is RequestFailure => x !== null && !x.ok);
  // the server gone: the warmup's failures are the error, tolerated or not
  checkWarmupFailures(
    opts,
    failed,
    requests.sent,
    warnings,
    opts.openai.tolerateFailures && !warm.unreachable,
  );
}

/** The status line before a warmup at a request rate: how many, at what rate, about how long, and where. */
function warmupLine(opts: ServingRunOptions, inRun: boolean): string {
  const o = opts.openai;
  const rate = (o.requestRate as number) / (o.shard?.count ?? 1);
  const where = inRun ? "at the head of the measured run's schedule" : "as a run of its own";
  const seconds = opts.warmup / rate;
  const about = seconds < 10 ? seconds.toFixed(1) : Math.round(seconds);
  return `serving: warming up: ${opts.warmup} requests at ${Number(rate.toPrecision(4))}/s (about ${about} s), ${where}`;
}

const warmupInterrupted = () =>
  new PerfBaselineError("interrupted during warmup: no result to write", EXIT.interrupted);

/**
 * The warmup's failed requests: none is fine; else the run fails with one line (their causes, and the hint of
 * the first) unless failures are tolerated, when they are a warning.
 * @throws EngineError when a warmup request failed and failures are not tolerated.
 */
function checkWarmupFailures(
  opts: ServingRunOptions,
  failed: readonly RequestFailure[],
  sent: readonly OptionalField[],
  warnings: Warning[],
  tolerated = opts.openai.tolerateFailures,
): void {
  const o = opts.openai;
  if (failed.length === 0) return;
  const first = failed[0] as RequestFailure;
  const warning: Warning = {
    code: "warmup_requests_failed",
    failed: failed.length,
    planned: opts.warmup,
    causes: describeFailures(failed),
  };
  if (!tolerated) throw new EngineError(`${renderWarning(warning)}${hint(first, o, opts.mode, sent)}`);
  warnings.push(warning);
}

/**
 * Whether the warmup runs at the head of the measured run's schedule (load.ts WarmupPlan) rather than as a run
 * of its own: with a request rate and a warmup, on one load thread, without a shard's common start (the shared
 * start is the measured requests') and without --server-metrics (its first scrape is taken between the warmup
 * and the measured requests). A run of its own before the measured one left the measured run's first second
 * late (load.ts WarmupPlan says why).
 */
function warmsInRun(opts: ServingRunOptions, job: WorkersRun | null): boolean {
  const o = opts.openai;
  return (
    o.requestRate !== null &&
    opts.warmup > 0 &&
    job === null &&
    !o.shard &&
    o.startAtMs == null &&
    !o.serverMetrics
  );
}

/** A warmup at the head of the measured run: put into its plan, and checked once the run is over. */
interface WarmupInRun {
  /**
   * Puts the warmup at the head of `plan`: its requests (a failed one stops the run unless failures are
   * tolerated) and `onMeasuredStart`, called when the first measured request is due.
   */
  attach(plan: LoadPlan<ServingOutcome>, onMeasuredStart: () => void): void;
  /**
   * Checks the warmup after the run, as a warmup run is checked.
   * @throws PerfBaselineError (interrupted) when stopped before the measured requests; EngineError when a
   * warmup request failed and failures are not tolerated.
   */
  check(run: LoadOutcome<ServingOutcome>): void;
}

/**
 * The warmup in the measured run (warmsInRun): `opts.warmup` requests from `requests.warm`, their progress
 * reported, a failed one stopping the run unless failures are tolerated.
 */
function warmupInRun(opts: ServingRunOptions, requests: ServingRequests, warnings: Warning[]): WarmupInRun {
  const failures: RequestFailure[] = [];
  let settled = 0;
  let measuredStarted = false;
  const keep = (outcome: ServingOutcome): ServingOutcome => {
    opts.onRound?.(++settled, opts.warmup, true);
    if (!outcome.ok && outcome.cause !== "aborted") failures.push(outcome);
    return outcome;
  };
  return {
    attach(plan, onMeasuredStart) {
      const stop = plan.shouldStop;
      plan.shouldStop = () => (failures.length > 0 && !opts.openai.tolerateFailures) || stop?.() === true;
      plan.warmup = {
        requests: opts.warmup,
        send: (i, signal) => requests.warm(i, signal).then(keep),
        onMeasuredStart: () => {
          measuredStarted = true;
          onMeasuredStart();
        },
      };
    },
    check(run) {
      // the server gone before the measured requests: the warmup's failures are the error, tolerated or not
      const gone = !measuredStarted && run.unreachable === true;
      checkWarmupFailures(opts, failures, requests.sent, warnings, opts.openai.tolerateFailures && !gone);
      if (!measuredStarted && !run.complete && !run.unreachable) throw warmupInterrupted();
    },
  };
}

/**
 * The load plan of one phase of the run: the warmup's requests (uncounted, `--warmup` of them) or the measured
 * ones. A run with a request rate warms up at that rate (its arrival gaps, from the same seed) under the same
 * concurrency cap, so that the client's paths and the server are warm at the load that is measured; one
 * without a rate sends the warmup requests as fast as min(--concurrency, --warmup) allow. Both phases' plans
 * are built here, with the same fields in the same order: the load loop's code, compiled during the warmup,
 * then meets objects of the shapes it was compiled for (a plan of another shape sends it back to slower code
 * for the measured run's first seconds, whose planned arrivals are then late).
 */
export function loadPlan(opts: ServingRunOptions, phase: "warmup" | "measured"): LoadPlan<ServingOutcome> {
  const o = opts.openai;
  const warmup = phase === "warmup";
  const total = warmup ? opts.warmup : o.numRequests;
  // a shard's warmup, a run of its own, goes at the shard's share of the rate: the load it then measures
  const rate = o.requestRate !== null && warmup && o.shard ? o.requestRate / o.shard.count : o.requestRate;
  return {
    concurrency: warmup && o.requestRate === null ? Math.min(o.concurrency, opts.warmup) : o.concurrency,
    requestRate: rate,
    burstiness: o.burstiness,
    arrivalSeed: o.arrivalSeed,
    numRequests: total,
    durationS: warmup ? null : o.durationS,
    shouldStop: () => opts.signal?.aborted === true,
    onSettled: (n) => opts.onRound?.(n, total ?? 0, warmup),
    shard: warmup ? null : (o.shard ?? null),
    unreachable: connectionRefused,
    keeper: new OutcomeColumns(),
    warmup: null,
  };
}

/** What is watched during the measured requests: their start, the event-loop delay, the machine's load. */
interface Watch {
  started: string;
  eld: ReturnType<typeof watchEventLoopDelay>;
  probe: () => MachineLoad;
}

/** The measured requests and what was seen around them. */
interface Measured {
  run: LoadOutcome<ServingOutcome>;
  machine_load: MachineLoad;
  started: string;
  finished: string;
  /** the event-loop delay during the requests, ms; null when none was sampled */
  histogram: EventLoopDelayMs | null;
  /** how late the measured phase began after --start-at, ms; null without one */
  startLagMs: number | null;
  /** with --workers N > 1: their connections, chunk-handling samples and capacity; else null */
  workers: { connections: number; chunk_handling_ns: number[]; capacity: WorkerCapacity[] } | null;
}

/**
 * The job of the load worker threads (--workers N > 1); null with one worker.
 * @throws UsageError when the requests cannot be split (a conversation's turns wait for each other).
 */
function workersJob(
  opts: ServingRunOptions,
  auth: { apiKey: string | null; ca?: string },
  requests: ServingRequests,
): WorkersRun | null {
  const o = opts.openai;
  const workers = o.workers ?? 1;
  if (workers <= 1) return null;
  if (requests.forWorkers === null)
    throw new UsageError(
      "--workers above 1 cannot split a dataset of conversations (their turns wait for each other)",
    );
  if (workers > o.concurrency)
    throw new UsageError(
      `--workers ${workers} needs --concurrency of at least ${workers} (one request each)`,
    );
  return {
    workers,
    job: {
      client: {
        baseUrl: o.baseUrl.href,
        apiKey: auth.apiKey,
        timeouts: o.timeouts,
        ...(auth.ca ? { ca: auth.ca } : {}),
      },
      requests: requests.forWorkers,
      plan: {
        concurrency: o.concurrency,
        requestRate: o.requestRate,
        burstiness: o.burstiness,
        arrivalSeed: o.arrivalSeed,
        numRequests: o.numRequests,
        durationS: o.durationS,
      },
      openAheadMs: OPEN_AHEAD_MS,
    },
    shouldStop: () => opts.signal?.aborted === true,
    onSettled: (n) => opts.onRound?.(n, o.numRequests ?? 0, false),
  };
}

/** The measured requests, with the event loop's delay and the machine's load during them. */
async function measureLoad(
  opts: ServingRunOptions,
  send: Send,
  job: WorkersRun | null,
  warmup: WarmupInRun | null,
  onMeasuredStart: () => void,
): Promise<Measured> {
  const o = opts.openai;
  const plan = loadPlan(opts, "measured");
  const startLagMs = o.startAtMs == null ? null : await waitForStart(o.startAtMs, opts.signal);
  // what is watched during the measured requests (after a warmup in the run, from their start); the machine's
  // load: the gate tells contention from a slower server by it
  const watching: { now: Watch | null } = { now: null };
  const startWatching = () => {
    onMeasuredStart();
    watching.now = {
      started: new Date().toISOString(),
      eld: watchEventLoopDelay(),
      probe: startMachineLoadProbe(),
    };
  };
  if (warmup) warmup.attach(plan, startWatching);
  else startWatching();
  const spread = job ? await runLoadInWorkers(job) : null;
  const run = spread ? spread.run : await runLoad(plan, send);
  warmup?.check(run);
  if (watching.now === null) startWatching();
  const { started, eld, probe } = watching.now as Watch;
  const machine_load = probe();
  const delay = eld.stop();
  const finished = new Date().toISOString();
  const histogram: EventLoopDelayMs | null = spread ? spread.event_loop_delay_ms : delay;
  return { run, machine_load, started, finished, histogram, startLagMs, workers: spread };
}

/**
 * Checks the measured requests: none completed is an error; failed ones and an interrupt are warnings.
 * @throws PerfBaselineError (interrupted) when stopped before any completed; EngineError when all failed.
 */
function checkMeasured(
  opts: ServingRunOptions,
  run: Measured["run"],
  sent: readonly OptionalField[],
  warnings: Warning[],
): void {
  const o = opts.openai;
  const outcomes = run.records.map((r) => r.outcome);
  const failures = outcomes.filter((x): x is RequestFailure => x !== null && !x.ok && x.cause !== "aborted");
  const completed = outcomes.filter((x) => x?.ok).length;
  if (completed === 0) {
    if (!run.complete && !run.unreachable)
      throw new PerfBaselineError(
        "interrupted before any request completed: no result to write",
        EXIT.interrupted,
      );
    throw new EngineError(
      `all ${failures.length} measured requests failed: ${describeFailures(failures)}${failures[0] ? hint(failures[0], o, opts.mode, sent) : ""}`,
    );
  }
  if (failures.length > 0) {
    warnings.push({
      code: "requests_failed",
      failed: failures.length,
      sent: run.records.length,
      causes: describeFailures(failures),
      tolerated: o.tolerateFailures,
    });
  }
  if (run.unreachable) warnings.push({ code: "server_unreachable", in_row: UNREACHABLE_STOP });
  else if (!run.complete) warnings.push({ code: "requests_interrupted" });
}

/** What the serving result records besides its requests. */
function servingContext(
  opts: ServingRunOptions,
  client: OpenAiClient,
  seen: {
    environment: Environment;
    git: GitProvenance;
    server: Awaited<ReturnType<typeof discoverServer>>;
    workload: WorkloadSpec;
    endpoint: LoadSettings["endpoint"];
    warnings: Warning[];
    /** the optional request fields sent */
    sent: readonly OptionalField[];
    /** keep-alive connections ready when the measured phase began */
    readyAhead: number;
    planned: ServingRequests["planned"];
    promptSource: RequestPlan["prompt_token_count_source"];
  } & Measured,
): ServingContext {
  const o = opts.openai;
  const settings: EngineSettings = {
    threads: null,
    embedding_threads: null,
    batch_size: opts.mode === "embedding" ? o.batchSize : null,
    context_size: null,
    gpu: "server",
    gpu_layers: null,
  };
  return {
    tool_version: toolVersion(),
    environment: seen.environment,
    engine: seen.server.identity,
    settings,
    model: seen.server.model,
    workload: seen.workload,
    workload_digest: workloadDigest(seen.workload),
    invocation: opts.invocation,
    git: seen.git,
    started_at: seen.started,
    finished_at: seen.finished,
    warnings: seen.warnings,
    lateWarnings: (result) => [
      ...lateWarnings(opts, result, seen.sent),
      ...promptWarnings(result, seen.planned, seen.promptSource),
    ],
    load: {
      ...loadSettings(opts, seen.endpoint),
      ...(seen.workload.requests ? { requests: seen.workload.requests } : {}),
    },
    ...(seen.planned ? { planned: seen.planned } : {}),
    ...(seen.promptSource ? { prompt_token_count_source: seen.promptSource } : {}),
    ...(o.goodput && opts.mode === "generation" ? { goodput: o.goodput } : {}),
    warmup_requests: opts.warmup,
    timeouts_ms: {
      connect: o.timeouts.connect_ms,
      first_byte: o.timeouts.first_byte_ms,
      idle: o.timeouts.idle_ms,
      total: o.timeouts.total_ms,
    },
    chunk_handling_ns: client.overhead.samples(),
    connections_ready_ahead: seen.readyAhead,
    event_loop_delay_ms: seen.histogram,
    redact: client.redact,
  };
}

/** The load a serving result records. */
function loadSettings(opts: ServingRunOptions, endpoint: LoadSettings["endpoint"]): LoadSettings {
  const o = opts.openai;
  return {
    endpoint,
    concurrency: o.concurrency,
    request_rate: o.requestRate,
    burstiness: o.burstiness,
    arrival_seed: o.arrivalSeed,
    num_requests: o.numRequests,
    duration_s: o.durationS,
    output_length: opts.mode === "generation" ? o.outputLength : null,
    stream: opts.mode === "generation",
    ...(o.omitFields?.length ? { omitted_fields: o.omitFields } : {}),
    ...(o.shard && o.shard.count > 1 ? { shards: o.shard.count } : {}),
  };
}

/** The result of the mode, with the machine's load during the measured requests. */
function buildResult(opts: ServingRunOptions, ctx: ServingContext, measured: Measured): BenchmarkResult {
  if (opts.mode === "generation")
    return {
      ...buildServingGenerationResult(
        ctx,
        measured.run as Parameters<typeof buildServingGenerationResult>[1],
      ),
      machine_load: measured.machine_load,
    };
  return {
    ...buildServingEmbeddingResult(
      ctx,
      measured.run as Parameters<typeof buildServingEmbeddingResult>[1],
      opts.openai.batchSize,
    ),
    machine_load: measured.machine_load,
  };
}

/**
 * The warnings only the built result can tell (output lengths, missing usage, sampling, determinism); the
 * builder adds them before it validates the result.
 */
function lateWarnings(
  opts: ServingRunOptions,
  result: GenerationResult | EmbeddingResult,
  sent: readonly OptionalField[],
): Warning[] {
  const warnings: Warning[] = [];
  if (result.mode === "generation") {
    const ol = result.serving?.output_length;
    if (ol && !ol.fixed)
      warnings.push({
        code: "output_length_not_fixed",
        requested: ol.requested,
        min: ol.min,
        max: ol.max,
        fixed_sent: opts.openai.outputLength === "fixed",
      });
    if (result.samples.some((x) => x.output_tokens_source === "chunks" && !x.prompt_tokens))
      warnings.push({ code: "usage_missing_some" });
    if (!sent.includes("temperature") && !sent.includes("top_k")) warnings.push({ code: "default_sampling" });
    if (!result.output.consistent) warnings.push({ code: "server_nondeterministic", what: "texts" });
    return warnings;
  }
  if (result.serving?.tokens_per_second === null) warnings.push({ code: "usage_missing" });
  if (!result.output.consistent) warnings.push({ code: "server_nondeterministic", what: "embeddings" });
  return warnings;
}

/**
 * The warning for prompts whose usage.prompt_tokens disagree with their counted tokens: more than the 2
 * special tokens (BOS, EOS) a server may add, or fewer (the completions endpoint only: a chat template adds
 * its own tokens).
 */
function promptWarnings(
  result: GenerationResult | EmbeddingResult,
  planned: ServingRequests["planned"],
  source: RequestPlan["prompt_token_count_source"],
): Warning[] {
  if (result.mode !== "generation" || planned === null || source === null) return [];
  if (result.load?.endpoint !== "completions") return [];
  const off = result.samples.filter((x) => {
    const counted = planned(x.round).prompt_tokens;
    return (
      x.prompt_tokens > 0 && counted !== null && (x.prompt_tokens < counted || x.prompt_tokens > counted + 2)
    );
  });
  const first = off[0];
  if (first === undefined) return [];
  return [
    {
      code: "prompt_tokens_disagree",
      requests: off.length,
      counted: planned(first.round).prompt_tokens ?? 0,
      usage: first.prompt_tokens,
      source,
    },
  ];
}

/** ", goodput 3.10 requests/s (62 % of requests)" for the summary line; "" without objectives. */
function goodputText(g: { requests_per_second: number; share: number } | undefined): string {
  return g
    ? `, goodput ${g.requests_per_second.toFixed(2)} requests/s (${(g.share * 100).toFixed(0)} % of requests)`
    : "";
}

function summaryLine(r: BenchmarkResult): string {
  const s = r.serving;
  if (!s) return "";
  const req = s.requests;
  const head = `${req.completed} completed, ${req.failed} failed${req.interrupted ? `, ${req.interrupted} interrupted` : ""} in ${s.duration_s.toFixed(2)} s`;
  if (r.mode === "generation" && r.serving)
    return `${head}: ${r.serving.output_tokens_per_second.toFixed(1)} output tokens/s, ${s.requests_per_second.toFixed(2)} requests/s, median TTFT ${r.serving.ttft_ms ? `${r.serving.ttft_ms.median.toFixed(1)} ms` : "unknown"}${goodputText(r.serving.goodput)}`;
  return `${head}: ${s.requests_per_second.toFixed(2)} calls/s`;
}
