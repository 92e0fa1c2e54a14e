/**
 * Is the openai engine's client ever the bottleneck? Two measurements, servers in child processes on
 * 127.0.0.1 so that their work never runs on the client's event loop:
 *
 * 1. Client overhead per chunk at --streams concurrent streams: the loopback server (src/serve, node:http,
 *    SSE) stamps every token it writes with process.hrtime.bigint() (CLOCK_MONOTONIC, shared by processes on
 *    Linux) as the token's text; the client under test (OpenAiClient.generate driven by runLoad, the code of
 *    the measured phase) timestamps each chunk when it reads it. arrival - stamp = loopback transit + the
 *    time the chunk waited for the client's event loop: an upper bound of the client's overhead per chunk.
 *    Two backends: the real llama engine on the default dummy model (real tokens), and a synthetic one that
 *    streams faster than any CPU model here, to load the client harder.
 * 2. Embedding requests/s against a server that answers instantly (a fixed body): the tool's measured phase
 *    (bench/lib/capture.ts: runServingBenchmark, discovery and result included, calls_per_second as the result
 *    reports it) vs a
 *    minimal raw `fetch` loop at the same concurrency, interleaved block by block, ratio of medians; and, for
 *    context, a minimal raw node:http loop (the floor under any node:http client).
 *
 * Usage: npx tsx bench/openai-client-overhead.ts [--streams 64] [--tokens 32] [--requests 2000] [--blocks 5]
 *   [--concurrency 1,16] [--parallel 4] [--pin]
 * --pin (Linux, taskset): the client on CPU 0 and the servers on CPU 1, so that the server's decoding does
 * not compete with the client for a core (other processes on the machine still may).
 * Prints one JSON document on stdout; a summary on stderr. Targets: p99 < 1 ms per chunk; ratio >= 0.9.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { runLoad } from "../src/measure/load.js";
import { OutcomeColumns } from "../src/measure/outcome-columns.js";
import type { ServingOutcome } from "../src/measure/requests.js";
import type { ServeBackend } from "../src/serve/backend.js";
import { median, percentile } from "../src/stats/index.js";
import { GENERATION_PROMPT } from "../src/workload/workload.js";
import { boolOpt, choiceOpt, decimalOpt, intItem, intOpt, listOpt, parseScript } from "./lib/args.js";
import { captureServingEmbeddings } from "./lib/capture.js";
import { completionRequest, toolClient } from "./lib/zero-compute.js";

const CHILDREN = ["stamped-llama", "stamped-synthetic", "instant-embeddings"] as const;
const { values: args } = parseScript(
  {
    name: "bench/openai-client-overhead.ts",
    summary:
      "Is the openai engine's client ever the bottleneck? Chunk arrival lag, and embedding requests/s.",
    usage: "npx tsx bench/openai-client-overhead.ts [options]",
  },
  {
    child: choiceOpt("(internal: run one of the servers)", CHILDREN),
    streams: intOpt("concurrent streams of the chunk measurement", 64),
    tokens: intOpt("tokens per stream", 32),
    requests: intOpt("embedding requests per block", 2000),
    blocks: intOpt("embedding blocks (the three arms each)", 5),
    concurrency: listOpt("embedding concurrencies, one row each", "1,16", intItem(1, 100_000)),
    parallel: intOpt("the llama server's parallel slots", 4),
    "token-interval-ms": decimalOpt("the synthetic server's pause between tokens, ms", 5, 0, 60_000),
    pin: boolOpt("Linux, taskset: the client on CPU 0, the servers on CPU 1"),
  },
);

const now = () => process.hrtime.bigint();

/**
 * The main thread's scheduler counters (Linux /proc/self/schedstat): ns on a CPU, ns runnable but waiting for
 * one. A chunk that arrives while the client waits on the run queue is timestamped late through no work of
 * the client's: the wait shows how much of the lag is the machine's, not the client's.
 */
function schedstat(): { on_cpu_ns: number; runqueue_wait_ns: number } | null {
  try {
    const [run, wait] = readFileSync("/proc/self/schedstat", "utf8").split(" ").map(Number);
    return { on_cpu_ns: run ?? 0, runqueue_wait_ns: wait ?? 0 };
  } catch {
    return null;
  }
}
const log = (line: string) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------- child processes: the servers

/** A server that answers every /v1/embeddings at once with the same body (2 vectors of 288 floats). */
function instantEmbeddingsServer(): void {
  const vector = Array.from({ length: 288 }, (_, i) => Math.sin(i) / 3);
  const body = JSON.stringify({
    object: "list",
    data: [0, 1].map((index) => ({ object: "embedding", index, embedding: vector })),
    model: "instant",
    usage: { prompt_tokens: 30, total_tokens: 30 },
  });
  const models = JSON.stringify({
    object: "list",
    data: [{ id: "instant", object: "model", owned_by: "bench" }],
  });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const text = req.url === "/v1/models" ? models : body;
      res.writeHead(req.url === "/v1/models" || req.url === "/v1/embeddings" ? 200 : 404, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as { port: number }).port;
    process.stdout.write(`http://127.0.0.1:${port}/v1\n`);
  });
}

/** Writes a token whose text is the clock when it was written ("@<ns>"). */
const stamp = (onToken: (t: string) => void) => () => onToken(`@${process.hrtime.bigint()}`);

/** The llama engine on the default dummy model, every token's text replaced by its stamp. */
async function stampedLlamaBackend(): Promise<ServeBackend> {
  const { resolveModel } = await import("../src/models/resolve.js");
  const { createLlamaServeBackend } = await import("../src/serve/llama-backend.js");
  const { DEFAULT_MODEL_SEED, DEFAULT_PRESET } = await import("../src/models/presets.js");
  const model = resolveModel({ preset: DEFAULT_PRESET, seed: DEFAULT_MODEL_SEED });
  const real = await createLlamaServeBackend({
    model,
    modelName: "m",
    parallel: args.parallel,
    log: () => {},
  });
  return {
    modelName: real.modelName,
    meta: real.meta,
    versions: real.versions,
    contextSize: real.contextSize,
    countTokens: (t) => real.countTokens(t),
    embed: (t) => real.embed(t),
    dispose: () => real.dispose(),
    generate: (p, l, onToken, s) => real.generate(p, l, (_text) => stamp(onToken)(), s),
  };
}

/** A backend that streams a stamped token every --token-interval-ms per stream, faster than any CPU model. */
function syntheticBackend(): ServeBackend {
  const interval = args["token-interval-ms"];
  return {
    modelName: "m",
    meta: {
      architecture: null,
      n_params: null,
      size: null,
      n_ctx_train: null,
      n_embd: null,
      n_layer: null,
      n_vocab: null,
      quantization: null,
      dummy: true,
      preset: null,
    },
    versions: { synthetic: "1" },
    contextSize: 4096,
    countTokens: (t) => t.length,
    embed: async () => ({ vectors: [], prompt_tokens: 0 }),
    dispose: async () => {},
    generate: async (_p, l, onToken, signal) => {
      for (let i = 0; i < l.max_tokens && !signal.aborted; i++) {
        await new Promise((r) => setTimeout(r, interval));
        stamp(onToken)();
      }
      return { prompt_tokens: 8, completion_tokens: l.max_tokens, finish_reason: "length" };
    },
  };
}

/** Runs one server in this (child) process and prints its base URL on stdout. */
async function childServer(kind: (typeof CHILDREN)[number]): Promise<void> {
  if (kind === "instant-embeddings") return instantEmbeddingsServer();
  const { startServer } = await import("../src/serve/server.js");
  const backend = kind === "stamped-llama" ? await stampedLlamaBackend() : syntheticBackend();
  const running = await startServer(backend, 0);
  process.stdout.write(`${running.baseUrl}\n`);
}

function startChild(kind: string): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const nodeArgs = [
      "--import",
      "tsx",
      import.meta.filename,
      "--child",
      kind,
      "--parallel",
      String(args.parallel),
      "--token-interval-ms",
      String(args["token-interval-ms"]),
    ];
    // --pin: the server on CPU 1, this client on CPU 0 (as with a client machine apart from the server)
    const child = spawn(
      args.pin ? "taskset" : process.execPath,
      args.pin ? ["-c", "1", process.execPath, ...nodeArgs] : nodeArgs,
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`child ${kind} did not start`));
    }, 60_000);
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("\n")) {
        clearTimeout(timer);
        resolve({ url: out.split("\n")[0] as string, child });
      }
    });
  });
}

// ---------------------------------------------------------------- 1. client overhead per chunk

async function chunkOverhead(url: string, label: string) {
  const streams = args.streams;
  const tokens = args.tokens;
  const client = toolClient(url);
  const request = completionRequest(tokens, GENERATION_PROMPT);
  const send = (_i: number, signal: AbortSignal) => client.generate(request, signal);
  // warmup: sockets and JIT
  await runLoad({ concurrency: streams, requestRate: null, numRequests: streams, durationS: null }, send);
  client.overhead.reset();
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  const sched0 = schedstat();
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const run = await runLoad<ServingOutcome>(
    // the records kept as a serving run keeps them (src/measure/outcome-columns.ts)
    {
      concurrency: streams,
      requestRate: null,
      numRequests: streams * 2,
      durationS: null,
      keeper: new OutcomeColumns(),
    },
    send,
  );
  const wall = Number(now() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const sched1 = schedstat();
  eld.disable();
  client.close();
  const lags: number[] = [];
  let failed = 0;
  for (const r of run.records) {
    const o = r.outcome;
    if (!o?.ok || !("text" in o)) {
      failed++;
      continue;
    }
    const stamps = o.text
      .split("@")
      .filter((s) => s !== "")
      .map((s) => BigInt(s));
    if (stamps.length !== o.chunk_times_ns.length) throw new Error(`${label}: a chunk held several stamps`);
    for (const [i, s] of stamps.entries()) lags.push(Number((o.chunk_times_ns[i] as bigint) - s) / 1e6);
  }
  const handling = client.overhead.samples().map((x) => x / 1e6);
  const figures = {
    server: label,
    streams,
    requests: run.records.length,
    failed,
    chunks: lags.length,
    chunks_per_second: lags.length / wall,
    arrival_lag_ms: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: Math.max(...lags) },
    chunk_handling_ms: { p50: percentile(handling, 50), p99: percentile(handling, 99) },
    event_loop_delay_ms: {
      p50: Math.max(0, eld.percentile(50) / 1e6 - 1),
      p99: Math.max(0, eld.percentile(99) / 1e6 - 1),
    },
    wall_s: wall,
    /** client process CPU (all threads) per chunk, in microseconds: what the client costs */
    client_cpu_us_per_chunk: (cpu.user + cpu.system) / Math.max(1, lags.length),
    /** client process CPU (all threads) over wall time, percent of one core */
    client_cpu_percent: ((cpu.user + cpu.system) / 1e6 / wall) * 100,
    /** the main thread's time runnable but not running during the measurement (Linux), in ms */
    main_thread_runqueue_wait_ms:
      sched0 && sched1 ? (sched1.runqueue_wait_ns - sched0.runqueue_wait_ns) / 1e6 : null,
    main_thread_on_cpu_ms: sched0 && sched1 ? (sched1.on_cpu_ns - sched0.on_cpu_ns) / 1e6 : null,
  };
  log(
    `${label}: ${figures.chunks} chunks (${figures.chunks_per_second.toFixed(0)}/s) over ${streams} streams: ` +
      `arrival lag p50 ${figures.arrival_lag_ms.p50.toFixed(3)} ms, p99 ${figures.arrival_lag_ms.p99.toFixed(3)} ms, ` +
      `handling p99 ${figures.chunk_handling_ms.p99.toFixed(3)} ms, client CPU ${figures.client_cpu_percent.toFixed(0)} % of a core, ` +
      `main thread on CPU ${figures.main_thread_on_cpu_ms?.toFixed(0)} ms, waiting for a CPU ${figures.main_thread_runqueue_wait_ms?.toFixed(0)} ms in ${wall.toFixed(2)} s`,
  );
  return figures;
}

// ---------------------------------------------------------------- 2. embedding requests/s vs raw fetch

/** Runs `once` n times over `concurrency` workers, then `finish` (clock still running); returns calls per second. */
async function workerPool(
  concurrency: number,
  n: number,
  once: () => Promise<void>,
  finish: () => void = () => {},
): Promise<number> {
  let next = 0;
  const t0 = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        await once();
      }
    }),
  );
  finish();
  return n / (Number(now() - t0) / 1e9);
}

async function rawFetchLoop(url: string, concurrency: number, n: number): Promise<number> {
  const body = JSON.stringify({ model: "instant", input: ["a", "b"], encoding_format: "float" });
  return workerPool(concurrency, n, async () => {
    const res = await fetch(`${url}/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    await res.json();
  });
}

/** For context: a minimal node:http loop (keep-alive agent, JSON.parse), the floor under any node:http client. */
async function rawHttpLoop(url: string, concurrency: number, n: number): Promise<number> {
  const body = JSON.stringify({ model: "instant", input: ["a", "b"], encoding_format: "float" });
  const agent = new http.Agent({ keepAlive: true });
  const target = new URL(`${url}/embeddings`);
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        target,
        {
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => {
            JSON.parse(text);
            resolve();
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  return workerPool(concurrency, n, once, () => agent.destroy());
}

async function toolRun(url: string, concurrency: number, n: number): Promise<number> {
  const r = await captureServingEmbeddings({
    baseUrl: url,
    model: "instant",
    concurrency,
    numRequests: n,
    batchSize: 2,
    command: "bench",
  });
  if (r.serving?.requests.failed) throw new Error("embedding requests failed");
  return r.calls_per_second;
}

async function embeddingThroughput(url: string) {
  const n = args.requests;
  const blocks = args.blocks;
  const out = [];
  for (const c of args.concurrency) {
    await rawFetchLoop(url, c, Math.min(n, 300)); // warm both paths
    await toolRun(url, c, Math.min(n, 300));
    await rawHttpLoop(url, c, Math.min(n, 300));
    const tool: number[] = [];
    const raw: number[] = [];
    const rawHttp: number[] = [];
    const ratios: number[] = [];
    for (let b = 0; b < blocks; b++) {
      // the order of the three arms rotates from block to block
      const arms = [
        async () => tool.push(await toolRun(url, c, n)),
        async () => raw.push(await rawFetchLoop(url, c, n)),
        async () => rawHttp.push(await rawHttpLoop(url, c, n)),
      ];
      for (let k = 0; k < arms.length; k++) await (arms[(b + k) % arms.length] as () => Promise<number>)();
      ratios.push((tool[b] as number) / (raw[b] as number));
    }
    const figures = {
      concurrency: c,
      requests_per_block: n,
      tool_calls_per_second: median(tool),
      raw_fetch_calls_per_second: median(raw),
      ratio_of_medians: median(tool) / median(raw),
      paired_ratio_median: median(ratios),
      paired_ratios: ratios,
      raw_http_calls_per_second: median(rawHttp),
      ratio_to_raw_http: median(tool) / median(rawHttp),
    };
    log(
      `embeddings at concurrency ${c}: tool ${figures.tool_calls_per_second.toFixed(0)}/s, raw fetch ${figures.raw_fetch_calls_per_second.toFixed(0)}/s, ratio ${figures.ratio_of_medians.toFixed(3)} (paired median ${figures.paired_ratio_median.toFixed(3)}); raw node:http ${figures.raw_http_calls_per_second.toFixed(0)}/s (tool/raw http ${figures.ratio_to_raw_http.toFixed(3)})`,
    );
    out.push(figures);
  }
  return out;
}

// ---------------------------------------------------------------- main

async function main() {
  if (args.child) return childServer(args.child);
  if (args.pin) execFileSync("taskset", ["-cp", "0", String(process.pid)], { stdio: "ignore" });
  const load0 = loadavg();
  const children: ChildProcess[] = [];
  try {
    const llama = await startChild("stamped-llama");
    children.push(llama.child);
    const real = await chunkOverhead(llama.url, "llama (dummy model)");
    llama.child.kill("SIGTERM");
    const synthetic = await startChild("stamped-synthetic");
    children.push(synthetic.child);
    const fast = await chunkOverhead(
      synthetic.url,
      `synthetic (a token every ${args["token-interval-ms"]} ms per stream)`,
    );
    synthetic.child.kill("SIGTERM");
    const instant = await startChild("instant-embeddings");
    children.push(instant.child);
    const embeddings = await embeddingThroughput(instant.url);
    const report = {
      node: process.versions.node,
      load_average_before: load0,
      load_average_after: loadavg(),
      chunk_overhead: [real, fast],
      embeddings,
      targets: {
        chunk_arrival_lag_p99_below_1ms: [real, fast].map((f) => f.arrival_lag_ms.p99 < 1),
        embedding_ratio_at_least_0_9: embeddings.map((e) => e.ratio_of_medians >= 0.9),
      },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  }
}

await main();
