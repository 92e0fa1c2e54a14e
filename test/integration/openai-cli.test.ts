/**
 * `perf-baseline bench --engine openai` as a user runs it (a child process) against the scripted test server
 * on 127.0.0.1: exit codes, flags, Ctrl-C, and the API key that must never be written anywhere.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseResult } from "../../src/results/io.js";
import { EXIT } from "../../src/util/errors.js";
import { runCliAsync } from "../support/processes.js";
import { type Script, type ScriptedServer, startScriptedServer } from "../support/scripted-server.js";

let server: ScriptedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});
const dir = mkdtempSync(join(tmpdir(), "perf-baseline-openai-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = "sk-test-DO-NOT-LEAK-9f8e7d6c5b4a";
const ok: Script = { kind: "stream", tokens: 4 };
const base = (url: string) => [
  "bench",
  "--engine",
  "openai",
  "--base-url",
  url,
  "--model",
  "scripted-model",
  "--rounds",
  "3",
  "--warmup",
  "0",
  "--max-new-tokens",
  "4",
  "--idle-timeout",
  "2",
];

describe("bench --engine openai from the command line", () => {
  it("a failed request: the result is printed with it listed, and the exit code is 7; tolerated, 0", async () => {
    server = await startScriptedServer({
      script: (n) => (n % 3 === 1 ? { kind: "status", status: 503 } : ok),
    });
    const failed = await runCliAsync(base(server.baseUrl));
    expect(failed.stderr).toMatch(/1 completed|2 completed/);
    expect(failed.status).toBe(EXIT.runFailed);
    const r = parseResult(JSON.parse(failed.stdout), "stdout");
    expect(r.serving?.failures[0]?.cause).toBe("http_503");

    const tolerated = await runCliAsync([...base(server.baseUrl), "--tolerate-failures"]);
    expect(tolerated.status).toBe(EXIT.ok);
    expect(parseResult(JSON.parse(tolerated.stdout), "stdout").serving?.requests.failed).toBe(1);
  });

  it("flags of the wrong engine or a missing --base-url: usage errors before anything runs", async () => {
    const noUrl = await runCliAsync(["bench", "--engine", "openai"]);
    expect(noUrl.status).toBe(EXIT.usage);
    expect(noUrl.stderr).toMatch(/--engine openai needs --base-url/);
    const threads = await runCliAsync([
      "bench",
      "--engine",
      "openai",
      "--base-url",
      "http://127.0.0.1:9/v1",
      "--threads",
      "2",
    ]);
    expect(threads.status).toBe(EXIT.usage);
    expect(threads.stderr).toMatch(/--threads applies to --engine node-llama-cpp or llama-cpp, not openai/);
    const concurrency = await runCliAsync(["bench", "--concurrency", "4"]);
    expect(concurrency.status).toBe(EXIT.usage);
    expect(concurrency.stderr).toMatch(/--concurrency applies to --engine openai, not llama-cpp/);
    const burst = await runCliAsync([...base("http://127.0.0.1:9/v1"), "--burstiness", "0.5"]);
    expect(burst.status).toBe(EXIT.usage);
    const url = await runCliAsync([...base("ftp://127.0.0.1/v1")]);
    expect(url.status).toBe(EXIT.usage);
    expect(url.stderr).toMatch(/--base-url must use http or https/);
    for (const r of [noUrl, threads, concurrency, burst, url]) expect(r.stdout).toBe("");
  });

  /**
   * A 200-round run against a slow streaming server, sent SIGINT once the server has seen 4 requests: `signals`
   * times, 5 ms apart (2: one interruption delivered twice, as timeout(1) does).
   */
  async function interruptedRun(extra: string[], signals: 1 | 2) {
    server = await startScriptedServer({ script: () => ({ kind: "stream", tokens: 6, chunkDelayMs: 40 }) });
    return runCliAsync([...base(server.baseUrl), "--rounds", "200", "--concurrency", "2", ...extra], {
      timeoutMs: 30_000,
      onStart: (child) => {
        const timer = setInterval(() => {
          if (server && server.requests.filter((r) => r.method === "POST").length >= 4) {
            clearInterval(timer);
            child.kill("SIGINT");
            if (signals === 2) setTimeout(() => child.kill("SIGINT"), 5);
          }
        }, 20);
        child.on("close", () => clearInterval(timer));
      },
    });
  }

  it("Ctrl-C: the partial result is written, marked incomplete, exit code 130", async () => {
    const out = join(dir, "partial.json");
    const run = await interruptedRun(["-o", out], 1);
    expect(run.status).toBe(EXIT.interrupted);
    const r = parseResult(JSON.parse(run.stdout), "stdout");
    expect(r.complete).toBe(false);
    expect(r.samples.length).toBeGreaterThan(0);
    expect(r.samples.length).toBeLessThan(200);
    expect(parseResult(JSON.parse(readFileSync(out, "utf8")), out).complete).toBe(false);
  });

  it("one interruption signalled twice at once (timeout(1) signals the process, then its group): still the partial result", async () => {
    const run = await interruptedRun([], 2);
    expect(run.status).toBe(EXIT.interrupted);
    const r = parseResult(JSON.parse(run.stdout), "stdout");
    expect(r.complete).toBe(false);
    expect(r.samples.length).toBeGreaterThan(0);
  });
});

describe("the API key is sent to the server and written nowhere", () => {
  /** A server that echoes the Authorization header everywhere it can: headers, info, error bodies, text. */
  async function echoingServer() {
    return startScriptedServer({
      modelsHeaders: (req) => ({ server: `echo ${req.headers.authorization ?? ""}` }),
      props: (req) => ({
        build_info: `b1-${req.headers.authorization ?? ""}`,
        model_path: String(req.headers.authorization),
      }),
      script: (n, req) =>
        n % 2 === 0
          ? { kind: "stream", tokens: 4, tokenText: ` ${String(req.headers.authorization)}` }
          : { kind: "status", status: 500, body: `{"error":"bad ${String(req.headers.authorization)}"}` },
    });
  }

  it("results, stdout, stderr and the output file never hold the key (custom --api-key-env)", async () => {
    server = await echoingServer();
    const out = join(dir, "secret.json");
    const run = await runCliAsync(
      [
        ...base(server.baseUrl),
        "--api-key-env",
        "MY_SERVER_KEY",
        "--tolerate-failures",
        "--rounds",
        "4",
        "-o",
        out,
      ],
      { env: { MY_SERVER_KEY: SECRET } },
    );
    expect(run.status).toBe(EXIT.ok);
    const posts = server.requests.filter((r) => r.method === "POST");
    expect(posts.length).toBe(4);
    for (const p of server.requests) expect(p.headers.authorization).toBe(`Bearer ${SECRET}`);
    const written = readFileSync(out, "utf8");
    for (const text of [run.stdout, run.stderr, written]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("DO-NOT-LEAK");
    }
    const r = parseResult(JSON.parse(run.stdout), "stdout");
    expect(r.serving?.failures[0]?.example).toContain("[redacted]");
    expect(r.engine.versions.server).toBe("echo Bearer [redacted]");
    expect(JSON.stringify(r.invocation)).not.toContain("MY_SERVER_KEY=");
  });

  it("error messages never hold the key either (401 at discovery, every request failing)", async () => {
    server = await startScriptedServer({
      modelsStatus: 401,
      script: () => ok,
      modelsHeaders: () => ({}),
    });
    const denied = await runCliAsync(base(server.baseUrl), { env: { OPENAI_API_KEY: SECRET } });
    expect(denied.status).toBe(EXIT.runFailed);
    expect(denied.stderr).toMatch(/check the API key in \$OPENAI_API_KEY/);
    await server.close();
    server = await startScriptedServer({
      script: (_n, req) => ({
        kind: "status",
        status: 500,
        body: `{"error":"${String(req.headers.authorization)}"}`,
      }),
    });
    const allFailed = await runCliAsync(base(server.baseUrl), { env: { OPENAI_API_KEY: SECRET } });
    expect(allFailed.status).toBe(EXIT.runFailed);
    expect(allFailed.stderr).toMatch(/all 3 measured requests failed: http_500/);
    for (const r of [denied, allFailed]) {
      expect(r.stderr).not.toContain(SECRET);
      expect(r.stdout).not.toContain(SECRET);
    }
  });
});
