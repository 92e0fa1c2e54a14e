/**
 * Where the client's time goes against the zero-compute server of bench/client-roofline.ts: interleaved arms that
 * add the tool's layers one at a time to a minimal node:http streaming client (issue 27, notes/openai-performance.md).
 *
 * Arms (each --requests requests of --tokens one-token chunks at --concurrency, tokens/s over the arm's wall time):
 *   minimal      the minimal client's request function (split on blank lines, JSON.parse each event) in C loops
 *   min-load     the same function driven by the tool's load loop (src/measure/load.ts runLoad)
 *   exchange     the tool's exchange layer (src/engines/openai/http.ts) with a sink that only splits and parses
 *   generate     OpenAiClient.generate (the whole client: SSE parser, records, outcome) in C loops
 *   tool         OpenAiClient.generate driven by runLoad, as a serving run does
 * Prints, per arm, the median tokens/s of --pairs rounds and its ratio to the minimal arm's median.
 *
 * Usage: npx tsx bench/client-ablation.ts [--concurrency 64] [--pairs 8] [--requests 1000] [--tokens 64] [--pin]
 * A measurement: run it alone on the machine (with --pin: this process on CPU 0, the server on CPU 1).
 */
import { execFileSync, spawn } from "node:child_process";
import http from "node:http";
import { loadavg } from "node:os";
import { OpenAiClient } from "../src/engines/openai/client.js";
import { exchange, keepAliveAgent } from "../src/engines/openai/http.js";
import { DEFAULT_TIMEOUTS, normalizeBaseUrl } from "../src/engines/openai/options.js";
import { runLoad } from "../src/measure/load.js";
import { median } from "../src/stats/index.js";
import { boolOpt, intOpt, parseScript } from "./lib/args.js";

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

/** The roofline script's zero-compute server in a child process; resolves with its base URL. */
async function startServer(): Promise<{ base: string; stop: () => void }> {
  const script = new URL("./client-roofline.ts", import.meta.url).pathname;
  const argv = ["--import", "tsx", script, "--child", "--tokens", String(args.tokens)];
  const child = args.pin
    ? spawn("taskset", ["-c", "1", process.execPath, ...argv], { stdio: ["ignore", "pipe", "inherit"] })
    : spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "inherit"] });
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("the zero-compute server did not start within 60 s")),
      60_000,
    );
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      clearTimeout(timer);
      resolve(d.split("\n")[0] as string);
    });
  });
  return { base, stop: () => child.kill("SIGTERM") };
}

/** Splits SSE text on blank lines and counts the events whose JSON carries text (the minimal client's work). */
function parseInto(buf: { s: string; n: number }, d: string): void {
  buf.s += d;
  let at = buf.s.indexOf("\n\n");
  while (at >= 0) {
    const ev = buf.s.slice(0, at);
    buf.s = buf.s.slice(at + 2);
    if (ev.startsWith("data: ") && ev !== "data: [DONE]") {
      const text = (JSON.parse(ev.slice(6)) as { choices: { text?: string }[] }).choices[0]?.text;
      if (text) buf.n++;
    }
    at = buf.s.indexOf("\n\n");
  }
}

/** One request's function per layer; each resolves with the text chunks it read. */
function requestFunctions(base: string) {
  const url = new URL(`${base}/completions`);
  const body = JSON.stringify({ model: "m", prompt: "x", max_tokens: args.tokens, stream: true });
  const agent = new http.Agent({ keepAlive: true, maxSockets: C });
  const minimal = () =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        url,
        { method: "POST", agent, headers: { "content-type": "application/json" } },
        (res) => {
          const b = { s: "", n: 0 };
          res.setEncoding("utf8");
          res.on("data", (d: string) => parseInto(b, d));
          res.on("end", () => resolve(b.n));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const xAgent = keepAliveAgent(url);
  const headers = { "content-type": "application/json" };
  const viaExchange = async () => {
    const b = { s: "", n: 0 };
    const sink = {
      onData: (d: string) => {
        parseInto(b, d);
        return undefined;
      },
    };
    const r = await exchange(
      { method: "POST", url, headers, body, timeouts: DEFAULT_TIMEOUTS, agent: xAgent, redact: (t) => t },
      sink,
    );
    return r.ok ? b.n : 0;
  };
  const client = new OpenAiClient({
    baseUrl: normalizeBaseUrl(base),
    apiKey: null,
    timeouts: DEFAULT_TIMEOUTS,
  });
  const request = {
    endpoint: "completions" as const,
    model: "m",
    prompt: "x",
    max_tokens: args.tokens,
    fixed_length: true,
  };
  const generate = async () => {
    const r = await client.generate(request);
    return r.ok ? r.chunk_times_ns.length : 0;
  };
  return { minimal, viaExchange, generate };
}

/** `one` in C loops until --requests are done; resolves with the chunks read. */
async function loops(one: () => Promise<number>): Promise<number> {
  let left = args.requests;
  const loop = async () => {
    let n = 0;
    while (left-- > 0) n += await one();
    return n;
  };
  return (await Promise.all(Array.from({ length: C }, loop))).reduce((a, b) => a + b, 0);
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
  if (args.pin) execFileSync("taskset", ["-a", "-cp", "0", String(process.pid)], { stdio: "ignore" });
  const server = await startServer();
  try {
    const f = requestFunctions(server.base);
    const arms: Record<string, () => Promise<number>> = {
      minimal: () => loops(f.minimal),
      "min-load": () => viaLoad(f.minimal),
      exchange: () => loops(f.viaExchange),
      generate: () => loops(f.generate),
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
        `${r.arm.padEnd(9)} ${r.tokens_per_s.toFixed(0).padStart(8)} tokens/s  ${r.ratio.toFixed(3)}\n`,
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
