/**
 * Harness overhead: the tool's generation tokens/s and embedding calls/s against a minimal direct
 * node-llama-cpp loop on the same model with the same settings, interleaved in one process (A B A B ...,
 * the order alternating from block to block, see bench/lib/interleave.ts). Target: the tool reaches at least
 * 0.98 of the direct loop.
 *
 * "The tool" is the real code path: createLlamaEngine (src/engines/node-llama-cpp/engine.ts) and
 * runGenerationRounds / runEmbeddingRounds (src/measure/run.ts), one measured round per block; its figure
 * is the sample's tokens_per_second / calls_per_second as results carry them. "Direct" is the shortest loop
 * node-llama-cpp allows for the same work: getLlama, loadModel, createContext with the tool's threads,
 * context and batch sizes, then sequence.evaluate (greedy, end-of-generation tokens do not stop it) or
 * embeddingContext.getEmbeddingFor, timed the same way (clock started after clearing the sequence).
 * A third arm, "direct-aa", is the same direct loop in contexts of its own: an A/A control whose ratio to
 * "direct" shows how far two identical loops differ on this machine at this moment.
 *
 * Usage: npx tsx bench/harness-overhead.ts [--preset tiny] [--tokens 64] [--generation-rounds 40]
 *          [--embedding-rounds 120] [--warmup 3] [--threads N] [--embedding-threads N]
 * Prints one JSON document on stdout; a table on stderr.
 */
import { DEFAULT_EMBEDDING_THREADS, DEFAULT_GENERATION_THREADS } from "../src/engines/local/settings.js";
import { createLlamaEngine } from "../src/engines/node-llama-cpp/engine.js";
import { runEmbeddingRounds, runGenerationRounds } from "../src/measure/run.js";
import { ensureDummyModel } from "../src/models/cache.js";
import { PRESETS } from "../src/models/presets.js";
import { embeddingWorkload, generationWorkload } from "../src/workload/workload.js";
import { choiceOpt, intOpt, optionalIntOpt, parseScript } from "./lib/args.js";
import { secondsBetween } from "./lib/figures.js";
import { type Arm, formatTable, interleave, machineLoad, report, ttyProgress } from "./lib/interleave.js";
import { directLlama, embedRound, evaluateRound } from "./lib/native.js";

const { values: args } = parseScript(
  {
    name: "bench/harness-overhead.ts",
    summary:
      "The tool's throughput against a minimal direct node-llama-cpp loop, interleaved in one process.",
    usage: "npx tsx bench/harness-overhead.ts [options]",
  },
  {
    preset: choiceOpt("dummy-model preset", Object.keys(PRESETS), "tiny"),
    tokens: intOpt("new tokens per generation round", 64),
    "generation-rounds": intOpt("measured generation blocks", 40),
    "embedding-rounds": intOpt("measured embedding blocks", 120),
    warmup: intOpt("unmeasured blocks first", 3, { allowZero: true }),
    threads: optionalIntOpt(`generation threads (default ${DEFAULT_GENERATION_THREADS})`),
    "embedding-threads": optionalIntOpt(`embedding threads (default ${DEFAULT_EMBEDDING_THREADS})`),
  },
);

const TARGET = 0.98;
const newTokens = args.tokens;
const warmup = args.warmup;
const threads = args.threads ?? DEFAULT_GENERATION_THREADS;
const embeddingThreads = args["embedding-threads"] ?? DEFAULT_EMBEDDING_THREADS;
const modelPath = ensureDummyModel(args.preset, 42).path;

/** The tool: the engine and the round runner exactly as `perf-baseline bench` uses them. */
async function toolArms() {
  const genWorkload = generationWorkload(newTokens);
  const embWorkload = embeddingWorkload();
  const gen = await createLlamaEngine({
    modelPath,
    mode: "generation",
    threads,
    maxNewTokens: newTokens,
    log: () => {},
  });
  const emb = await createLlamaEngine({ modelPath, mode: "embedding", embeddingThreads, log: () => {} });
  const once = { rounds: 1, warmup: 0 };
  const generation: Arm = {
    name: "tool",
    async run() {
      const s = (await runGenerationRounds(gen, genWorkload, once)).samples[0];
      if (!s || s.output_tokens !== newTokens)
        throw new Error("tool round did not produce the requested tokens");
      return { tokens_per_second: s.tokens_per_second };
    },
  };
  const embedding: Arm = {
    name: "tool",
    async run() {
      const s = (await runEmbeddingRounds(emb, embWorkload, once)).samples[0];
      if (!s) throw new Error("tool embedding round produced no sample");
      return { calls_per_second: s.calls_per_second };
    },
  };
  return { generation, embedding, genSettings: gen.settings, embSettings: emb.settings, gen, emb };
}

/**
 * The direct loop: node-llama-cpp and nothing else, with the settings the tool reports it used. `copies`
 * loops share one model but each has contexts of its own: the second ("direct-aa") is an A/A control that
 * shows how far two identical loops differ here (contexts differ in memory placement, the machine is shared).
 */
async function directArms(
  genCtx: { context: number; batch: number },
  embCtx: { context: number; batch: number },
  copies: readonly string[],
) {
  // A second Llama instance in a process disconnects node-llama-cpp's JavaScript logger (the native side
  // keeps one logger for the whole process), and native lines then go straight to stdout; llama.cpp warns
  // on every embedding call ("embeddings required but some input tokens were not marked as outputs").
  // The level is process-wide: error keeps stdout to the JSON document, for both arms alike.
  const llama = await directLlama(Math.max(threads, embeddingThreads));
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const prompt = model.tokenize(generationWorkload(newTokens).prompt ?? "");
  const texts = (embeddingWorkload().texts ?? []).map((t) => model.tokenize(t));
  const arms: { generation: Arm; embedding: Arm }[] = [];
  for (const name of copies) {
    const context = await model.createContext({
      contextSize: genCtx.context,
      batchSize: genCtx.batch,
      sequences: 1,
      threads: { ideal: threads, min: threads },
    });
    const sequence = context.getSequence();
    const embeddingContext = await model.createEmbeddingContext({
      contextSize: embCtx.context,
      batchSize: embCtx.batch,
      threads: embeddingThreads,
    });
    arms.push({
      generation: {
        name,
        async run() {
          await sequence.clearHistory();
          const t = await evaluateRound(sequence, prompt, newTokens);
          return { tokens_per_second: t.n / secondsBetween(t.t0, t.end) };
        },
      },
      embedding: {
        name,
        run: async () => ({ calls_per_second: await embedRound(embeddingContext, texts) }),
      },
    });
  }
  return arms;
}

function verdict(rows: ReturnType<typeof report>) {
  const tool = rows.find((r) => r.arm === "tool");
  const direct = rows.find((r) => r.arm === "direct");
  const aa = rows.find((r) => r.arm === "direct-aa");
  if (!tool || !direct || !aa) throw new Error("missing arm");
  return {
    n: tool.n,
    tool_median: tool.median,
    direct_median: direct.median,
    tool_robust_cv: tool.robust_cv,
    direct_robust_cv: direct.robust_cv,
    ratio: tool.ratio,
    ratio_ci95: tool.ratio_ci95,
    paired_ratio_median: tool.paired_ratio_median,
    meets_target: tool.ratio >= TARGET,
    /** the A/A control: a second identical direct loop against the first (the noise floor of the ratio) */
    aa_ratio: aa.ratio,
    aa_ratio_ci95: aa.ratio_ci95,
    aa_paired_ratio_median: aa.paired_ratio_median,
  };
}

async function main() {
  const loadBefore = await machineLoad();
  const tool = await toolArms();
  const [direct, aa] = await directArms(
    { context: tool.genSettings.context_size ?? 512, batch: tool.genSettings.batch_size ?? 512 },
    { context: tool.embSettings.context_size ?? 512, batch: tool.embSettings.batch_size ?? 512 },
    ["direct", "direct-aa"],
  );
  if (!direct || !aa) throw new Error("direct arms missing");
  const gen = await interleave([tool.generation, direct.generation, aa.generation], {
    rounds: args["generation-rounds"],
    warmup,
    onBlock: ttyProgress("generation"),
  });
  const emb = await interleave([tool.embedding, direct.embedding, aa.embedding], {
    rounds: args["embedding-rounds"],
    warmup,
    onBlock: ttyProgress("embedding"),
  });
  const genRows = report(gen, "tokens_per_second", "direct");
  const embRows = report(emb, "calls_per_second", "direct");
  process.stderr.write(
    `${formatTable(`generation ${args.preset}, ${newTokens} new tokens: tokens/s`, genRows)}\n`,
  );
  process.stderr.write(`${formatTable(`embedding ${args.preset}: calls/s`, embRows)}\n`);
  const out = {
    script: "bench/harness-overhead.ts",
    command: `npx tsx bench/harness-overhead.ts ${process.argv.slice(2).join(" ")}`.trim(),
    target_ratio: TARGET,
    model_path: modelPath,
    preset: args.preset,
    max_new_tokens: newTokens,
    settings: { generation: tool.genSettings, embedding: tool.embSettings },
    engine: tool.gen.identity,
    generation: verdict(genRows),
    embedding: verdict(embRows),
    load_before: loadBefore,
    load_after: await machineLoad(),
    raw: { generation: gen, embedding: emb },
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  await tool.gen.dispose();
  await tool.emb.dispose();
}

await main();
process.exit(0);
