/**
 * The llama-cpp engine (src/engines/llama-cpp) on real models: the same outputs as the node-llama-cpp engine
 * (output digests of src/measure/run.ts), the Engine contract, and one-line typed errors for bad options,
 * another llama.cpp build and crafted model files. Few rounds, few tokens.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLlamaCppEngine, defaultLlamaLibDir } from "../../src/engines/llama-cpp/engine.js";
import { createLlamaEngine } from "../../src/engines/node-llama-cpp/engine.js";
import { runEmbeddingRounds, runGenerationRounds } from "../../src/measure/run.js";
import { ensureDummyModel } from "../../src/models/cache.js";
import { EngineError, EXIT, ModelFileError, UsageError } from "../../src/util/errors.js";
import { embeddingWorkload, GENERATION_PROMPT, generationWorkload } from "../../src/workload/workload.js";
import { withEngine } from "../support/engine-use.js";
import { writeMicroModel } from "../support/micro-model.js";

const dir = mkdtempSync(join(tmpdir(), "pb-llama-cpp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = () => {};
const plan = { rounds: 2, warmup: 0 };

describe("llama-cpp engine: same outputs as node-llama-cpp on the tiny default model", () => {
  const modelPath = ensureDummyModel("tiny", 42).path;

  it("generation: the same token ids (digest) in every round, exactly max-new-tokens of them", async () => {
    const workload = generationWorkload(12);
    const opts = { modelPath, mode: "generation" as const, threads: 1, maxNewTokens: 12, log: quiet };
    const cpp = await withEngine(createLlamaCppEngine(opts), async (e) => {
      const r = await e.generate(GENERATION_PROMPT, 12);
      expect(r.output_tokens).toBe(12);
      expect(r.token_ids).toHaveLength(12);
      expect(r.chunk_times_ns).toHaveLength(12);
      expect(r.first_token_ns).toBe(r.chunk_times_ns[0]);
      expect((r.first_token_ns as bigint) > r.start_ns).toBe(true);
      for (let i = 1; i < 12; i++)
        expect((r.chunk_times_ns[i] as bigint) >= (r.chunk_times_ns[i - 1] as bigint)).toBe(true);
      expect(r.end_ns >= (r.chunk_times_ns[11] as bigint)).toBe(true);
      return {
        outcome: await runGenerationRounds(e, workload, plan),
        identity: e.identity,
        settings: e.settings,
        n: e.countTokens(GENERATION_PROMPT),
      };
    });
    const nlc = await withEngine(createLlamaEngine(opts), async (e) => ({
      outcome: await runGenerationRounds(e, workload, plan),
      settings: e.settings,
      n: e.countTokens(GENERATION_PROMPT),
    }));
    expect(cpp.outcome.output_consistent).toBe(true);
    expect(cpp.outcome.output_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(cpp.outcome.output_digest).toBe(nlc.outcome.output_digest);
    expect(cpp.n).toBe(nlc.n);
    expect(cpp.settings).toEqual(nlc.settings);
    expect(cpp.identity.name).toBe("llama-cpp");
    expect(cpp.identity.versions).toMatchObject({ llama_cpp: "v0.4.0", ggml: "0.23.0" });
    expect(cpp.identity.details.llama_lib_dir).toBe((await defaultLlamaLibDir()).dir);
    for (const s of cpp.outcome.samples) expect(s.output_tokens).toBe(12);
  }, 300_000);

  it("embedding: the same vectors (digest), the pooling the model asks for", async () => {
    const workload = embeddingWorkload();
    const opts = { modelPath, mode: "embedding" as const, embeddingThreads: 1, log: quiet };
    const cpp = await withEngine(createLlamaCppEngine(opts), async (e) => ({
      outcome: await runEmbeddingRounds(e, workload, plan),
      round: await e.embed(workload.texts ?? []),
      settings: e.settings,
      details: e.identity.details,
    }));
    const nlc = await withEngine(createLlamaEngine(opts), async (e) => ({
      outcome: await runEmbeddingRounds(e, workload, plan),
      round: await e.embed(workload.texts ?? []),
      settings: e.settings,
    }));
    expect(cpp.outcome.output_consistent).toBe(true);
    expect(cpp.outcome.output_digest).toBe(nlc.outcome.output_digest);
    expect(cpp.round.input_tokens).toBe(nlc.round.input_tokens);
    expect(cpp.round.calls).toBe(nlc.round.calls);
    expect(cpp.round.call_durations_ns).toHaveLength(cpp.round.calls);
    expect(cpp.settings).toEqual(nlc.settings);
    expect(typeof cpp.details.pooling_type).toBe("number");
  }, 300_000);

  it("two threads: a persistent threadpool, the same tokens", async () => {
    const opts = { modelPath, mode: "generation" as const, threads: 2, maxNewTokens: 6, log: quiet };
    const one = await withEngine(createLlamaCppEngine({ ...opts, threads: 1 }), (e) =>
      e.generate(GENERATION_PROMPT, 6),
    );
    await withEngine(createLlamaCppEngine(opts), async (e) => {
      expect(e.settings.threads).toBe(2);
      expect(e.identity.details.threadpool).toMatch(/persistent, 2 thread/);
      expect((await e.generate(GENERATION_PROMPT, 6)).token_ids).toEqual(one.token_ids);
    });
  }, 300_000);

  it("on the calling thread (counted runs): the same tokens and vectors as in the decode worker", async () => {
    const gen = { modelPath, mode: "generation" as const, threads: 1, maxNewTokens: 6, log: quiet };
    const worker = await withEngine(createLlamaCppEngine(gen), (e) => e.generate(GENERATION_PROMPT, 6));
    const here = await withEngine(createLlamaCppEngine({ ...gen, inThread: true }), (e) =>
      e.generate(GENERATION_PROMPT, 6),
    );
    expect(here.token_ids).toEqual(worker.token_ids);
    const texts = embeddingWorkload().texts ?? [];
    const emb = { modelPath, mode: "embedding" as const, embeddingThreads: 1, log: quiet };
    const vectors = async (inThread: boolean) =>
      withEngine(createLlamaCppEngine({ ...emb, inThread }), async (e) => (await e.embed(texts)).vectors);
    expect(await vectors(true)).toEqual(await vectors(false));
    // a bad request on the calling thread is the same typed error as from the worker
    await withEngine(createLlamaCppEngine({ ...gen, inThread: true, contextSize: 256 }), async (e) => {
      await expect(e.generate(GENERATION_PROMPT, 400)).rejects.toThrow(/exceed the context/);
    });
  }, 300_000);
});

describe("llama-cpp engine: bad options, other builds and crafted models get typed one-line errors", () => {
  const micro = join(dir, "micro.gguf");
  writeMicroModel(micro);
  const base = { modelPath: micro, mode: "generation" as const, log: quiet };

  async function rejects(p: Promise<unknown>, cls: new (...a: never[]) => Error, pattern: RegExp) {
    const err = await p.then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(cls);
    expect(err?.message).toMatch(pattern);
    expect(err?.message).not.toContain("\n");
    return err;
  }

  it("flags out of range", async () => {
    await rejects(
      createLlamaCppEngine({ ...base, threads: 0 }),
      UsageError,
      /--threads must be an integer from 1/,
    );
    await rejects(createLlamaCppEngine({ ...base, threads: 1.5 }), UsageError, /--threads/);
    await rejects(
      createLlamaCppEngine({ ...base, mode: "embedding", embeddingThreads: 9999 }),
      UsageError,
      /--embedding-threads/,
    );
    await rejects(createLlamaCppEngine({ ...base, batchSize: 0 }), UsageError, /--batch-size/);
    await rejects(createLlamaCppEngine({ ...base, gpu: "cuda" }), UsageError, /CPU only/);
    await rejects(
      createLlamaCppEngine({ ...base, llamaLib: join(dir, "absent") }),
      UsageError,
      /--llama-lib .* is not a folder/,
    );
  });

  it("a missing model file", async () => {
    const err = await rejects(
      createLlamaCppEngine({ ...base, modelPath: join(dir, "absent.gguf") }),
      ModelFileError,
      /no such file/,
    );
    expect((err as ModelFileError).exitCode).toBe(EXIT.badModel);
  });

  it("another llama.cpp build in --llama-lib: refused by its version symbols before any struct is passed", async () => {
    // A stand-in for another build (none can be compiled in test time): a libggml-base.so whose version
    // symbols report ggml 0.99.0, beside the real libllama.
    const lib = join(dir, "other-build");
    execFileSync("mkdir", ["-p", lib]);
    writeFileSync(
      join(lib, "fake-ggml-base.c"),
      'const char *ggml_version(void) { return "0.99.0"; }\nconst char *ggml_commit(void) { return "0000000"; }\n',
    );
    execFileSync("gcc", [
      "-shared",
      "-fPIC",
      "-o",
      join(lib, "libggml-base.so"),
      join(lib, "fake-ggml-base.c"),
    ]);
    const real = (await defaultLlamaLibDir()).dir;
    symlinkSync(join(real, "libllama.v0.4.0.so"), join(lib, "libllama.v0.4.0.so"));
    const err = await rejects(
      createLlamaCppEngine({ ...base, llamaLib: lib }),
      EngineError,
      /report ggml version 0\.99\.0, the llama-cpp engine's struct layouts were written for 0\.23\.0: use a build of llama\.cpp v0\.4\.0/,
    );
    expect((err as EngineError).exitCode).toBe(EXIT.runFailed);
  });

  it("--llama-lib naming the prebuilt folder itself is recorded in the identity", async () => {
    const real = (await defaultLlamaLibDir()).dir;
    await withEngine(createLlamaCppEngine({ ...base, llamaLib: real, maxNewTokens: 2 }), async (e) => {
      expect(e.identity.details.llama_lib).toBe("--llama-lib");
      expect(e.identity.details.llama_lib_dir).toBe(real);
      expect((await e.generate(GENERATION_PROMPT, 2)).output_tokens).toBe(2);
    });
  });

  it("a GGUF whose tensor data is cut off: llama.cpp's load failure, not an abort", async () => {
    const cut = join(dir, "cut.gguf");
    writeMicroModel(cut);
    truncateSync(cut, Math.floor(readFileSync(cut).length * 0.9));
    const err = await rejects(
      createLlamaCppEngine({ ...base, modelPath: cut }),
      EngineError,
      /llama\.cpp could not load .*cut\.gguf/,
    );
    expect((err as EngineError).exitCode).toBe(EXIT.runFailed);
  });

  it("a prompt and new tokens beyond the context", async () => {
    await withEngine(createLlamaCppEngine({ ...base, contextSize: 256 }), async (e) => {
      await rejects(
        e.generate(GENERATION_PROMPT, 400),
        EngineError,
        /exceed the context of 256 tokens: raise --context-size/,
      );
      // the engine still works after a refused round
      expect((await e.generate(GENERATION_PROMPT, 3)).output_tokens).toBe(3);
    });
  });

  it("a disposed engine", async () => {
    const e = await createLlamaCppEngine({ ...base, maxNewTokens: 2 });
    await e.dispose();
    await e.dispose();
    await rejects(e.generate(GENERATION_PROMPT, 2), EngineError, /disposed/);
  });
});

describe("llama-cpp engine from compiled JavaScript (tsc output, no tsx)", () => {
  it("starts its worker from decode-worker.js and generates", () => {
    const out = join(dir, "dist");
    execFileSync(
      process.execPath,
      [
        join(process.cwd(), "node_modules/typescript/bin/tsc"),
        "--outDir",
        out,
        "--rootDir",
        join(process.cwd(), "src"),
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--skipLibCheck",
        "--noCheck",
        "--types",
        "node",
        join(process.cwd(), "src/engines/llama-cpp/index.ts"),
        // started by URL, not imported: the build compiles every source, this list must name it
        join(process.cwd(), "src/engines/llama-cpp/decode-worker.ts"),
      ],
      { stdio: "pipe" },
    );
    symlinkSync(join(process.cwd(), "node_modules"), join(dir, "node_modules"));
    writeFileSync(join(dir, "package.json"), '{"type":"module"}\n');
    const model = join(dir, "micro.gguf");
    const script = join(dir, "run.mjs");
    writeFileSync(
      script,
      `import { createLlamaCppEngine } from "./dist/engines/llama-cpp/index.js";
const e = await createLlamaCppEngine({ modelPath: ${JSON.stringify(model)}, mode: "generation", maxNewTokens: 3, log: () => {} });
const r = await e.generate("hello", 3);
await e.dispose();
process.stdout.write(JSON.stringify({ name: e.identity.name, n: r.output_tokens }));
`,
    );
    const res = JSON.parse(execFileSync(process.execPath, [script], { encoding: "utf8", cwd: dir })) as {
      name: string;
      n: number;
    };
    expect(res).toEqual({ name: "llama-cpp", n: 3 });
  }, 300_000);
});
