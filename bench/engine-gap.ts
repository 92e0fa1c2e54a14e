/**
 * The engine gap: where decode time goes between llama.cpp's native loop and the tool, measured as
 * interleaved arms in one process (see bench/lib/interleave.ts). Each arm is one way of running the same
 * workload (the built-in prompt, greedy, exactly --tokens new tokens; or the built-in embedding texts):
 *
 *   tool              the real code path: createLlamaEngine + engine.generate / engine.embed
 *   direct            a minimal node-llama-cpp loop with the tool's default settings
 *   direct-<knob>     the same loop with one setting changed (see ARMS below)
 *   controlled        sequence.controlledEvaluate() one token at a time instead of sequence.evaluate()
 *   llama-bench[-t2]  llama.cpp's own llama-bench, built against node-llama-cpp's prebuilt libraries
 *                     (bench/build-llama.sh llama-bench), run as a child process: tg<tokens> at depth = prompt
 *                     length, i.e. the same decode work without sampling or JavaScript
 *
 * Usage:
 *   npx tsx bench/engine-gap.ts --mode generation --arms tool,direct,direct-fa0 [--preset tiny]
 *     [--rounds 20] [--warmup 2] [--tokens 64] [--reference direct] [--llama-bench /tmp/lb/llama-bench]
 *   npx tsx bench/engine-gap.ts --mode generation --diagnose [--threads 1]   (native vs JS time per token)
 * Prints one JSON document on stdout (figures, ratios with bootstrap CIs, load average); tables on stderr.
 */
import type { ControlledEvaluateInputItem, Llama, LlamaContext, LlamaModel, Token } from "node-llama-cpp";
import { createLlamaEngine } from "../src/engines/node-llama-cpp/engine.js";
import { ensureDummyModel } from "../src/models/cache.js";
import { median } from "../src/stats/index.js";
import { EMBEDDING_TEXTS, GENERATION_PROMPT } from "../src/workload/workload.js";
import { boolOpt, intOpt, parseScript, textOpt, usageExit } from "./lib/args.js";
import { generationRates, now, secondsBetween } from "./lib/figures.js";
import {
  type Arm,
  gapHeader,
  gapOpts,
  interleave,
  machineLoad,
  type RoundFigures,
  reportMetrics,
  ttyProgress,
} from "./lib/interleave.js";
import { directLlama, embedRound, evaluateRound, llamaBenchRate, PREBUILT_DIR } from "./lib/native.js";

const info = {
  name: "bench/engine-gap.ts",
  summary: "Where decode time goes between llama.cpp's native loop and the tool: named arms, interleaved.",
  usage: "npx tsx bench/engine-gap.ts [options]",
};
const { values: args } = parseScript(info, {
  ...gapOpts("see ARMS in the script", "tool,direct"),
  "llama-bench": textOpt("llama-bench built by bench/build-llama.sh llama-bench (for the llama-bench arms)"),
  diagnose: boolOpt("native decode time against the time JavaScript sees, per token"),
  "diagnose-child": boolOpt("(internal: the measuring child of --diagnose)"),
  threads: intOpt("--diagnose: threads", 1),
});

const { mode, rounds, warmup, tokens: newTokens } = args;
const modelPath = ensureDummyModel(args.preset, 42).path;

/** One arm's settings; absent fields take the tool's defaults. */
interface ArmSpec {
  kind: "tool" | "evaluate" | "controlled" | "llama-bench";
  threads?: number;
  /** pass threads as a plain number (min 1) instead of { ideal, min } */
  threadsAsNumber?: boolean;
  /** getLlama maxThreads; defaults to the arm's threads */
  maxThreads?: number;
  flashAttention?: boolean | "auto";
  useMmap?: boolean;
  useMlock?: boolean;
  contextSize?: number;
  batchSize?: number;
  performanceTracking?: boolean;
  /** sampler options passed on every token (the tool passes only temperature 0) */
  sampling?: Record<string, unknown>;
}

const gen = (s: Partial<ArmSpec> = {}): ArmSpec => ({ kind: "evaluate", threads: 1, ...s });
const emb = (s: Partial<ArmSpec> = {}): ArmSpec => ({ kind: "evaluate", threads: 2, ...s });

/** Named arms; generation and embedding share names where the knob means the same. */
const ARMS: Record<string, { generation?: ArmSpec; embedding?: ArmSpec }> = {
  tool: { generation: { kind: "tool" }, embedding: { kind: "tool" } },
  "tool-t1": { generation: { kind: "tool", threads: 1 }, embedding: { kind: "tool", threads: 1 } },
  "tool-t2": { generation: { kind: "tool", threads: 2 }, embedding: { kind: "tool", threads: 2 } },
  direct: { generation: gen(), embedding: emb() },
  // an A/A control: the same settings in a context of its own (contexts differ in memory placement)
  "direct-copy": { generation: gen(), embedding: emb() },
  "direct-t1": { generation: gen({ threads: 1 }), embedding: emb({ threads: 1 }) },
  "direct-t2": { generation: gen({ threads: 2 }), embedding: emb({ threads: 2 }) },
  "direct-t2-num": { generation: gen({ threads: 2, threadsAsNumber: true }) },
  "direct-t1-max2": {
    generation: gen({ threads: 1, maxThreads: 2 }),
    embedding: emb({ threads: 1, maxThreads: 2 }),
  },
  "direct-fa0": { generation: gen({ flashAttention: false }), embedding: emb({ flashAttention: false }) },
  "direct-fa1": { generation: gen({ flashAttention: true }), embedding: emb({ flashAttention: true }) },
  "direct-nommap": { generation: gen({ useMmap: false }), embedding: emb({ useMmap: false }) },
  "direct-mlock": { generation: gen({ useMlock: true }), embedding: emb({ useMlock: true }) },
  "direct-ctx256": {
    generation: gen({ contextSize: 256, batchSize: 256 }),
    embedding: emb({ contextSize: 256, batchSize: 256 }),
  },
  "direct-ctx2048": { generation: gen({ contextSize: 2048 }), embedding: emb({ contextSize: 2048 }) },
  "direct-batch64": { generation: gen({ batchSize: 64 }), embedding: emb({ batchSize: 64 }) },
  "direct-topk1": { generation: gen({ sampling: { topK: 1 } }) },
  "direct-t2-fa0": {
    generation: gen({ threads: 2, flashAttention: false }),
    embedding: emb({ threads: 2, flashAttention: false }),
  },
  controlled: { generation: { kind: "controlled", threads: 1 } },
  "llama-bench": {
    generation: { kind: "llama-bench", threads: 1 },
    embedding: { kind: "llama-bench", threads: 2 },
  },
  "llama-bench-t1": {
    generation: { kind: "llama-bench", threads: 1 },
    embedding: { kind: "llama-bench", threads: 1 },
  },
  "llama-bench-t2": {
    generation: { kind: "llama-bench", threads: 2 },
    embedding: { kind: "llama-bench", threads: 2 },
  },
  "llama-bench-fa0": { generation: { kind: "llama-bench", threads: 1, flashAttention: false } },
};

const llamas = new Map<number, Promise<Llama>>();
/**
 * A Llama instance per maxThreads (the tool loads its own, as it always does). --diagnose-child parses
 * llama.cpp's timing lines (info level) from its stderr; otherwise only errors, printed nowhere.
 */
function llamaWith(maxThreads: number): Promise<Llama> {
  let p = llamas.get(maxThreads);
  if (!p) {
    const log = args["diagnose-child"] ? (m: string) => process.stderr.write(`${m.trimEnd()}\n`) : undefined;
    p = directLlama(maxThreads, log);
    llamas.set(maxThreads, p);
  }
  return p;
}

const models = new Map<string, Promise<LlamaModel>>();
function modelWith(llama: Llama, maxThreads: number, s: ArmSpec): Promise<LlamaModel> {
  const key = JSON.stringify([maxThreads, s.useMmap, s.useMlock, s.flashAttention]);
  let p = models.get(key);
  if (!p) {
    p = llama.loadModel({
      modelPath,
      gpuLayers: 0,
      ...(s.useMmap !== undefined ? { useMmap: s.useMmap } : {}),
      ...(s.useMlock !== undefined ? { useMlock: s.useMlock } : {}),
      ...(s.flashAttention !== undefined ? { defaultContextFlashAttention: s.flashAttention } : {}),
    });
    models.set(key, p);
  }
  return p;
}

function contextSizeFor(s: ArmSpec): number {
  return s.contextSize ?? Math.max(512, Math.ceil((newTokens + 256) / 256) * 256);
}

async function toolArm(name: string, s: ArmSpec): Promise<Arm> {
  const engine = await createLlamaEngine({
    modelPath,
    mode,
    maxNewTokens: newTokens,
    ...(s.threads !== undefined
      ? mode === "generation"
        ? { threads: s.threads }
        : { embeddingThreads: s.threads }
      : {}),
    log: () => {},
  });
  if (mode === "generation") {
    return {
      name,
      async run() {
        return generationRates(await engine.generate(GENERATION_PROMPT, newTokens));
      },
    };
  }
  return {
    name,
    async run() {
      const r = await engine.embed(EMBEDDING_TEXTS);
      return { calls_per_second: r.calls / secondsBetween(r.start_ns, r.end_ns) };
    },
  };
}

/** One generation round one token at a time through sequence.controlledEvaluate (the "controlled" arm). */
async function controlledRound(
  sequence: ReturnType<LlamaContext["getSequence"]>,
  prompt: Token[],
  sampling: Record<string, unknown>,
) {
  const next = (t: Token): ControlledEvaluateInputItem => [
    t,
    { generateNext: { token: true, options: sampling } },
  ];
  let input: ControlledEvaluateInputItem[] = [
    ...prompt.slice(0, -1),
    next(prompt[prompt.length - 1] as Token),
  ];
  let n = 0;
  let first = 0n;
  const t0 = now();
  while (n < newTokens) {
    const out = await sequence.controlledEvaluate(input);
    const token = out[input.length - 1]?.next?.token;
    if (token == null) throw new Error("controlledEvaluate returned no token");
    if (n === 0) first = now();
    n++;
    input = [next(token)];
  }
  return { t0, first, end: now(), n };
}

async function directGenerationArm(
  name: string,
  s: ArmSpec,
): Promise<Arm & { context: LlamaContext; promptTokens: number }> {
  const threads = s.threads ?? 1;
  const maxThreads = s.maxThreads ?? threads;
  const llama = await llamaWith(maxThreads);
  const model = await modelWith(llama, maxThreads, s);
  const context = await model.createContext({
    contextSize: contextSizeFor(s),
    batchSize: s.batchSize ?? 512,
    sequences: 1,
    threads: s.threadsAsNumber ? threads : { ideal: threads, min: threads },
    ...(s.flashAttention !== undefined ? { flashAttention: s.flashAttention } : {}),
    ...(s.performanceTracking ? { performanceTracking: true } : {}),
  });
  const sequence = context.getSequence();
  const prompt = model.tokenize(GENERATION_PROMPT);
  const sampling = { temperature: 0, ...(s.sampling ?? {}) };
  const loop = () =>
    s.kind === "controlled"
      ? controlledRound(sequence, prompt, sampling)
      : evaluateRound(sequence, prompt, newTokens, sampling);
  return {
    name,
    context,
    promptTokens: prompt.length,
    async run() {
      await sequence.clearHistory();
      const r = await loop();
      if (r.n !== newTokens) throw new Error(`${name}: ${r.n} tokens instead of ${newTokens}`);
      const figures: Record<string, number> = {
        tokens_per_second: r.n / secondsBetween(r.t0, r.end),
        decode_tokens_per_second: (r.n - 1) / secondsBetween(r.first, r.end),
      };
      return figures;
    },
  };
}

async function directEmbeddingArm(name: string, s: ArmSpec): Promise<Arm> {
  const threads = s.threads ?? 2;
  const maxThreads = s.maxThreads ?? threads;
  const llama = await llamaWith(maxThreads);
  const model = await modelWith(llama, maxThreads, s);
  const ctx = await model.createEmbeddingContext({
    contextSize: contextSizeFor(s),
    batchSize: s.batchSize ?? 512,
    threads,
  });
  const inputs = EMBEDDING_TEXTS.map((t) => model.tokenize(t));
  return { name, run: async () => ({ calls_per_second: await embedRound(ctx, inputs) }) };
}

/** llama-bench must run from its library folder: it loads libggml-cpu-*.so from the working directory. */
function llamaBenchArm(
  name: string,
  s: ArmSpec,
  bin: string,
  promptTokens: number,
  embedTokens: number,
): Arm {
  const libDir = PREBUILT_DIR;
  const common = ["-m", modelPath, "-t", String(s.threads ?? 1), "-r", "1", "-o", "json"];
  if (s.flashAttention === false) common.push("-fa", "0");
  const argv =
    mode === "generation"
      ? [...common, "-p", "0", "-n", String(newTokens), "-d", String(promptTokens)]
      : [...common, "-p", String(embedTokens), "-n", "0", "-embd", "1"];
  return {
    name,
    async run(): Promise<RoundFigures> {
      const ts = llamaBenchRate(bin, argv, libDir);
      return mode === "generation"
        ? { tokens_per_second: ts, decode_tokens_per_second: ts }
        : { calls_per_second: ts / embedTokens };
    },
  };
}

/**
 * Native decode time per token (llama.cpp's own counters: performanceTracking + printTimings, which prints
 * and resets them) against the time per token the JavaScript loop observes, round by round: the
 * difference is what happens outside llama_decode (sampling, two async round trips per token,
 * node-llama-cpp's queueing and locks). The measuring runs in a child process because node-llama-cpp's
 * timing lines can bypass the JavaScript logger and go straight to the native stderr; the parent reads
 * them there. With --llama-bench, llama-bench runs between the rounds (same child), as the native yardstick.
 */
async function diagnoseChild(): Promise<void> {
  const threads = args.threads;
  const arm = await directGenerationArm("direct-perf", gen({ threads, performanceTracking: true }));
  const bench = args["llama-bench"]
    ? llamaBenchArm("llama-bench", { kind: "llama-bench", threads }, args["llama-bench"], arm.promptTokens, 0)
    : null;
  for (let i = 0; i < warmup + rounds; i++) {
    const fig = await arm.run();
    await arm.context.printTimings();
    await new Promise((r) => setTimeout(r, 20));
    const lb = bench ? await bench.run() : null;
    process.stderr.write(
      `DIAG ${JSON.stringify({ round: i, warm: i < warmup, js_decode_tps: fig.decode_tokens_per_second, llama_bench_tps: lb?.decode_tokens_per_second ?? null })}\n`,
    );
  }
}

async function diagnose(): Promise<void> {
  const { spawnSync } = await import("node:child_process");
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      process.argv[1] as string,
      ...process.argv.slice(2).filter((a) => a !== "--diagnose"),
      "--diagnose-child",
    ],
    { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 << 20 },
  );
  if (child.status !== 0) throw new Error(`diagnose child failed: ${child.stderr.slice(-2000)}`);
  const perRound: {
    js_ms_per_token: number;
    native_ms_per_token: number;
    llama_bench_ms_per_token: number | null;
  }[] = [];
  let native: number | null = null;
  for (const line of child.stderr.split("\n")) {
    const m = line.match(/ eval time =\s*([\d.]+) ms \/\s*(\d+) runs/);
    if (m && !/prompt eval/.test(line)) native = Number(m[1]) / Number(m[2]);
    if (line.startsWith("DIAG ")) {
      const d = JSON.parse(line.slice(5)) as {
        warm: boolean;
        js_decode_tps: number;
        llama_bench_tps: number | null;
      };
      if (native === null) throw new Error("no eval timing line before a round marker");
      if (!d.warm)
        perRound.push({
          js_ms_per_token: 1000 / d.js_decode_tps,
          native_ms_per_token: native,
          llama_bench_ms_per_token: d.llama_bench_tps ? 1000 / d.llama_bench_tps : null,
        });
      native = null;
    }
  }
  const med = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? median(v) : null;
  };
  const js = med(perRound.map((r) => r.js_ms_per_token)) as number;
  const nat = med(perRound.map((r) => r.native_ms_per_token)) as number;
  const lb = med(perRound.map((r) => r.llama_bench_ms_per_token));
  const out = {
    script: "bench/engine-gap.ts --diagnose",
    command: `npx tsx bench/engine-gap.ts ${process.argv.slice(2).join(" ")}`,
    preset: args.preset,
    threads: args.threads,
    rounds: perRound.length,
    js_ms_per_token_median: js,
    native_decode_ms_per_token_median: nat,
    outside_native_decode_ms_per_token: js - nat,
    outside_share: (js - nat) / js,
    llama_bench_ms_per_token_median: lb,
    native_in_node_over_llama_bench: lb ? nat / lb : null,
    paired_outside_ms_median: median(perRound.map((r) => r.js_ms_per_token - r.native_ms_per_token)),
    load: await machineLoad(),
    per_round: perRound,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

/** Every arm known for the mode, --llama-bench given when an arm needs it, the reference among the arms. */
function checkArms(names: readonly string[], reference: string): void {
  for (const name of names) {
    const spec = ARMS[name]?.[mode];
    if (!spec) usageExit(info, `unknown arm ${name} for ${mode} (known: ${Object.keys(ARMS).join(", ")})`);
    if (spec.kind === "llama-bench" && !args["llama-bench"])
      usageExit(info, `arm ${name} needs --llama-bench PATH (see bench/build-llama.sh llama-bench)`);
  }
  if (!names.includes(reference)) usageExit(info, `--reference ${reference} is not one of --arms`);
}

async function main() {
  if (args["diagnose-child"]) return diagnoseChild();
  if (args.diagnose) return diagnose();
  const names = args.arms;
  const reference = args.reference ?? names[0] ?? "tool";
  checkArms(names, reference);
  const probeModel = await modelWith(await llamaWith(2), 2, { kind: "evaluate" });
  const promptTokens = probeModel.tokenize(GENERATION_PROMPT).length;
  const embedTokens = Math.round(
    EMBEDDING_TEXTS.map((t) => probeModel.tokenize(t).length).reduce((a, b) => a + b, 0) /
      EMBEDDING_TEXTS.length,
  );
  const arms: Arm[] = [];
  for (const name of names) {
    const spec = ARMS[name]?.[mode] as ArmSpec;
    if (spec.kind === "tool") arms.push(await toolArm(name, spec));
    else if (spec.kind === "llama-bench")
      arms.push(llamaBenchArm(name, spec, args["llama-bench"] as string, promptTokens, embedTokens));
    else if (mode === "generation") arms.push(await directGenerationArm(name, spec));
    else arms.push(await directEmbeddingArm(name, spec));
  }
  const loadBefore = await machineLoad();
  const data = await interleave(arms, {
    rounds,
    warmup,
    onBlock: ttyProgress(`${mode} ${args.preset}`),
  });
  const metrics =
    mode === "generation" ? ["tokens_per_second", "decode_tokens_per_second"] : ["calls_per_second"];
  const present = metrics.filter((m) => Object.values(data).some((f) => f[m]?.length));
  const reports = reportMetrics(data, present, reference, `${mode} ${args.preset}`);
  const out = {
    ...gapHeader("bench/engine-gap.ts", mode, args.preset, modelPath),
    new_tokens: mode === "generation" ? newTokens : null,
    prompt_tokens: promptTokens,
    rounds,
    warmup,
    reference,
    load_before: loadBefore,
    load_after: await machineLoad(),
    reports,
    raw: data,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
process.exit(0);
