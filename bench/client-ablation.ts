/**
 * Where the client's time goes against the zero-compute server of bench/client-roofline.ts: interleaved arms that
 * add the tool's layers one at a time to a minimal node:http streaming client (issue 27, notes/openai-performance.md).
 *
 * Arms (each --requests requests of --tokens one-token chunks at --concurrency, tokens/s over the arm's wall time):
 *   minimal      the minimal client's request function (split on blank lines, JSON.parse each event) in C loops
 *   min-undici   the same reading over undici's dispatcher, the tool's transport (bench/lib/zero-compute.ts)
 *   min-load     the same function driven by the tool's load loop (src/measure/load.ts runLoad)
 *   exchange     the tool's exchange layer (src/engines/openai/http.ts) with a sink that only splits and parses
 *   generate     OpenAiClient.generate (the whole client: SSE parser, records, outcome) in C loops
 *   tool         OpenAiClient.generate driven by runLoad, as a serving run does
 * Prints, per arm, the median tokens/s of --pairs rounds and its ratio to the minimal arm's median.
 *
 * Usage: npx tsx bench/client-ablation.ts [--concurrency 64] [--pairs 8] [--requests 1000] [--tokens 64] [--pin]
 * A measurement: run it alone on the machine (with --pin: this process on CPU 0, the server on CPU 1).
 */
import http from "node:http";
import { loadavg } from "node:os";
import { Connections, exchange } from "../src/engines/openai/http.js";
import { DEFAULT_TIMEOUTS } from "../src/engines/openai/options.js";
import { runLoad } from "../src/measure/load.js";
import { median } from "../src/stats/index.js";
import { boolOpt, intOpt, parseScript } from "./lib/args.js";
import {
  completionRequest,
  countTextEvents,
  loops,
  minimalRequest,
  minimalUndiciRequest,
  pinClientToCpu0,
  startZeroComputeServer,
  toolClient,
} from "./lib/zero-compute.js";

const { values: args } = parseScript(
  {
    name: "bench/client-ablation.ts",
    summary:
      "The client's layers one at a time against a zero-compute SSE server, as ratios to a minimal client.",
    usage: "npx tsx bench/client-ablation.ts [options]",
  },
  {
    concurrency: intOpt("requests in flight", 64, { max: 10_000 }),
    pairs: intOpt("rounds of every arm, interleaved", 8, { max: 1000 }),
    requests: intOpt("requests per arm per round", 1000, { max: 1_000_000 }),
    tokens: intOpt("one-token chunks per request", 64, { max: 100_000 }),
    pin: boolOpt("Linux, taskset: this process on CPU 0, the server on CPU 1"),
  },
);
const C = args.concurrency;

/** One request's function per layer; each resolves with the text chunks it read. */
function requestFunctions(base: string) {
  const url = new URL(`${base}/completions`);
  const body = JSON.stringify({ model: "m", prompt: "x", max_tokens: args.tokens, stream: true });
  const minimal = minimalRequest(url, new http.Agent({ keepAlive: true, maxSockets: C }), args.tokens);
  const minimalUndici = minimalUndiciRequest(url, C, args.tokens);
  const connections = new Connections(url);
  const headers = { "content-type": "application/json" };
  const viaExchange = async () => {
    const b = { pending: "", texts: 0 };
    const sink = {
      onData: (d: string) => {
        countTextEvents(b, d);
        return undefined;
      },
    };
    const r = await exchange(
      { method: "POST", url, headers, body, timeouts: DEFAULT_TIMEOUTS, connections, redact: (t) => t },
      sink,
    );
    return r.ok ? b.texts : 0;
  };
  const client = toolClient(base);
  const request = completionRequest(args.tokens);
  const generate = async () => {
    const r = await client.generate(request);
    return r.ok ? r.chunk_times_ns.length : 0;
  };
  return { minimal, minimalUndici, viaExchange, generate };
}

/** `one` driven by runLoad at concurrency C; resolves with the chunks read. */
async function viaLoad(one: () => Promise<number>): Promise<number> {
  let total = 0;
  const plan = { concurrency: C, requestRate: null, numRequests: args.requests, durationS: null };
  await runLoad(plan, async () => {
    const n = await one();
    total += n;
    return null;
  });
  return total;
}

async function main(): Promise<void> {
  if (args.pin) pinClientToCpu0();
  const server = await startZeroComputeServer(args.tokens, args.pin);
  try {
    const f = requestFunctions(server.url);
    const arms: Record<string, () => Promise<number>> = {
      minimal: () => loops(f.minimal, C, args.requests),
      "min-undici": () => loops(f.minimalUndici, C, args.requests),
      "min-load": () => viaLoad(f.minimal),
      exchange: () => loops(f.viaExchange, C, args.requests),
      generate: () => loops(f.generate, C, args.requests),
      tool: () => viaLoad(f.generate),
    };
    const rates: Record<string, number[]> = Object.fromEntries(Object.keys(arms).map((k) => [k, []]));
    for (const arm of Object.values(arms)) await arm(); // warmup: sockets and JIT
    const before = loadavg()[0] ?? 0;
    for (let p = 0; p < args.pairs; p++)
      for (const [name, arm] of Object.entries(arms)) {
        const t0 = process.hrtime.bigint();
        const n = await arm();
        rates[name]?.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
      }
    const base = median(rates.minimal ?? []);
    const rows = Object.entries(rates).map(([arm, r]) => ({
      arm,
      tokens_per_s: median(r),
      ratio: median(r) / base,
    }));
    for (const r of rows)
      process.stderr.write(
        `${r.arm.padEnd(10)} ${r.tokens_per_s.toFixed(0).padStart(8)} tokens/s  ${r.ratio.toFixed(3)}\n`,
      );
    const load = { before, after: loadavg()[0] ?? 0 };
    process.stdout.write(
      `${JSON.stringify({ concurrency: C, tokens: args.tokens, pairs: args.pairs, rows, load }, null, 2)}\n`,
    );
  } finally {
    server.stop();
  }
}

await main();
