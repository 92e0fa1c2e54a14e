/**
 * `perf-baseline serve` does not keep working for nobody (issue 9, fault 7): the real loopback server with the
 * real llama backend on the default dummy model, in this process. An embeddings request above the input cap
 * is refused with 413; the work of a request whose client has gone is stopped.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDummyModel } from "../../src/models/cache.js";
import { inspectModel } from "../../src/models/model-info.js";
import { DEFAULT_MODEL_SEED } from "../../src/models/presets.js";
import { EmbeddingAbortedError, type ServeBackend } from "../../src/serve/backend.js";
import { createLlamaServeBackend } from "../../src/serve/llama-backend.js";
import { DEFAULT_MAX_EMBEDDING_INPUTS, type RunningServer, startServer } from "../../src/serve/server.js";

let backend: ServeBackend;
let server: RunningServer;
/** each embed call the server made: its signal and how it settled */
const calls: Array<{ inputs: number; signal: AbortSignal | undefined; settled: Promise<string> }> = [];
let onEmbed: (() => void) | null = null;

beforeAll(async () => {
  const cached = ensureDummyModel("tiny", DEFAULT_MODEL_SEED);
  const real = await createLlamaServeBackend({
    model: inspectModel(cached.path, cached.sha256),
    modelName: "tiny",
    log: () => {},
  });
  backend = real;
  // a spy around the real backend: records the signal each embed call got and how the call ended
  const spy: ServeBackend = Object.create(real) as ServeBackend;
  spy.embed = (texts, signal) => {
    const p = real.embed(texts, signal);
    calls.push({
      inputs: texts.length,
      signal,
      settled: p.then(
        () => "resolved",
        (e: unknown) => (e instanceof EmbeddingAbortedError ? "aborted" : `rejected: ${String(e)}`),
      ),
    });
    onEmbed?.();
    return p;
  };
  server = await startServer(spy, 0);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await backend?.dispose();
});

function post(path: string, body: unknown, onRequest?: (req: http.ClientRequest) => void) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = http.request(
      `http://127.0.0.1:${server.port}${path}`,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) },
      },
      (res) => {
        let out = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (out += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: out }));
      },
    );
    req.on("error", reject);
    onRequest?.(req);
    req.end(text);
  });
}

describe("serve: no work for nobody", () => {
  it("3000 embedding inputs in one request: 413 naming the cap, nothing embedded", async () => {
    const before = calls.length;
    const inputs = Array.from({ length: 3000 }, (_, i) => `text ${i}`);
    const r = await post("/v1/embeddings", { model: "tiny", input: inputs });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text).error.message).toMatch(
      new RegExp(`input has 3000 texts, more than the ${DEFAULT_MAX_EMBEDDING_INPUTS} one request may carry`),
    );
    expect(calls.length).toBe(before);
  });

  it("a client that goes away: its embeddings stop, and the next request is answered", async () => {
    const inputs = Array.from(
      { length: DEFAULT_MAX_EMBEDDING_INPUTS },
      (_, i) => `a longer text number ${i}`,
    );
    let client: http.ClientRequest | null = null;
    const started = new Promise<void>((resolve) => {
      onEmbed = resolve;
    });
    const dropped = post("/v1/embeddings", { model: "tiny", input: inputs }, (req) => {
      client = req;
    }).catch((e: Error) => e);
    await started;
    onEmbed = null;
    (client as http.ClientRequest | null)?.destroy();
    await dropped;
    const call = calls.at(-1);
    expect(call?.inputs).toBe(DEFAULT_MAX_EMBEDDING_INPUTS);
    expect(await call?.settled).toBe("aborted");
    expect(call?.signal?.aborted).toBe(true);
    const next = await post("/v1/embeddings", { model: "tiny", input: ["one more"] });
    expect(next.status).toBe(200);
    expect(JSON.parse(next.text).data).toHaveLength(1);
  });
});
