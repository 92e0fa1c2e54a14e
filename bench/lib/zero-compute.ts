/**
 * The pieces the client benchmarks share (bench/client-roofline.ts, bench/client-ablation.ts): the zero-compute
 * SSE server (served by client-roofline.ts --child, started here in a child process), the minimal node:http
 * streaming client the tool is measured against, C loops of a request function, and the tool's client and
 * completion request as a serving run builds them.
 */
import { execFileSync, spawn } from "node:child_process";
import http from "node:http";
import { StringDecoder } from "node:string_decoder";
import { Pool } from "undici";
import { OpenAiClient } from "../../src/engines/openai/client.js";
import { DEFAULT_TIMEOUTS, normalizeBaseUrl } from "../../src/engines/openai/options.js";

/** How long the server may take to print its URL, ms. */
const START_TIMEOUT_MS = 60_000;

/**
 * Serves completions with no compute: each streams `tokens` one-token chunks, each its own write, then a
 * finish chunk, usage and [DONE]. Prints its base URL on stdout (a line) once listening.
 */
export function serveZeroCompute(tokens: number): void {
  const frame = (o: object) =>
    `data: ${JSON.stringify({ id: "r", object: "text_completion", created: 0, model: "m", ...o })}\n\n`;
  const chunk = frame({ choices: [{ index: 0, text: " t", finish_reason: null }] });
  const last = frame({ choices: [{ index: 0, text: "", finish_reason: "length" }] });
  const usage = `${frame({ choices: [], usage: { prompt_tokens: 8, completion_tokens: tokens, total_tokens: 8 + tokens } })}data: [DONE]\n\n`;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      for (let i = 0; i < tokens; i++) res.write(chunk);
      res.write(last);
      res.end(usage);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`http://127.0.0.1:${(server.address() as { port: number }).port}/v1\n`);
  });
}

/** Pins every thread of this process (the clients) to CPU 0 with taskset (Linux), apart from the server's CPU 1. */
export function pinClientToCpu0(): void {
  execFileSync("taskset", ["-a", "-cp", "0", String(process.pid)], { stdio: "ignore" });
}

/**
 * Starts {@link serveZeroCompute} in a child process (`bench/client-roofline.ts --child`; with `pin`, on CPU 1
 * through taskset). Resolves with its base URL and how to stop it.
 * @throws Error when it prints no URL within START_TIMEOUT_MS
 */
export function startZeroComputeServer(
  tokens: number,
  pin: boolean,
): Promise<{ url: string; stop: () => void }> {
  const script = new URL("../client-roofline.ts", import.meta.url).pathname;
  const nodeArgs = ["--import", "tsx", script, "--child", "--tokens", String(tokens)];
  const child = pin
    ? spawn("taskset", ["-c", "1", process.execPath, ...nodeArgs], { stdio: ["ignore", "pipe", "inherit"] })
    : spawn(process.execPath, nodeArgs, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the zero-compute server did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (!out.includes("\n")) return;
      clearTimeout(timer);
      resolve({ url: out.split("\n")[0] as string, stop: () => child.kill("SIGTERM") });
    });
  });
}

/**
 * The minimal streaming client's request: one POST of a streamed completion over node:http, the body split on
 * blank lines and each event's JSON parsed. Resolves with the events that carried text.
 */
export function minimalRequest(url: URL, agent: http.Agent, tokens: number): () => Promise<number> {
  const body = JSON.stringify({ model: "m", prompt: "x", max_tokens: tokens, stream: true });
  const headers = { "content-type": "application/json" };
  return () =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(url, { method: "POST", agent, headers }, (res) => {
        const read = { pending: "", texts: 0 };
        res.setEncoding("utf8");
        res.on("data", (d: string) => countTextEvents(read, d));
        res.on("end", () => resolve(read.texts));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
}

/**
 * The minimal client's request over undici's dispatcher (the tool's transport, src/engines/openai/http.ts) instead
 * of node:http: a Pool of `connections` keep-alive connections, each body piece decoded and read by
 * {@link countTextEvents}. The floor of the tool's own transport. Resolves with the events that carried text.
 */
export function minimalUndiciRequest(url: URL, connections: number, tokens: number): () => Promise<number> {
  const body = JSON.stringify({ model: "m", prompt: "x", max_tokens: tokens, stream: true });
  const pool = new Pool(url.origin, { connections, pipelining: 1 });
  const opts = {
    path: url.pathname,
    method: "POST" as const,
    headers: { "content-type": "application/json" },
    body,
  };
  return () =>
    new Promise<number>((resolve, reject) => {
      const read = { pending: "", texts: 0 };
      const decoder = new StringDecoder("utf8");
      pool.dispatch(opts, {
        onConnect: () => {},
        onHeaders: () => true,
        onData: (chunk: Buffer) => {
          countTextEvents(read, decoder.write(chunk));
          return true;
        },
        onComplete: () => resolve(read.texts),
        onError: reject,
      });
    });
}

/**
 * The minimal client's reading of a piece of a stream: the text after the last blank line is kept in
 * `read.pending`; each whole `data: ` event (not [DONE]) is JSON-parsed and counted in `read.texts` when its
 * first choice carries text.
 */
export function countTextEvents(read: { pending: string; texts: number }, piece: string): void {
  read.pending += piece;
  let at = read.pending.indexOf("\n\n");
  while (at >= 0) {
    const event = read.pending.slice(0, at);
    read.pending = read.pending.slice(at + 2);
    if (event.startsWith("data: ") && event !== "data: [DONE]") {
      const text = (JSON.parse(event.slice(6)) as { choices: { text?: string }[] }).choices[0]?.text;
      if (text) read.texts++;
    }
    at = read.pending.indexOf("\n\n");
  }
}

/** `one` run by `concurrency` loops until `requests` are done; resolves with the sum of what they returned. */
export async function loops(
  one: () => Promise<number>,
  concurrency: number,
  requests: number,
): Promise<number> {
  let left = requests;
  const loop = async () => {
    let n = 0;
    while (left-- > 0) n += await one();
    return n;
  };
  return (await Promise.all(Array.from({ length: concurrency }, loop))).reduce((a, b) => a + b, 0);
}

/** The tool's client of a base URL, with the default timeouts and no API key. */
export function toolClient(baseUrl: string): OpenAiClient {
  return new OpenAiClient({ baseUrl: normalizeBaseUrl(baseUrl), apiKey: null, timeouts: DEFAULT_TIMEOUTS });
}

/** A streamed completion of exactly `tokens` tokens, as a serving run sends it. */
export function completionRequest(tokens: number, prompt = "x") {
  return { endpoint: "completions" as const, model: "m", prompt, max_tokens: tokens, fixed_length: true };
}
