/**
 * The client's roofline (issue 27, items 1 and 3): how many streamed tokens per second the tool's load loop
 * reads against a zero-compute SSE server, next to a minimal node:http streaming client that JSON-parses each
 * chunk too. The server runs in a child process (with --pin on CPU 1, the clients on CPU 0); every request
 * streams --tokens one-token chunks, each chunk its own write, no compute between them.
 *
 * Throughput mode (default): for each --concurrency, --pairs interleaved pairs (ABAB: the tool, then the
 * minimal client, each --requests requests); prints tokens/s of both (medians), the ratio tool/minimal with a
 * bootstrap interval (src/stats/inference.ts bootstrapRatioCi), each arm's event-loop delay p99 and the load
 * average before and after. Target (issue 27): ratio >= 0.95 at 64 and 256.
 * Poisson mode (--poisson): --rate requests/s planned (Poisson, seed 0) for --seconds through the tool's load
 * loop, after --warmup-seconds of arrivals at the head of the same schedule (as a serving run warms up:
 * src/measure/load.ts WarmupPlan); prints the lag behind the plan (sent - planned) p50/p99 in ms and
 * the achieved/planned rate, and the arrivals more than 1 ms late by what the main thread was doing (a GC pause
 * of which kind, or none) and by second of the run.
 * Targets: p99 lag <= 1 ms, achieved/planned >= 0.99.
 *
 * Usage: npx tsx bench/client-roofline.ts [--concurrency 64,256] [--pairs 5] [--requests 2000] [--pin | --pin-server]
 *        npx tsx bench/client-roofline.ts --poisson [--rate 1000] [--seconds 10] [--warmup-seconds 3]
 * Prints one JSON document on stdout, a summary on stderr. A measurement: run it alone on the machine.
 */
import http from "node:http";
import { loadavg } from "node:os";
import { constants, monitorEventLoopDelay, PerformanceObserver, performance } from "node:perf_hooks";
import type { OpenAiClient } from "../src/engines/openai/client.js";
import { runLoad } from "../src/measure/load.js";
import { OutcomeColumns } from "../src/measure/outcome-columns.js";
import type { ServingOutcome } from "../src/measure/requests.js";
import { median, percentile } from "../src/stats/index.js";
import { bootstrapRatioCi } from "../src/stats/inference.js";
import { boolOpt, decimalOpt, intItem, intOpt, listOpt, parseScript } from "./lib/args.js";
import {
  completionRequest,
  loops,
  minimalRequest,
  pinClientToCpu0,
  serveZeroCompute,
  startZeroComputeServer,
  toolClient,
} from "./lib/zero-compute.js";

const { values: args } = parseScript(
  {
    name: "bench/client-roofline.ts",
    summary:
      "The client's roofline: tokens/s of the tool's load loop vs a minimal node:http client against a zero-compute SSE server; or the lag behind a planned Poisson rate.",
    usage: "npx tsx bench/client-roofline.ts [options]",
  },
  {
    child: boolOpt("(internal: run the zero-compute server)"),
    concurrency: listOpt("concurrencies, one row each", "64,256", intItem(1, 100_000)),
    pairs: intOpt("interleaved pairs (tool, minimal) per concurrency", 5, { max: 1000 }),
    requests: intOpt("requests per arm of a pair", 2000, { max: 10_000_000 }),
    tokens: intOpt("one-token chunks per request", 64, { max: 100_000 }),
    poisson: boolOpt("Poisson mode: the lag behind a planned rate instead of the throughput"),
    rate: decimalOpt("Poisson mode: planned requests/s", 1000, 1, 1_000_000),
    seconds: decimalOpt("Poisson mode: planned seconds of arrivals", 10, 0.1, 3600),
    "warmup-seconds": decimalOpt(
      "Poisson mode: seconds of the same plan run before the measured one",
      3,
      0,
      600,
    ),
    pin: boolOpt("Linux, taskset: the clients on CPU 0, the server on CPU 1"),
    "pin-server": boolOpt("Linux, taskset: the server on CPU 1, the clients' threads free to use both cores"),
  },
);
const log = (line: string) => process.stderr.write(`${line}\n`);
const now = () => process.hrtime.bigint();

// ---------------------------------------------------------------- the two clients

/** One arm's figures: tokens/s over the arm's wall time and the event-loop delay p99 (ms). */
interface Arm {
  tokens_per_s: number;
  eld_p99_ms: number;
}

/** Runs `body` with the event-loop delay monitored; tokens/s = its returned tokens over its wall time. */
async function measured(body: () => Promise<number>): Promise<Arm> {
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  const t0 = now();
  const tokens = await body();
  const s = Number(now() - t0) / 1e9;
  eld.disable();
  return { tokens_per_s: tokens / s, eld_p99_ms: Math.max(0, eld.percentile(99) / 1e6 - 1) };
}

/** The tool: OpenAiClient.generate driven by runLoad, as the measured phase of a serving run. */
function toolArm(client: OpenAiClient, concurrency: number, requests: number): Promise<Arm> {
  const request = completionRequest(args.tokens);
  return measured(async () => {
    const run = await runLoad<ServingOutcome>(
      {
        concurrency,
        requestRate: null,
        numRequests: requests,
        durationS: null,
        keeper: new OutcomeColumns(),
      },
      (_i, signal) => client.generate(request, signal),
    );
    let tokens = 0;
    for (const r of run.records)
      if (r.outcome?.ok && "usage" in r.outcome) tokens += r.outcome.usage?.completion_tokens ?? 0;
    return tokens;
  });
}

/** The minimal node:http streaming client (bench/lib/zero-compute.ts) in `concurrency` loops. */
function minimalArm(agent: http.Agent, url: URL, concurrency: number, requests: number): Promise<Arm> {
  const one = minimalRequest(url, agent, args.tokens);
  return measured(() => loops(one, concurrency, requests));
}

// ---------------------------------------------------------------- the two modes

async function throughput(url: string) {
  const rows = [];
  for (const c of args.concurrency) {
    const client = toolClient(url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: c });
    const completions = new URL(`${url}/completions`);
    // warmup: sockets and JIT, both arms
    await toolArm(client, c, c);
    await minimalArm(agent, completions, c, c);
    const tool: Arm[] = [];
    const minimal: Arm[] = [];
    const load_before = loadavg();
    for (let p = 0; p < args.pairs; p++) {
      tool.push(await toolArm(client, c, args.requests));
      minimal.push(await minimalArm(agent, completions, c, args.requests));
    }
    const load_after = loadavg();
    client.close();
    agent.destroy();
    const ci = bootstrapRatioCi(
      minimal.map((a) => a.tokens_per_s),
      tool.map((a) => a.tokens_per_s),
    );
    const row = {
      concurrency: c,
      tool_tokens_per_s: median(tool.map((a) => a.tokens_per_s)),
      minimal_tokens_per_s: median(minimal.map((a) => a.tokens_per_s)),
      ratio: ci.ratio,
      ratio_ci95: [ci.low, ci.high],
      tool_eld_p99_ms: median(tool.map((a) => a.eld_p99_ms)),
      minimal_eld_p99_ms: median(minimal.map((a) => a.eld_p99_ms)),
      load_before,
      load_after,
      pairs: { tool, minimal },
    };
    log(
      `concurrency ${c}: tool ${row.tool_tokens_per_s.toFixed(0)} tokens/s, minimal ${row.minimal_tokens_per_s.toFixed(0)} tokens/s, ratio ${ci.ratio.toFixed(3)} [${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}], event-loop delay p99 ${row.tool_eld_p99_ms.toFixed(1)} / ${row.minimal_eld_p99_ms.toFixed(1)} ms, load ${load_before[0]?.toFixed(2)} -> ${load_after[0]?.toFixed(2)}`,
    );
    rows.push(row);
  }
  return { mode: "throughput", tokens_per_request: args.tokens, requests_per_arm: args.requests, rows };
}

/** A GC pause of the main thread: start and end (performance.now() ms) and its kind (perf_hooks constants). */
interface GcPause {
  start: number;
  end: number;
  kind: number;
}

/** Records the main thread's GC pauses from now on; the returned function stops and gives them. */
function watchGc(): () => GcPause[] {
  const pauses: GcPause[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      pauses.push({
        start: e.startTime,
        end: e.startTime + e.duration,
        kind: ((e as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind ?? 0,
      });
  });
  observer.observe({ entryTypes: ["gc"] });
  return () => {
    observer.disconnect();
    return pauses;
  };
}

/**
 * The arrivals sent more than 1 ms after their planned time, by what the main thread was doing meanwhile: a GC
 * pause that overlaps [planned, sent] (a scavenge, or a mark-compact or its incremental marking), or none; and
 * how many fell in each second of the run.
 */
function lateAnatomy(
  late: ReadonlyArray<{ planned: number; sent: number }>,
  pauses: readonly GcPause[],
  t0: number,
) {
  const byCause = { scavenge: 0, mark_compact: 0, other_gc: 0, outside_gc: 0 };
  const perSecond: number[] = [];
  for (const x of late) {
    const g = pauses.find((p) => p.start <= x.sent && p.end >= x.planned);
    if (!g) byCause.outside_gc++;
    else if (g.kind === constants.NODE_PERFORMANCE_GC_MINOR) byCause.scavenge++;
    else if (
      g.kind === constants.NODE_PERFORMANCE_GC_MAJOR ||
      g.kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL
    )
      byCause.mark_compact++;
    else byCause.other_gc++;
    const second = Math.max(0, Math.floor((x.planned - t0) / 1000));
    perSecond[second] = (perSecond[second] ?? 0) + 1;
  }
  const kind = (k: number) => pauses.filter((p) => p.kind === k);
  const total = (ps: GcPause[]) => ps.reduce((a, p) => a + p.end - p.start, 0);
  const minor = kind(constants.NODE_PERFORMANCE_GC_MINOR);
  const major = kind(constants.NODE_PERFORMANCE_GC_MAJOR);
  return {
    count: late.length,
    by_cause: byCause,
    per_second: Array.from(perSecond, (n) => n ?? 0),
    gc: {
      scavenges: minor.length,
      scavenge_ms: total(minor),
      mark_compacts: major.length,
      mark_compact_ms: total(major),
    },
  };
}

async function poisson(url: string) {
  const client = toolClient(url);
  const request = completionRequest(args.tokens);
  const send = (_i: number, signal: AbortSignal): Promise<ServingOutcome> => client.generate(request, signal);
  const n = Math.max(1, Math.round(args.rate * args.seconds));
  const concurrency = 10_000;
  // the records kept as a serving run keeps them (src/measure/outcome-columns.ts)
  const plan = (numRequests: number) => ({
    concurrency,
    requestRate: args.rate,
    numRequests,
    durationS: null,
    keeper: new OutcomeColumns(),
  });
  await runLoad({ concurrency: 64, requestRate: null, numRequests: 64, durationS: null }, send);
  // the warmup at the head of the measured run's schedule, as a serving run has it (src/measure/load.ts
  // WarmupPlan); what is watched starts with the measured requests
  const load_before = loadavg();
  const eld = monitorEventLoopDelay({ resolution: 1 });
  let gcPauses: () => GcPause[] = () => [];
  // the two clocks read together: ns (the records) to performance.now() ms (the GC entries)
  let t0Ms = performance.now();
  let t0Ns = now();
  const onMeasuredStart = () => {
    eld.enable();
    gcPauses = watchGc();
    t0Ms = performance.now();
    t0Ns = now();
  };
  const warmup = { requests: Math.round(args.rate * args["warmup-seconds"]), send, onMeasuredStart };
  const run = await runLoad({ ...plan(n), warmup }, send);
  const pauses = gcPauses();
  eld.disable();
  const load_after = loadavg();
  client.close();
  const lagMs = run.records.map((r) => Number(r.sent_ns - run.start_ns - (r.planned_offset_ns ?? 0n)) / 1e6);
  const msOf = (ns: bigint) => t0Ms + Number(ns - t0Ns) / 1e6;
  const late = run.records
    .map((r, i) => ({ planned: msOf(run.start_ns + (r.planned_offset_ns ?? 0n)), lag: lagMs[i] as number }))
    .filter((x) => x.lag > 1)
    .map((x) => ({ planned: x.planned, sent: x.planned + x.lag }));
  const lastPlannedS = Number(run.records.at(-1)?.planned_offset_ns ?? 0n) / 1e9;
  const lastSentS = Number((run.records.at(-1)?.sent_ns ?? run.start_ns) - run.start_ns) / 1e9;
  const out = {
    mode: "poisson",
    planned_rate: args.rate,
    requests: n,
    warmup_requests: warmup.requests,
    lag_ms: { p50: percentile(lagMs, 50), p99: percentile(lagMs, 99), max: Math.max(...lagMs) },
    // the same requests over the time they took to send against the time the plan gave them
    achieved_over_planned: lastSentS > 0 ? lastPlannedS / lastSentS : 1,
    failed: run.records.filter((r) => !r.outcome?.ok).length,
    eld_p99_ms: Math.max(0, eld.percentile(99) / 1e6 - 1),
    late_over_1ms: lateAnatomy(late, pauses, msOf(run.start_ns)),
    load_before,
    load_after,
  };
  log(
    `Poisson ${args.rate} requests/s: lag behind the plan p50 ${out.lag_ms.p50.toFixed(3)} ms, p99 ${out.lag_ms.p99.toFixed(3)} ms; achieved/planned ${out.achieved_over_planned.toFixed(4)}; ${out.failed} failed`,
  );
  return out;
}

async function main(): Promise<void> {
  if (args.child) return serveZeroCompute(args.tokens);
  // --pin: this process (the clients) on CPU 0, as with a client machine apart from the server
  if (args.pin) pinClientToCpu0();
  const { url, stop } = await startZeroComputeServer(args.tokens, args.pin || args["pin-server"]);
  try {
    const out = args.poisson ? await poisson(url) : await throughput(url);
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    stop();
  }
}

await main();
