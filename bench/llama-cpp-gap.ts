/**
 * The llama-cpp engine against llama.cpp's own native loops, interleaved (bench/lib/interleave.ts), the
 * successor of bench/engine-gap.ts for the llama-cpp engine. Arms (suffix -t1/-t2 = threads):
 *
 *   llama-cpp-tN          the engine (createLlamaCppEngine + generate / embed), decode loop in its worker,
 *                         greedy by the engine's default method (src/engines/llama-cpp/argmax.ts
 *                         DEFAULT_GREEDY_METHOD: "argmax", in WebAssembly over the logits);
 *                         also reports the harness's own time per token (harness_us_median: the round's
 *                         median of GenerationRound.harness_ns)
 *   llama-cpp-<m>-tN      the same engine with greedy method m (option greedy): "backend", "argmax" (in
 *                         WebAssembly over the logits, the default) or "sampler" (llama.cpp's greedy sampler on the CPU)
 *   node-llama-cpp-tN     the node-llama-cpp engine (createLlamaEngine), generation only (see below)
 *   llama-bench-tN        llama.cpp's llama-bench (bench/build-llama.sh llama-bench) in a child process:
 *                         tg<tokens> at depth = prompt length: the same decode work without sampling or
 *                         JavaScript
 *   c-loop-tN             bench/llama-cpp-embed-loop.cpp (bench/build-llama.sh c-loop) in a child process
 *                         that stays up: per call (embedding) or per token (generation: the prompt's length
 *                         in synthetic tokens, then <tokens> greedy tokens through llama.cpp's greedy
 *                         sampler on the CPU) exactly what the engine's worker does, in C: the floor the
 *                         engine can reach
 *   c-loop-<m>-tN         the C generation loop with greedy method m: "argmax" over llama_get_logits_ith (no
 *                         sampler; the engine's default method, so the like-for-like floor of llama-cpp-tN,
 *                         though the C loop's argmax is a plain scalar loop and the engine's uses SIMD),
 *                         "backend" (llama.cpp's backend sampler) or "sampler" (the default, named)
 *   <kind>-pp<P>-tN       prompt processing only, P synthetic prompt tokens and no new token, for kind
 *                         llama-cpp (`--prompt-tokens P --max-new-tokens 0`), llama-bench (`-p P -n 0 -b
 *                         512 -ub 512`) and c-loop; figure prompt_tokens_per_second (generation mode)
 *
 * Both native yardsticks link node-llama-cpp's prebuilt libraries, so the same libllama and
 * libggml-cpu-<variant>.so run in every arm. The node-llama-cpp arm is for generation only: in one process
 * both engines share llama.cpp's one logger, and node-llama-cpp's per-call embedding warning would reach
 * the llama-cpp engine's worker. Before anything is measured, the engine's three greedy methods are checked
 * to give the same tokens for the C loop's synthetic prompt, every llama-cpp generation arm to give them with
 * its own method, and every C generation loop to give them on every round (FNV-1a of the ids). The C loop
 * and the engine pause their threadpools after each round, so no arm's spinning workers slow the next arm.
 *
 * Usage:
 *   npx tsx bench/llama-cpp-gap.ts --mode generation --arms llama-cpp-t1,c-loop-argmax-t1,llama-bench-t1,llama-cpp-t2,c-loop-argmax-t2,llama-bench-t2
 *     [--preset tiny|small] [--rounds 20] [--warmup 2] [--tokens 64] [--reference c-loop-argmax-t1,llama-bench-t1,c-loop-argmax-t2,llama-bench-t2]
 *     [--llama-bench /tmp/perf-baseline-llama-bench/llama-bench] [--c-loop /tmp/perf-baseline-llama-bench/llama-cpp-embed-loop]
 *   npx tsx bench/llama-cpp-gap.ts --mode generation --arms llama-cpp-pp512-t1,llama-bench-pp512-t1 --reference llama-bench-pp512-t1
 *   npx tsx bench/llama-cpp-gap.ts --mode embedding --arms llama-cpp-t1,c-loop-t1,llama-cpp-t2,c-loop-t2
 * Embedding arms also report calls per CPU-second (process CPU time over the round): with other work on the
 * machine, wall time measures the scheduler as much as the code.
 * --reference takes one arm or several, comma-separated (every arm is then compared with each; the JSON's
 * `reports` holds the first one's, `reports_by_reference` all). Every ratio to a reference comes with two 95 % intervals: the bootstrap of the ratio of the two arms'
 * medians (unpaired, bench/lib/interleave.ts) and the bootstrap of the median of the per-block ratios
 * (paired: a slow block slows both arms). Prints one JSON document on stdout (figures, ratios, intervals,
 * load average before and after); tables on stderr.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DEFAULT_GREEDY_METHOD, type GreedyMethod } from "../src/engines/llama-cpp/argmax.js";
import {
  createLlamaCppEngine,
  defaultLlamaLibDir,
  type LlamaCppEngine,
} from "../src/engines/llama-cpp/engine.js";
import type { GenerationOutcome } from "../src/engines/llama-cpp/session.js";
import { createLlamaEngine } from "../src/engines/node-llama-cpp/engine.js";
import type { Engine } from "../src/measure/engine-contract.js";
import { ensureDummyModel } from "../src/models/cache.js";
import { PRESETS } from "../src/models/presets.js";
import { bootstrapMedianSampler, median, percentile } from "../src/stats/index.js";
import { mulberry32 } from "../src/util/prng.js";
import {
  EMBEDDING_TEXTS,
  GENERATION_PROMPT,
  SYNTHETIC_SALT,
  syntheticTokens,
} from "../src/workload/workload.js";
import { parseScript, textOpt, usageExit } from "./lib/args.js";
import { generationRates, secondsBetween } from "./lib/figures.js";
import {
  type Arm,
  type ArmReport,
  gapHeader,
  gapOpts,
  type Interleaved,
  interleave,
  machineLoad,
  type RoundFigures,
  reportMetrics,
  ttyProgress,
} from "./lib/interleave.js";
import { LLAMA_BENCH_DIR, llamaBenchRate } from "./lib/native.js";
import { alignedTable } from "./lib/tables.js";

const info = {
  name: "bench/llama-cpp-gap.ts",
  summary: "The llama-cpp engine against llama.cpp's own native loops (llama-bench, a C loop), interleaved.",
  usage: "npx tsx bench/llama-cpp-gap.ts [options]",
};
const { values: args } = parseScript(info, {
  ...gapOpts("see the header", "llama-cpp-t1,llama-bench-t1"),
  "llama-bench": textOpt("llama-bench (bench/build-llama.sh llama-bench)", `${LLAMA_BENCH_DIR}/llama-bench`),
  "c-loop": textOpt("the C loop (bench/build-llama.sh c-loop)", `${LLAMA_BENCH_DIR}/llama-cpp-embed-loop`),
});

const { mode, rounds, warmup, tokens: newTokens } = args;
const modelPath = ensureDummyModel(args.preset, 42).path;
const nVocab = (PRESETS[args.preset] as { vocab: number }).vocab;
const contextSize = Math.max(512, Math.ceil((newTokens + 256) / 256) * 256);
const batchSize = 512;
const children: ChildProcessWithoutNullStreams[] = [];

/** An arm's name taken apart: `<kind>[-<variant>]-t<threads>`. */
interface ArmSpec {
  name: string;
  kind: "node-llama-cpp" | "llama-cpp" | "llama-bench" | "c-loop";
  /** the greedy method named in the arm (llama-cpp and c-loop), or null: the kind's default */
  greedy: GreedyMethod | null;
  /** prompt tokens of a prompt-processing arm (`-pp<P>`), else null */
  pp: number | null;
  threads: number;
}

const ARM_NAME =
  /^(node-llama-cpp|llama-cpp|llama-bench|c-loop)(?:-(sampler|argmax|backend|pp(\d+)))?-t(\d+)$/;
const GREEDY_METHODS: readonly GreedyMethod[] = ["backend", "argmax", "sampler"];

/** Parses and checks an arm name for the mode; a usage error names what is wrong. */
function armSpec(name: string): ArmSpec {
  const m = name.match(ARM_NAME);
  if (!m)
    usageExit(
      info,
      `unknown arm ${name} (see the header: <kind>[-sampler|-argmax|-backend|-pp<P>]-t<threads>)`,
    );
  const [, kind, variant, pp, threads] = m as unknown as [
    string,
    ArmSpec["kind"],
    string | undefined,
    string | undefined,
    string,
  ];
  const spec: ArmSpec = {
    name,
    kind,
    greedy: GREEDY_METHODS.find((g) => g === variant) ?? null,
    pp: pp === undefined ? null : Number(pp),
    threads: Number(threads),
  };
  if (spec.threads < 1) usageExit(info, `arm ${name}: threads must be at least 1`);
  if (kind === "node-llama-cpp" && mode !== "generation")
    usageExit(info, `${name} is a generation-only arm (see the header)`);
  if (variant !== undefined && mode !== "generation")
    usageExit(info, `${name}: -sampler, -argmax, -backend and -pp<P> arms are generation arms`);
  if (spec.greedy !== null && kind !== "llama-cpp" && kind !== "c-loop")
    usageExit(info, `${name}: -${spec.greedy} is an arm of llama-cpp or c-loop`);
  if (spec.pp !== null && (kind === "node-llama-cpp" || spec.pp < 1 || spec.pp > contextSize))
    usageExit(
      info,
      `${name}: -pp<P> is an arm of llama-cpp, llama-bench or c-loop, P from 1 to ${contextSize}`,
    );
  return spec;
}

/** FNV-1a (32 bit) over the ids' little-endian bytes: what the C loop prints as ids_fnv1a. */
function fnv1a(ids: ArrayLike<number>): number {
  let h = 2166136261;
  for (let i = 0; i < ids.length; i++)
    for (let b = 0; b < 4; b++) {
      h ^= ((ids[i] as number) >>> (8 * b)) & 0xff;
      h = Math.imul(h, 16777619) >>> 0;
    }
  return h >>> 0;
}

/** Each engine arm's harness times (us), every token of every measured round pooled. */
const harnessUs = new Map<string, number[]>();

async function engineArm(spec: ArmSpec, engine: Engine): Promise<Arm> {
  const { name } = spec;
  if (spec.pp !== null) {
    const pp = spec.pp;
    return {
      name,
      async run() {
        const r = await engine.generate(GENERATION_PROMPT, 0, { syntheticTokens: pp });
        return { prompt_tokens_per_second: pp / secondsBetween(r.start_ns, r.end_ns) };
      },
    };
  }
  if (mode === "generation") {
    const pooled: number[] = [];
    harnessUs.set(name, pooled);
    return {
      name,
      async run() {
        const r = await engine.generate(GENERATION_PROMPT, newTokens);
        if (r.output_tokens !== newTokens) throw new Error(`${name}: ${r.output_tokens} tokens`);
        const rates: RoundFigures = generationRates(r);
        if (r.harness_ns && r.harness_ns.length > 0) {
          const us = r.harness_ns.map((ns) => ns / 1000);
          pooled.push(...us);
          rates.harness_us_median = median(us);
        }
        return rates;
      },
    };
  }
  return {
    name,
    async run() {
      const c0 = process.cpuUsage();
      const r = await engine.embed(EMBEDDING_TEXTS);
      const cpu = process.cpuUsage(c0);
      return {
        calls_per_second: r.calls / secondsBetween(r.start_ns, r.end_ns),
        calls_per_cpu_second: r.calls / ((cpu.user + cpu.system) / 1e6),
      };
    },
  };
}

function llamaBenchArm(spec: ArmSpec, libDir: string, promptTokens: number): Arm {
  const argv = ["-m", modelPath, "-t", String(spec.threads), "-r", "1", "-o", "json"];
  if (spec.pp !== null)
    argv.push("-p", String(spec.pp), "-n", "0", "-b", String(batchSize), "-ub", String(batchSize));
  else argv.push("-p", "0", "-n", String(newTokens), "-d", String(promptTokens));
  return {
    name: spec.name,
    async run(): Promise<RoundFigures> {
      const ts = llamaBenchRate(args["llama-bench"], argv, libDir);
      return spec.pp !== null
        ? { prompt_tokens_per_second: ts }
        : { tokens_per_second: ts, decode_tokens_per_second: ts };
    },
  };
}

/** What the C loop prints per round (see bench/llama-cpp-embed-loop.cpp). */
interface CLoopRound {
  calls?: number;
  prompt_tokens?: number;
  tokens?: number;
  elapsed_ns: number;
  first_token_ns?: number;
  cpu_ns: number;
  ids_fnv1a?: number;
}

/** The figures of one C-loop round, in the units of the engine arms. */
function cLoopFigures(r: CLoopRound): RoundFigures {
  if (r.calls !== undefined)
    return {
      calls_per_second: r.calls / (r.elapsed_ns / 1e9),
      calls_per_cpu_second: r.calls / (r.cpu_ns / 1e9),
    };
  const tokens = r.tokens ?? 0;
  if (tokens === 0) return { prompt_tokens_per_second: (r.prompt_tokens ?? 0) / (r.elapsed_ns / 1e9) };
  return {
    tokens_per_second: tokens / (r.elapsed_ns / 1e9),
    decode_tokens_per_second: (tokens - 1) / ((r.elapsed_ns - (r.first_token_ns ?? 0)) / 1e9),
  };
}

/**
 * The C loop as a long-lived child: one "r" line per round, one JSON line back. Generation arms pass the
 * new tokens (0 for a -pp arm) and the greedy pick; `expectHash`, where given, is the engine's FNV-1a of
 * the same round's ids, checked on every round.
 */
async function cLoopArm(
  spec: ArmSpec,
  libDir: string,
  inputs: Int32Array[],
  dir: string,
  expectHash: number | null,
): Promise<Arm> {
  const { name } = spec;
  const file = join(dir, `${name}.inputs`);
  writeFileSync(file, `${inputs.map((t) => Array.from(t).join(" ")).join("\n")}\n`);
  const argv = [modelPath, String(spec.threads), String(contextSize), String(batchSize), file, libDir];
  if (mode === "generation") argv.push(String(spec.pp !== null ? 0 : newTokens), spec.greedy ?? "sampler");
  const child = spawn(args["c-loop"] as string, argv, { cwd: libDir, stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  child.stderr.on("data", (d: Buffer) => process.stderr.write(`${name}: ${d}`));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    name,
    async run() {
      child.stdin.write("r\n");
      const next = await lines.next();
      if (next.done) throw new Error(`${name} exited (code ${child.exitCode})`);
      const r = JSON.parse(next.value) as CLoopRound;
      if (expectHash !== null && r.ids_fnv1a !== expectHash)
        throw new Error(
          `${name} generated other tokens than the engine (ids hash ${r.ids_fnv1a}, engine ${expectHash})`,
        );
      return cLoopFigures(r);
    },
  };
}

/** Each llama-cpp generation arm (not -pp) and its engine, for the token check before measuring. */
const generationEngines: { name: string; engine: LlamaCppEngine }[] = [];

/**
 * The FNV-1a of the tokens the engine generates for `prompt`, checked to be the same under every greedy
 * method, then for every llama-cpp generation arm with its own method.
 * @throws Error naming the method or arm that generates other tokens
 */
async function checkedTokenHash(probe: LlamaCppEngine, prompt: Int32Array): Promise<number> {
  const hashOf = async (e: LlamaCppEngine, greedy?: GreedyMethod) =>
    fnv1a(
      (
        await e.request<GenerationOutcome>({
          type: "generate",
          prompt,
          maxNewTokens: newTokens,
          ...(greedy ? { greedy } : {}),
        })
      ).token_ids,
    );
  const hash = await hashOf(probe, DEFAULT_GREEDY_METHOD);
  for (const g of GREEDY_METHODS)
    if ((await hashOf(probe, g)) !== hash)
      throw new Error(`the engine's greedy method ${g} generates other tokens than ${DEFAULT_GREEDY_METHOD}`);
  for (const { name, engine } of generationEngines)
    if ((await hashOf(engine)) !== hash)
      throw new Error(`${name} generates other tokens than the engine's default`);
  return hash;
}

/** The engine arms (node-llama-cpp first: the llama-cpp engine then installs llama.cpp's logger last). */
async function engineArms(specs: readonly ArmSpec[], arms: Arm[], engines: { dispose(): Promise<void> }[]) {
  let probe: LlamaCppEngine | null = null;
  for (const spec of specs.filter((s) => s.kind === "node-llama-cpp")) {
    const e = await createLlamaEngine({
      modelPath,
      mode,
      threads: spec.threads,
      maxNewTokens: newTokens,
      log: () => {},
    });
    engines.push(e);
    arms.push(await engineArm(spec, e));
  }
  for (const spec of specs.filter((s) => s.kind === "llama-cpp")) {
    const t = spec.threads;
    const e = await createLlamaCppEngine({
      modelPath,
      mode,
      ...(mode === "generation" ? { threads: t } : { embeddingThreads: t }),
      ...(spec.greedy ? { greedy: spec.greedy } : {}),
      maxNewTokens: newTokens,
      log: (line) => process.stderr.write(`${spec.name}: llama.cpp: ${line}\n`),
    });
    engines.push(e);
    probe ??= e;
    if (mode === "generation" && spec.pp === null) generationEngines.push({ name: spec.name, engine: e });
    arms.push(await engineArm(spec, e));
  }
  if (!probe) {
    probe = await createLlamaCppEngine({ modelPath, mode, maxNewTokens: newTokens, log: () => {} });
    engines.push(probe);
  }
  return probe;
}

/** The native arms; the C generation loops decode a synthetic prompt of the text prompt's length. */
async function nativeArms(specs: readonly ArmSpec[], probe: LlamaCppEngine, libDir: string, dir: string) {
  const promptTokens = probe.countTokens(GENERATION_PROMPT);
  const prompt = syntheticTokens(promptTokens, nVocab, SYNTHETIC_SALT.prompt);
  const hash = mode === "generation" ? await checkedTokenHash(probe, prompt) : null;
  const arms: Arm[] = [];
  for (const spec of specs) {
    if (spec.kind === "llama-bench") arms.push(llamaBenchArm(spec, libDir, promptTokens));
    if (spec.kind !== "c-loop") continue;
    if (mode === "embedding") {
      const inputs = EMBEDDING_TEXTS.map((t) => probe.embeddingInput(t));
      arms.push(await cLoopArm(spec, libDir, inputs, dir, null));
    } else if (spec.pp !== null) {
      const pp = syntheticTokens(spec.pp, nVocab, SYNTHETIC_SALT.prompt);
      arms.push(await cLoopArm(spec, libDir, [pp], dir, null));
    } else arms.push(await cLoopArm(spec, libDir, [prompt], dir, hash));
  }
  return { arms, promptTokens };
}

/**
 * The 95 % percentile-bootstrap interval of the median of the per-block ratios arm / reference (blocks
 * resampled with replacement, 4000 times, seed 1; src/stats bootstrapMedianSampler).
 */
function pairedRatioCi(ref: readonly number[], xs: readonly number[]): [number, number] | null {
  const ratios = xs.map((x, i) => x / (ref[i] as number)).filter((r) => Number.isFinite(r));
  if (ratios.length < 2) return null;
  const draw = bootstrapMedianSampler(ratios);
  const rng = mulberry32(1);
  const medians = Array.from({ length: 4000 }, () => draw(rng));
  return [percentile(medians, 2.5), percentile(medians, 97.5)];
}

/** The metrics the reference arm has, in a fixed order. */
function metricsOf(data: Interleaved, reference: string): string[] {
  const order = [
    "decode_tokens_per_second",
    "tokens_per_second",
    "prompt_tokens_per_second",
    "calls_per_second",
    "calls_per_cpu_second",
  ];
  const has = data[reference] ?? {};
  return order.filter((m) => (has[m]?.length ?? 0) > 0);
}

/** Every report row with its paired interval; a table of them on stderr. */
function withPairedCi(data: Interleaved, reports: Record<string, ArmReport[]>, reference: string) {
  const out: Record<string, (ArmReport & { paired_ratio_ci95: [number, number] | null })[]> = {};
  const rows: string[][] = [["metric", "arm", "paired", "paired 95% CI"]];
  for (const [metric, list] of Object.entries(reports)) {
    const ref = data[reference]?.[metric] ?? [];
    out[metric] = list.map((r) => {
      const ci = r.arm === reference ? null : pairedRatioCi(ref, data[r.arm]?.[metric] ?? []);
      if (ci)
        rows.push([
          metric,
          r.arm,
          r.paired_ratio_median.toFixed(3),
          `${ci[0].toFixed(3)}..${ci[1].toFixed(3)}`,
        ]);
      return { ...r, paired_ratio_ci95: ci };
    });
  }
  process.stderr.write(`${[`paired ratios to ${reference}`, ...alignedTable(rows)].join("\n")}\n`);
  return out;
}

/** The harness's time per token of each engine arm that measures it: median and p99 of all tokens, us. */
function harnessFigures() {
  const out: Record<string, { n: number; median_us: number; p99_us: number }> = {};
  for (const [arm, xs] of harnessUs)
    if (xs.length > 0) out[arm] = { n: xs.length, median_us: median(xs), p99_us: percentile(xs, 99) };
  for (const [arm, f] of Object.entries(out))
    process.stderr.write(
      `harness ${arm}: median ${f.median_us.toFixed(1)} us, p99 ${f.p99_us.toFixed(1)} us (n ${f.n})\n`,
    );
  return out;
}

async function main() {
  const names = args.arms;
  const references = (args.reference ?? names[0] ?? "llama-cpp-t1").split(",").filter((r) => r !== "");
  const reference = references[0] as string;
  const specs = names.map(armSpec);
  for (const r of references)
    if (!names.includes(r)) usageExit(info, `--reference ${r} is not one of --arms`);
  const lib = await defaultLlamaLibDir();
  const dir = mkdtempSync(join(tmpdir(), "pb-llama-cpp-gap-"));
  const arms: Arm[] = [];
  const engines: { dispose(): Promise<void> }[] = [];
  const probe = await engineArms(specs, arms, engines);
  const native = await nativeArms(specs, probe, lib.dir, dir);
  arms.push(...native.arms);
  // arms in the order given (the interleaving rotates it anyway)
  arms.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
  const loadBefore = await machineLoad();
  const data = await interleave(arms, { rounds, warmup, onBlock: ttyProgress(`${mode} ${args.preset}`) });
  // embedding: also calls per CPU-second (process CPU time over the round, all threads): what a call costs,
  // less sensitive than wall time to the other work on a shared machine
  const byReference = Object.fromEntries(
    references.map((ref) => {
      const reports = reportMetrics(data, metricsOf(data, ref), ref, `${mode} ${args.preset} against ${ref}`);
      return [ref, withPairedCi(data, reports, ref)];
    }),
  );
  const out = {
    ...gapHeader("bench/llama-cpp-gap.ts", mode, args.preset, modelPath),
    llama_lib: lib,
    new_tokens: mode === "generation" ? newTokens : null,
    prompt_tokens: native.promptTokens,
    context_size: contextSize,
    rounds,
    warmup,
    reference,
    load_before: loadBefore,
    load_after: await machineLoad(),
    reports: byReference[reference],
    reports_by_reference: byReference,
    harness_us_per_token: harnessFigures(),
    raw: data,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  for (const c of children) c.stdin.end();
  for (const e of engines) await e.dispose();
  rmSync(dir, { recursive: true, force: true });
}

await main();
process.exit(0);
