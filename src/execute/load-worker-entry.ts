/**
 * The entry of one load worker thread (./load-workers.ts starts it): its own client (its own keep-alive
 * sockets), its share of the run's one seeded schedule (request i when i mod N = w, src/measure/shard.ts),
 * from the common start the main thread sends. It posts "ready" once its connections are open, "settled"
 * as each request settles, and "done" with its raw per-request records, its chunk-handling samples and its
 * event-loop delay. Records are plain data (bigints clone across threads).
 */
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { type GenerationRequest, OpenAiClient } from "../engines/openai/client.js";
import { watchEventLoopDelay } from "../measure/event-loop-delay.js";
import { runLoad } from "../measure/load.js";
import { OutcomeColumns } from "../measure/outcome-columns.js";
import { connectionRefused, type ServingOutcome } from "../measure/requests.js";
import type { LoadWorkerJob, WorkerReport, WorkerToMain } from "./load-workers.js";

const port = parentPort;
if (port === null) throw new Error("load-worker-entry.ts runs only as a worker thread");
const job = workerData as LoadWorkerJob;
const post = (m: WorkerToMain) => port.postMessage(m);

const client = new OpenAiClient({
  baseUrl: new URL(job.client.baseUrl),
  apiKey: job.client.apiKey,
  timeouts: job.client.timeouts,
  ...(job.client.ca === undefined ? {} : { ca: job.client.ca }),
});
let stopped = false;

/** One request by its global index. */
function send(i: number, signal: AbortSignal): Promise<ServingOutcome> {
  const r = job.requests;
  if (r.kind === "generation") return client.generate(r.list[i % r.list.length] as GenerationRequest, signal);
  return client.embed(r.model, r.inputs, signal, r.omit);
}

/** Runs the share from `startNs` and posts its records. */
async function runShare(startNs: bigint): Promise<void> {
  // the delay and utilisation figures start at the common start (runLoad itself sends nothing before it)
  const leftMs = Number(startNs - process.hrtime.bigint()) / 1e6;
  if (leftMs > 0) await new Promise((resolve) => setTimeout(resolve, leftMs));
  const eld = watchEventLoopDelay();
  const elu0 = performance.eventLoopUtilization();
  const run = await runLoad(
    {
      ...job.plan,
      startNs,
      shard: { index: job.worker, count: job.workers },
      shouldStop: () => stopped,
      onSettled: () => post({ type: "settled" }),
      unreachable: connectionRefused,
      keeper: new OutcomeColumns(),
    },
    send,
  );
  const histogram = eld.stop();
  const utilization = performance.eventLoopUtilization(elu0).utilization;
  const report: WorkerReport = {
    worker: job.worker,
    run,
    chunk_handling_ns: [...client.overhead.samples()],
    event_loop_delay_ms: histogram,
    event_loop_utilization: utilization,
  };
  post({ type: "done", report });
  client.close();
}

port.on("message", (m: { type: "start"; startNs: bigint } | { type: "stop" }) => {
  if (m.type === "stop") stopped = true;
  else runShare(m.startNs).catch((err: unknown) => post({ type: "error", message: (err as Error).message }));
});

client
  .openConnections(job.plan.concurrency, job.openAheadMs)
  .then((ready) => post({ type: "ready", connections: ready }))
  .catch((err: unknown) => post({ type: "error", message: (err as Error).message }));
