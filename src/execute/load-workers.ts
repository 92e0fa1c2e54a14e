/**
 * The load spread over worker threads (`--workers N`, issue 27 item 2): N threads (node:worker_threads), each
 * with its own client and sockets, send the shares i mod N = w of ONE seeded schedule (src/measure/shard.ts)
 * from one common start; their raw per-request records are joined into one load outcome, so that every
 * percentile is computed over the union of the samples (exact, as `merge` does for shard processes:
 * src/results/merge.ts). Each worker's capacity (requests, output tokens/s, event-loop delay p99) is reported.
 * Scaling shows only with more free cores than workers.
 */
import { Worker } from "node:worker_threads";
import type { GenerationRequest } from "../engines/openai/client.js";
import type { OptionalField, Timeouts } from "../engines/openai/options.js";
import type { EventLoopDelayMs } from "../measure/event-loop-delay.js";
import type { LoadOutcome, LoadPlan, LoadRecord } from "../measure/load.js";
import type { ServingOutcome } from "../measure/requests.js";
import { nowNs } from "../util/clock.js";
import { EngineError } from "../util/errors.js";

/** How long the workers may take to start and open their connections, in ms. */
const READY_TIMEOUT_MS = 30_000;
/** The common start lies this far after the last worker is ready (the start message reaches every thread). */
const START_AHEAD_MS = 20;

/** What a worker sends: the same generation requests the main thread would (by index mod their count), or embeddings. */
export type WorkerRequests =
  | { kind: "generation"; list: GenerationRequest[] }
  | { kind: "embedding"; model: string; inputs: string[]; omit: OptionalField[] };

/** The plan a worker runs (its share chosen by the worker index), without callbacks (they do not cross threads). */
export type WorkerPlan = Omit<
  LoadPlan,
  "shouldStop" | "onSettled" | "shard" | "startNs" | "unreachable" | "keeper" | "warmup"
>;

/** One worker's job (its workerData). */
export interface LoadWorkerJob {
  worker: number;
  workers: number;
  client: { baseUrl: string; apiKey: string | null; timeouts: Timeouts; ca?: string };
  requests: WorkerRequests;
  plan: WorkerPlan;
  /** how long opening each connection ahead may take, ms */
  openAheadMs: number;
}

/** What one worker reports at its end. */
export interface WorkerReport {
  worker: number;
  run: LoadOutcome<ServingOutcome>;
  /** its client's chunk-handling times, ns (src/engines/openai/client.ts ClientOverhead) */
  chunk_handling_ns: number[];
  /** its event-loop delay during its share, ms; null when none was sampled */
  event_loop_delay_ms: EventLoopDelayMs | null;
  /** the share of its span its thread was busy (performance.eventLoopUtilization), 0 to 1 */
  event_loop_utilization: number;
}

/** The messages of a worker to the main thread. */
export type WorkerToMain =
  | { type: "ready"; connections: number }
  | { type: "settled" }
  | { type: "done"; report: WorkerReport }
  | { type: "error"; message: string };

/** One worker's capacity, as `serving.workers` records it. */
export interface WorkerCapacity {
  worker: number;
  /** requests it sent */
  requests: number;
  /** output tokens (usage, else text chunks) of its completed requests over its own span (first sent to last settled), per second */
  output_tokens_per_second: number;
  event_loop_delay_p99_ms: number | null;
  /** the share of its span its thread was busy, 0 to 1: near 1, that worker was saturated */
  event_loop_utilization: number;
}

/** The joined outcome of all workers. */
export interface WorkersOutcome {
  run: LoadOutcome<ServingOutcome>;
  /** keep-alive connections the workers had open when the measured phase began */
  connections: number;
  chunk_handling_ns: number[];
  capacity: WorkerCapacity[];
  /** the event-loop delay of the worker with the highest p99 (the client's worst thread); null when none */
  event_loop_delay_ms: EventLoopDelayMs | null;
}

/**
 * A worker thread running load-worker-entry: the compiled .js, or from the sources a small bootstrap that
 * registers tsx's loader in the thread first (node 20 does not pass `--import` loaders on to workers).
 */
function startWorker(job: LoadWorkerJob): Worker {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new Worker(new URL("./load-worker-entry.js", here), { workerData: job });
  const api = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const entry = JSON.stringify(new URL("./load-worker-entry.ts", here).href);
  const code = `import(${api}).then((m) => { m.register(); return import(${entry}); });`;
  return new Worker(code, { eval: true, workerData: job });
}

/** Worker w's share of the concurrency: C split as evenly as it goes (every worker at least 1). */
export function workerConcurrency(concurrency: number, workers: number, w: number): number {
  return Math.max(1, Math.floor(concurrency / workers) + (w < concurrency % workers ? 1 : 0));
}

/**
 * Joins the workers' outcomes into one: the records of every worker by request index, the common start, the
 * last end; complete only when every worker was; unreachable when a worker stopped for want of a server.
 */
export function joinOutcomes(
  startNs: bigint,
  runs: readonly LoadOutcome<ServingOutcome>[],
): LoadOutcome<ServingOutcome> {
  const records: LoadRecord<ServingOutcome>[] = runs
    .flatMap((r) => r.records)
    .sort((a, b) => a.index - b.index);
  let end = startNs;
  for (const r of runs) if (r.end_ns > end) end = r.end_ns; // bigints: no Math.max
  const joined: LoadOutcome<ServingOutcome> = {
    records,
    start_ns: startNs,
    end_ns: end,
    complete: runs.every((r) => r.complete),
  };
  if (runs.some((r) => r.unreachable)) joined.unreachable = true;
  return joined;
}

/** A worker's capacity from its report. */
export function workerCapacity(report: WorkerReport): WorkerCapacity {
  const { records, end_ns } = report.run;
  let first = end_ns;
  for (const r of records) if (r.sent_ns < first) first = r.sent_ns; // bigints: no Math.min
  const spanS = Number(end_ns - first) / 1e9;
  let tokens = 0;
  for (const r of records) {
    const o = r.outcome;
    // usage's completion tokens, else one per text chunk (embeddings: none)
    if (o?.ok && "chunk_times_ns" in o) tokens += o.usage?.completion_tokens ?? o.chunk_times_ns.length;
  }
  return {
    worker: report.worker,
    requests: records.length,
    output_tokens_per_second: spanS > 0 ? tokens / spanS : 0,
    event_loop_delay_p99_ms: report.event_loop_delay_ms?.p99 ?? null,
    event_loop_utilization: report.event_loop_utilization,
  };
}

/** What runLoadInWorkers needs besides the jobs. */
export interface WorkersRun {
  workers: number;
  job: Omit<LoadWorkerJob, "worker" | "workers">;
  /** checked every 50 ms: true stops every worker (requests in flight aborted) */
  shouldStop?: () => boolean;
  onSettled?: (settled: number) => void;
}

/**
 * Runs the plan over `workers` threads and joins their records.
 * @throws EngineError when a worker fails to start, open its connections (within READY_TIMEOUT_MS) or run.
 */
export async function runLoadInWorkers(opts: WorkersRun): Promise<WorkersOutcome> {
  const threads: Worker[] = [];
  let settled = 0;
  const poll = setInterval(() => {
    if (opts.shouldStop?.()) for (const t of threads) t.postMessage({ type: "stop" });
  }, 50);
  try {
    const ready: Promise<number>[] = [];
    const done: Promise<WorkerReport>[] = [];
    for (let w = 0; w < opts.workers; w++) {
      const plan = {
        ...opts.job.plan,
        concurrency: workerConcurrency(opts.job.plan.concurrency, opts.workers, w),
      };
      const job: LoadWorkerJob = { ...opts.job, plan, worker: w, workers: opts.workers };
      const t = startWorker(job);
      threads.push(t);
      const life = watch(t, w, () => opts.onSettled?.(++settled));
      ready.push(life.ready);
      done.push(life.done);
    }
    const connections = (await withTimeout(Promise.all(ready), READY_TIMEOUT_MS)).reduce((a, b) => a + b, 0);
    const startNs = nowNs() + BigInt(START_AHEAD_MS * 1_000_000);
    for (const t of threads) t.postMessage({ type: "start", startNs });
    const reports = await Promise.all(done);
    return {
      run: joinOutcomes(
        startNs,
        reports.map((r) => r.run),
      ),
      connections,
      chunk_handling_ns: reports.flatMap((r) => r.chunk_handling_ns),
      capacity: reports.map(workerCapacity),
      event_loop_delay_ms: worstDelay(reports),
    };
  } finally {
    clearInterval(poll);
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

/** The event-loop delay of the worker with the highest p99; null when no worker sampled one. */
function worstDelay(reports: readonly WorkerReport[]): EventLoopDelayMs | null {
  let worst: EventLoopDelayMs | null = null;
  for (const r of reports) {
    const h = r.event_loop_delay_ms;
    if (h && (worst === null || h.p99 > worst.p99)) worst = h;
  }
  return worst;
}

/** A worker's readiness and its report, each rejecting with an EngineError when it fails or exits early. */
function watch(t: Worker, w: number, settled: () => void) {
  let onReady: (n: number) => void = () => {};
  let onDone: (r: WorkerReport) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const ready = new Promise<number>((res, rej) => {
    onReady = res;
    fail = rej;
  });
  const done = new Promise<WorkerReport>((res, rej) => {
    onDone = res;
    const prev = fail;
    fail = (e) => {
      prev(e);
      rej(e);
    };
  });
  // a rejection nobody awaits yet (the readiness failed first) is not unhandled
  done.catch(() => {});
  t.on("message", (m: WorkerToMain) => {
    if (m.type === "ready") onReady(m.connections);
    else if (m.type === "settled") settled();
    else if (m.type === "done") onDone(m.report);
    else fail(new EngineError(`load worker ${w}: ${m.message}`));
  });
  t.on("error", (err) => fail(new EngineError(`load worker ${w}: ${err.message}`)));
  t.on("exit", (code) => fail(new EngineError(`load worker ${w} exited (code ${code}) before its end`)));
  return { ready, done };
}

/** The promise, or an EngineError after `ms`. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new EngineError(`load workers not ready within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
