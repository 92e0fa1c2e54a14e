/**
 * What a shaped serving run sends (issue 26), seen by the scripted test server (test/support/scripted-server.ts,
 * which has no /tokenize: prompts are counted approximately): a multi-turn session sent turn after turn with
 * its history, shared prefixes, dataset sampling and --max-context.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localTokenCounter } from "../../src/engines/openai/local-tokenizer.js";
import { runServingBenchmark } from "../../src/execute/serving.js";
import { ModelFileError, UsageError } from "../../src/util/errors.js";
import { writeMicroModel } from "../support/micro-model.js";
import type { Script, SeenRequest } from "../support/scripted-server.js";
import { generationOf, scriptedServerPerTest, servingOptions } from "../support/serving-fixtures.js";

const start = scriptedServerPerTest();
const dir = mkdtempSync(join(tmpdir(), "perf-baseline-shape-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Streams 4 tokens with 5 ms between chunks; /tokenize is not there (404). */
const script = (_n: number, seen: SeenRequest): Script =>
  seen.path.endsWith("/tokenize")
    ? { kind: "status", status: 404 }
    : { kind: "stream", tokens: 4, chunkDelayMs: 5 };

const generations = (requests: readonly SeenRequest[]) =>
  requests.filter((r) => r.method === "POST" && /\/(chat\/)?completions$/.test(r.path));

describe("shaped requests against the scripted server", () => {
  it("a multi-turn session: each turn after the previous one's answer, with the dataset's history", async () => {
    const arrived: number[] = [];
    const server = await start((_n, seen) => {
      if (seen.path.endsWith("/chat/completions")) arrived.push(performance.now());
      return seen.path.endsWith("/tokenize")
        ? { kind: "status", status: 404 }
        : { kind: "stream", tokens: 4, chunkDelayMs: 20 };
    });
    const r = generationOf(
      await runServingBenchmark(
        servingOptions(server.baseUrl, {
          endpoint: "chat",
          concurrency: 3,
          numRequests: 3,
          maxNewTokens: 4,
          dataset: "test/fixtures/serving/sharegpt-sample.json",
          multiTurn: true,
        }),
      ),
    );
    const sent = generations(server.requests).map(
      (q) => q.body?.messages as Array<{ role: string; content: string }>,
    );
    expect(sent.map((m) => m.length)).toEqual([1, 3, 5]);
    expect(sent[2]?.[1]?.content).toMatch(/^The `dir` command in DOS is used/);
    expect(sent[2]?.[4]?.content).toMatch(/^Well no/);
    // turn k+1 arrived only after turn k's answer (4 chunks, 20 ms apart: at least 60 ms), though 3 slots were free
    expect(arrived).toHaveLength(3);
    for (let k = 1; k < arrived.length; k++)
      expect((arrived[k] as number) - (arrived[k - 1] as number)).toBeGreaterThanOrEqual(55);
    expect(r.load?.requests).toMatchObject({ dataset_format: "sharegpt", multi_turn: true, request_seed: 0 });
    expect(r.warnings.map((w) => w.code)).not.toContain("server_nondeterministic");
  });

  it("shared prefixes: requests of one group start with the same prefix, other groups with another", async () => {
    const server = await start(script);
    const r = generationOf(
      await runServingBenchmark(
        servingOptions(server.baseUrl, {
          numRequests: 4,
          promptTokens: { kind: "fixed", value: 5 },
          sharedPrefix: { groups: 2, tokens: 6 },
        }),
      ),
    );
    const prompts = generations(server.requests)
      .slice(-4)
      .map((q) => String(q.body?.prompt));
    const prefix = (p: string) => p.split("\n\n")[0] as string;
    expect(prefix(prompts[0] as string).split(" ")).toHaveLength(6); // approximate: a word a token
    expect(prefix(prompts[0] as string)).toBe(prefix(prompts[2] as string));
    expect(prefix(prompts[1] as string)).toBe(prefix(prompts[3] as string));
    expect(prefix(prompts[0] as string)).not.toBe(prefix(prompts[1] as string));
    expect(new Set(prompts).size).toBe(4);
    expect(r.serving?.prompt_token_count_source).toBe("approximate");
    expect(r.load?.requests).toMatchObject({ shared_prefix: "2:6", prompt_tokens: "5" });
  });

  it("a JSON Lines dataset: seeded samples of its prompts; --max-context leaves long ones out, all too long is one line", async () => {
    const p = join(dir, "prompts.jsonl");
    const lines = [
      "alpha beta",
      "gamma delta epsilon",
      "one two three four five six seven eight nine ten eleven twelve",
    ];
    writeFileSync(p, lines.map((prompt) => JSON.stringify({ prompt })).join("\n"));
    const server = await start(script);
    const opts = { numRequests: 6, maxNewTokens: 4, dataset: p, maxContext: 12 };
    const r = generationOf(await runServingBenchmark(servingOptions(server.baseUrl, opts)));
    const sent = generations(server.requests).map((q) => String(q.body?.prompt));
    expect(new Set(sent)).toEqual(
      new Set(["user: alpha beta\nassistant:", "user: gamma delta epsilon\nassistant:"]),
    );
    expect(r.load?.requests).toMatchObject({ dataset_format: "jsonl", max_context: 12 });
    expect(Number(r.load?.requests?.dataset_too_long)).toBeGreaterThan(0);
    await expect(
      runServingBenchmark(servingOptions(server.baseUrl, { ...opts, maxContext: 5 })),
    ).rejects.toThrow(UsageError);
    await expect(
      runServingBenchmark(servingOptions(server.baseUrl, { ...opts, maxContext: 5 })),
    ).rejects.toThrow(/all \d+ prompts tried are longer than --max-context 5 tokens/);
  });

  it("--tokenizer: without /tokenize, prompts are exact by the GGUF's own vocabulary; a file that is not GGUF is one line", async () => {
    const model = join(dir, "micro.gguf");
    writeMicroModel(model);
    const server = await start(script);
    const r = generationOf(
      await runServingBenchmark(
        servingOptions(server.baseUrl, {
          numRequests: 3,
          promptTokens: { kind: "fixed", value: 9 },
          tokenizer: model,
        }),
      ),
    );
    expect(r.serving?.prompt_token_count_source).toBe("tokenizer");
    const counter = await localTokenCounter(model);
    try {
      for (const q of generations(server.requests))
        expect(await counter.count(String(q.body?.prompt))).toBe(9);
    } finally {
      await counter.dispose();
    }
    const notGguf = join(dir, "not.gguf");
    writeFileSync(notGguf, "plain text");
    await expect(
      runServingBenchmark(
        servingOptions(server.baseUrl, {
          numRequests: 1,
          promptTokens: { kind: "fixed", value: 9 },
          tokenizer: notGguf,
        }),
      ),
    ).rejects.toThrow(ModelFileError);
  });

  it("usage.prompt_tokens that disagree with the counted prompt: a warning with both counts", async () => {
    const server = await start(script); // its usage always says 5 prompt tokens
    const r = generationOf(
      await runServingBenchmark(
        servingOptions(server.baseUrl, { numRequests: 2, promptTokens: { kind: "fixed", value: 9 } }),
      ),
    );
    expect(r.warnings).toContainEqual(
      expect.objectContaining({
        code: "prompt_tokens_disagree",
        text: "2 requests' usage.prompt_tokens disagree with the prompt's approximate count (e.g. 5 vs 9, beyond the 2 special tokens a server may add)",
      }),
    );
  });
});
